"""Name keys for matching agencies, posts and bodies as clerks write them.

"Sở TT&TT", "UBND TP.HCM", "Sở KH&CN" and their spelled-out forms fold to one key, so a
package naming an agency by its common abbreviation finds the agency already kept, and a post
printed either way is one the registry knows a person by (members/matching.py).

Agencies and bodies keep their names' keys in columns (`name_key`, `short_name_key`, set by
their `clean()`), so the committee package reads only those it may mean. A change to the rule
below changes the keys of names already kept: ship it with a migration that computes them again
(committees/migrations/0012_name_keys.py shows how).
"""

import re

from committees.text import fold

# Folded abbreviation → folded full form; longest first so "tp.hcm" wins over "tp.".
_ABBREVIATIONS = [
    ("tt&tt", "thong tin va truyen thong"),
    ("tt-tt", "thong tin va truyen thong"),
    ("kh&cn", "khoa hoc va cong nghe"),
    ("khcn", "khoa hoc va cong nghe"),
    ("kh-cn", "khoa hoc va cong nghe"),
    ("kh&dt", "ke hoach va dau tu"),
    ("gd&dt", "giao duc va dao tao"),
    ("tn&mt", "tai nguyen va moi truong"),
    ("lđ-tb&xh", "lao dong thuong binh va xa hoi"),
    ("ld-tb&xh", "lao dong thuong binh va xa hoi"),
    ("tp.hcm", "thanh pho ho chi minh"),
    ("tp. hcm", "thanh pho ho chi minh"),
    ("tphcm", "thanh pho ho chi minh"),
    ("tp hcm", "thanh pho ho chi minh"),
    ("hcm", "ho chi minh"),
    ("ubnd", "uy ban nhan dan"),
    ("hdnd", "hoi dong nhan dan"),
    ("bcd", "ban chi dao"),
    ("tp.", "thanh pho "),
    ("tp", "thanh pho"),
]
_PUNCT = re.compile(r"[^a-z0-9 ]+")
# Words that say where the body or agency is and add nothing to which one it is.
_PLACE_SUFFIXES = ("thanh pho ho chi minh", "thanh pho")


def name_key(value: str) -> str:
    """A folded key with the common abbreviations spelled out and punctuation dropped."""
    text = fold(value)
    for short, full in _ABBREVIATIONS:
        if " " in short or "." in short:
            text = re.sub(rf"(?<![a-z0-9]){re.escape(short)}(?![a-z0-9])", f" {full} ", text)
    words = []
    for word in text.split():
        replaced = word
        for short, full in _ABBREVIATIONS:
            if word == short:
                replaced = full
                break
        words.append(replaced)
    text = " ".join(words)
    text = _PUNCT.sub(" ", text.replace("&", " va "))
    return " ".join(text.split())


def loose_key(value: str) -> str:
    """The name key without a trailing place ("… Thành phố Hồ Chí Minh", "… Thành phố")."""
    key = name_key(value)
    for suffix in _PLACE_SUFFIXES:
        if key.endswith(" " + suffix):
            return key[: -len(suffix) - 1]
    return key


def keys_loosely_matching(value: str) -> set[str]:
    """Every name key whose loose key is `value`'s: the loose key itself, or it followed by a
    trailing place. A name kept under any other key cannot match `value` loosely."""
    loose = loose_key(value)
    return {loose, *(f"{loose} {suffix}" for suffix in _PLACE_SUFFIXES)}
