"""Committee packages built from the demo data's facts (demo/seeds/hcmc_articles.json):
what the tests round-trip and what the benchmark imports."""

import json
from decimal import Decimal

from demo.seeding import SEED_FILE

ROLE_TITLES = {
    "head": "Trưởng ban",
    "standing_deputy_head": "Phó Trưởng ban Thường trực",
    "deputy_head": "Phó Trưởng ban",
    "group_leader": "Tổ trưởng",
    "deputy_group_leader": "Tổ phó",
    "member": "Ủy viên",
}


def _value(row: dict) -> str:
    number = f"{Decimal(row['target_value']).normalize():f}"
    unit = row.get("unit", "")
    return f"{number}{unit}" if unit == "%" else f"{number} {unit}".strip()


def seed_packages() -> list[dict]:
    """One package per body of the demo data (support groups inside their parent's)."""
    data = json.loads(SEED_FILE.read_text(encoding="utf-8"))
    agencies = {a["slug"]: a for a in data["agencies"]}
    instruments = {i["key"]: i for i in data["instruments"]}
    positions = {p["key"]: p for p in data["positions"]}
    people = {p["slug"]: p for p in data["people"]}
    committees = {c["slug"]: c for c in data["committees"]}
    sources = data["sources"]

    def seats(slug: str) -> list[dict]:
        rows = []
        for row in data["memberships"]:
            if row["committee"] != slug:
                continue
            position = positions.get(row.get("position"))
            rows.append(
                {
                    "person": people[row["person"]]["full_name"],
                    "role_in_committee": ROLE_TITLES[row["role"]],
                    "position_in_home_agency": row.get("title")
                    or (position or {}).get("title", ""),
                    "home_agency": agencies[position["agency"]]["name"] if position else "",
                }
            )
        return rows

    packages = []
    for slug, row in committees.items():
        if row["kind"] == "support_group":
            continue
        decision = instruments.get(row.get("established_by"))
        group = next((c for c in committees.values() if c.get("parent") == slug), None)
        successor = next(
            (s["successor"] for s in data["successions"] if s["predecessor"] == slug), None
        )
        source = sources[row["source"]]
        packages.append(
            {
                "name": row["name"],
                "name_en": "",
                "level": row["level"],
                "jurisdiction": "",
                "established_by": {
                    "number": decision["number"] if decision else "",
                    "date": (decision or {}).get("signed", "") or "",
                    "issuer": agencies[decision["issuer"]]["name"]
                    if decision and decision.get("issuer")
                    else "",
                    "title": decision["title"] if decision else "",
                },
                "predecessors": [
                    committees[s["predecessor"]]["name"]
                    for s in data["successions"]
                    if s["successor"] == slug
                ],
                "dissolved_or_replaced_by": committees[successor]["name"] if successor else "",
                "declared_member_count": row.get("declared_member_count"),
                "members": seats(slug),
                "standing_agency": agencies[row["standing_agency"]]["name"]
                if row.get("standing_agency")
                else "",
                "support_group": None
                if group is None
                else {
                    "name": group["name"],
                    "declared_member_count": group.get("declared_member_count"),
                    "members": seats(group["slug"]),
                },
                "mandates": [
                    m["text"]
                    for m in sorted(data["mandates"], key=lambda m: m["order"])
                    if m["committee"] == slug
                ],
                "targets": [
                    {
                        "text": t["indicator"],
                        "value": _value(t),
                        "deadline": t.get("deadline") or "",
                    }
                    for t in data["targets"]
                    if t.get("committee") == slug
                ],
                "sources": [{"url": "", "date": source.get("date") or "", "title": row["source"]}],
            }
        )
    return packages


def renamed_packages(suffix: str, copies: int = 2) -> list[dict]:
    """`copies` times the demo bodies under new names (each name + suffix + copy number), so a
    benchmark can import the same shape of file again and again: 2 copies are 14 bodies."""
    result = []
    for copy in range(1, copies + 1):

        def rename(name: str, copy=copy) -> str:
            return f"{name} ({suffix} {copy})" if name else name

        for package in seed_packages():
            package["name"] = rename(package["name"])
            package["predecessors"] = [rename(n) for n in package["predecessors"]]
            package["dissolved_or_replaced_by"] = rename(package["dissolved_or_replaced_by"])
            if package["support_group"]:
                package["support_group"]["name"] = rename(package["support_group"]["name"])
            result.append(package)
    return result
