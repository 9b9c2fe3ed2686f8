"""The size a refused roster file is reported at is its real size, in the user's language; an
upload read only to one byte past the limit is said to be larger than the limit (issue 10)."""

import pytest
from django.utils import translation

from members.spreadsheets import MAX_IMPORT_BYTES, RosterFileError, read_roster_file

SIX_MB = 6 * 1024 * 1024


def refusal(data: bytes, language: str) -> str:
    with translation.override(language), pytest.raises(RosterFileError) as refused:
        read_roster_file(data, "roster.csv")
    return " ".join(refused.value.messages)


def test_it_reports_the_actual_size_of_a_whole_file_in_the_users_language():
    data = b"x" * SIX_MB
    assert "(6.0 MB)" in refusal(data, "en")
    assert "(6,0 MB)" in refusal(data, "vi")
    assert "5.0" not in refusal(data, "en")


def test_a_file_read_to_one_byte_past_the_limit_is_not_given_a_wrong_size():
    data = b"x" * (MAX_IMPORT_BYTES + 1)
    message = refusal(data, "en")
    assert message == "The file is too large: more than 5 MB, the most a roster file may be."
    assert "5.0" not in message
    assert "quá lớn: hơn 5 MB" in refusal(data, "vi")
