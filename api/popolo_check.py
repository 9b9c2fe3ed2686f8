"""The type check of a Popolo document: every value the importer reads, with its path.

The importer takes a file whole or not at all, so this check runs over the whole document
first and lists every problem it finds, each with its path and the value it refused:
`memberships[12].start_date: 2022-02-31 is not a date`, `persons[0].gender: 7 is not text`.
A field the registry does not know is not checked here: it is kept as given (see
PopoloExtras) and exported back.
"""

import json
from typing import Any

from django.utils.translation import gettext as _

from committees.models import Level
from committees.partial_dates import parse_partial_date
from committees.text import fold

# Kinds of value. A tuple (kind, True) marks a field the record cannot do without.
TEXT, DATE, COUNT, BOOL, GENDER, LEVEL, OBJECT = (
    "text",
    "date",
    "count",
    "bool",
    "gender",
    "level",
    "object",
)

GENDER_WORDS = {"male", "m", "nam", "female", "f", "nu", "other"}

IDENTIFIER = {"scheme": (TEXT, True), "identifier": (TEXT, True)}
OTHER_NAME = {
    "name": (TEXT, True),
    "lang": TEXT,
    "note": TEXT,
    "family_name": TEXT,
    "given_name": TEXT,
    "honorific_prefix": TEXT,
    "honorific_suffix": TEXT,
    "start_date": DATE,
    "end_date": DATE,
}
SOURCE = {"url": TEXT, "note": TEXT}
LINK = {"url": (TEXT, True), "note": TEXT}
CONTACT = {
    "type": (TEXT, True),
    "value": (TEXT, True),
    "label": TEXT,
    "note": TEXT,
    "valid_from": DATE,
    "valid_until": DATE,
}
SUCCESSION_STEP = {"kind": (TEXT, True), "organization_id": (TEXT, True), "date": DATE}
LINEAGE = {"predecessors": [SUCCESSION_STEP], "successors": [SUCCESSION_STEP]}

MEMBERSHIP = {
    "id": TEXT,
    "person_id": TEXT,
    "organization_id": TEXT,
    "post_id": TEXT,
    "area_id": TEXT,
    "role": TEXT,
    "label": TEXT,
    "start_date": DATE,
    "end_date": DATE,
    "on_behalf_of_id": TEXT,
    "home_agency_id": TEXT,
    "legislative_period_id": TEXT,
    "end_reason": TEXT,
    "identifiers": [IDENTIFIER],
    "sources": [SOURCE],
}
PERSON = {
    "id": (TEXT, True),
    "name": (TEXT, True),
    "honorific_prefix": TEXT,
    "gender": GENDER,
    "birth_date": DATE,
    "death_date": DATE,
    "image": TEXT,
    "images": [LINK],
    "links": [LINK],
    "contact_details": [CONTACT],
    "other_names": [OTHER_NAME],
    "identifiers": [IDENTIFIER],
    "sources": [SOURCE],
    "memberships": [MEMBERSHIP],
}
ORGANIZATION = {
    "id": (TEXT, True),
    "name": (TEXT, True),
    "classification": TEXT,
    "type": TEXT,
    "parent_id": TEXT,
    "area_id": TEXT,
    "founding_date": DATE,
    "dissolution_date": DATE,
    "seats": COUNT,
    "description": TEXT,
    "other_names": [OTHER_NAME],
    "identifiers": [IDENTIFIER],
    "sources": [SOURCE],
    "memberships": [MEMBERSHIP],
    # The registry's own extra fields (api.popolo).
    "registry_type": TEXT,
    "kind": TEXT,
    "level": LEVEL,
    "standing_agency_id": TEXT,
    "declared_member_count": COUNT,
    "actual_member_count": COUNT,
    "lineage": LINEAGE,
}
POST = {
    "id": (TEXT, True),
    "label": TEXT,
    "role": TEXT,
    "organization_id": TEXT,
    "single_holder": BOOL,
    "identifiers": [IDENTIFIER],
    "sources": [SOURCE],
}
EVENT = {
    "id": (TEXT, True),
    "name": TEXT,
    "classification": TEXT,
    "organization_id": TEXT,
    "start_date": DATE,
    "end_date": DATE,
    "identifiers": [IDENTIFIER],
}
AREA = {
    "id": (TEXT, True),
    "name": (TEXT, True),
    "type": TEXT,
    "classification": TEXT,
    "parent_id": TEXT,
    "start_date": DATE,
    "end_date": DATE,
    "other_names": [OTHER_NAME],
    "identifiers": [IDENTIFIER],
    "sources": [SOURCE],
}
SPECS = {
    "persons": PERSON,
    "organizations": ORGANIZATION,
    "memberships": MEMBERSHIP,
    "posts": POST,
    "events": EVENT,
    "areas": AREA,
}


