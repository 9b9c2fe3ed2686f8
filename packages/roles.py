"""The role a printed title names ("Trưởng ban" → head): the roster's own reading
(members.rules.role_from_title), with a few more titles of decisions as fallback."""

from committees.text import fold
from members.models import Role

SINGLE_ROLES = (Role.HEAD, Role.STANDING_DEPUTY_HEAD, Role.GROUP_LEADER)

# Folded printed titles, the more specific first.
_TITLES = [
    ("pho truong ban thuong truc", Role.STANDING_DEPUTY_HEAD),
    ("pho chu tich thuong truc", Role.STANDING_DEPUTY_HEAD),
    ("pho chu nhiem thuong truc", Role.STANDING_DEPUTY_HEAD),
    ("standing vice chair", Role.STANDING_DEPUTY_HEAD),
    ("standing deputy", Role.STANDING_DEPUTY_HEAD),
    ("to pho", Role.DEPUTY_GROUP_LEADER),
    ("pho to truong", Role.DEPUTY_GROUP_LEADER),
    ("to truong", Role.GROUP_LEADER),
    ("pho truong ban", Role.DEPUTY_HEAD),
    ("pho chu tich", Role.DEPUTY_HEAD),
    ("pho chu nhiem", Role.DEPUTY_HEAD),
    ("vice chair", Role.DEPUTY_HEAD),
    ("deputy", Role.DEPUTY_HEAD),
    ("truong ban", Role.HEAD),
    ("chu tich", Role.HEAD),
    ("chu nhiem", Role.HEAD),
    ("chair", Role.HEAD),
    ("head", Role.HEAD),
    ("thu ky", Role.SECRETARY),
    ("secretary", Role.SECRETARY),
]


def role_of(title: str) -> tuple[str, str]:
    """(role, title as printed); an empty or unknown title is a member."""
    from members.rules import role_from_title

    role = role_from_title(title) if title else None
    if role is not None:
        return str(role), title
    key = fold(title)
    if key.startswith(("uy vien", "thanh vien", "member")):
        return Role.MEMBER, title
    for printed, role in _TITLES:
        if key.startswith(printed):
            return role, title
    return Role.MEMBER, title
