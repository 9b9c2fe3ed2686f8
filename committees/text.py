"""Name normalisation: NFC for storage, a folded key for accent-insensitive search."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def nfc(value: str) -> str:
    """The text in Unicode NFC with runs of white space collapsed to one space."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", value or "")).strip()


def fold(value: str) -> str:
    """A search key: diacritics removed, đ→d, lower case ("Nguyễn Văn Được" → "nguyen van duoc")."""
    decomposed = unicodedata.normalize("NFD", value or "")
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = stripped.replace("đ", "d").replace("Đ", "D")
    return _SPACES.sub(" ", stripped.casefold()).strip()