def _shown(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)[:80]


def check_value(value: Any, kind: Any, path: str, problems: list[str]) -> None:
    """Append a problem for each value that is not of its kind (None counts as absent)."""
    if value is None:
        return
    if isinstance(kind, list):
        if not isinstance(value, list):
            problems.append(_("%(path)s: %(value)s is not a list") % _at(path, value))
            return
        for index, item in enumerate(value):
            check_object(item, kind[0], f"{path}[{index}]", problems)
    elif isinstance(kind, dict):
        check_object(value, kind, path, problems)
    elif kind == DATE:
        if not isinstance(value, str):
            problems.append(_("%(path)s: %(value)s is not a date") % _at(path, value))
            return
        try:
            parse_partial_date(value)
        except ValueError:
            problems.append(_("%(path)s: %(value)s is not a date") % {"path": path, "value": value})
    elif kind == TEXT and not isinstance(value, str):
        problems.append(_("%(path)s: %(value)s is not text") % _at(path, value))
    elif kind == COUNT and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
        problems.append(_("%(path)s: %(value)s is not a whole number ≥ 0") % _at(path, value))
    elif kind == BOOL and not isinstance(value, bool):
        problems.append(_("%(path)s: %(value)s is not true or false") % _at(path, value))
    elif kind == GENDER:
        if not isinstance(value, str):
            problems.append(_("%(path)s: %(value)s is not text") % _at(path, value))
        elif value and fold(value) not in GENDER_WORDS:
            problems.append(
                _("%(path)s: %(value)s is not a gender the registry knows (male, female, other)")
                % _at(path, value)
            )
    elif kind == LEVEL and (not isinstance(value, str) or (value and value not in Level.values)):
        problems.append(
            _("%(path)s: %(value)s is not a level the registry knows (%(levels)s)")
            % (_at(path, value) | {"levels": ", ".join(Level.values)})
        )


def _at(path: str, value: Any) -> dict:
    return {"path": path, "value": _shown(value)}


def check_object(record: Any, spec: dict, path: str, problems: list[str]) -> None:
    if not isinstance(record, dict):
        problems.append(_("%(path)s: %(value)s is not an object") % _at(path, record))
        return
    for key, kind in spec.items():
        required = isinstance(kind, tuple)
        kind = kind[0] if required else kind
        value = record.get(key)
        if required and (value is None or (isinstance(value, str) and not value.strip())):
            problems.append(_("%(path)s: missing") % {"path": f"{path}.{key}"})
            continue
        check_value(value, kind, f"{path}.{key}", problems)


def check_document(data: dict) -> list[str]:
    """Every type problem of the document's records, with its path."""
    problems: list[str] = []
    meta = data.get("meta")
    if meta is not None and not isinstance(meta, dict):
        problems.append(_("%(path)s: %(value)s is not an object") % _at("meta", meta))
    for collection, spec in SPECS.items():
        for index, record in enumerate(data.get(collection) or []):
            check_object(record, spec, f"{collection}[{index}]", problems)
    return problems
