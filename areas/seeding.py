"""The registry's own areas in the demo data (the `areas` and `jurisdictions` of the seed file).

Called by the demo data loader once the committees are in; idempotent like it: an area is
matched on its slug and written only when new or different."""

from areas.models import Area
from committees.models import Committee
from records.writes import save_validated

REASON = "Demo data from the source articles"


def load_area_seeds(data: dict, count) -> None:
    """Upsert `data["areas"]` (parents first) and set each body's jurisdiction area.
    `count(created: bool, model)` tallies what was written."""
    areas: dict[str, Area] = {}
    for row in data.get("areas", []):
        values = {
            "name": row["name"],
            "kind": row["kind"],
            "parent": areas.get(row.get("parent")),
            "other_names": row.get("other_names", []),
            "source": row["source"],
        }
        area = Area.objects.filter(slug=row["slug"]).first()
        if area is None:
            area = save_validated(Area(slug=row["slug"], **values), reason=REASON)
            count(True, Area)
        elif any(getattr(area, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(area, name, value)
            save_validated(area, reason=REASON)
            count(False, Area)
        areas[row["slug"]] = area
    for row in data.get("jurisdictions", []):
        committee = Committee.objects.get(slug=row["committee"])
        if committee.jurisdiction_area_id != areas[row["area"]].pk:
            committee.jurisdiction_area = areas[row["area"]]
            save_validated(committee, reason=REASON)
            count(False, Committee)
