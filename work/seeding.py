"""Load the meetings and tasks the source articles state (work/seeds/articles.json), idempotently.

Called by the demo data loader after the registry's own records; each record is found by a
natural key and written only when new, so a second run changes nothing.
"""

import datetime as dt
import json
from pathlib import Path

from committees.models import Agency, Committee, LegalInstrument
from mandates.models import Target
from records.writes import save_validated
from work import services
from work.models import Invitee, Meeting, Task

SEED_FILE = Path(__file__).resolve().parent / "seeds" / "articles.json"
REASON = "Demo data from the source articles"
SOURCES = Path(__file__).resolve().parent.parent / "demo" / "seeds" / "hcmc_articles.json"


def _day(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def load_work_seeds(result=None, path: Path = SEED_FILE) -> dict[str, int]:
    data = json.loads(path.read_text(encoding="utf-8"))
    dates = {
        name: _day(meta.get("date"))
        for name, meta in json.loads(SOURCES.read_text(encoding="utf-8"))["sources"].items()
    }
    created: dict[str, int] = {}

    def count(model) -> None:
        name = str(model._meta.verbose_name_plural)
        created[name] = created.get(name, 0) + 1
        if result is not None:
            result.count(result.created, model)

    def cite(row: dict) -> dict:
        return {"source": row["source"], "source_date": dates.get(row["source"])}

    for row in data["agencies"]:
        if Agency.objects.filter(slug=row["slug"]).exists():
            continue
        save_validated(
            Agency(
                slug=row["slug"],
                name=row["name"],
                short_name=row.get("short_name", ""),
                kind=row["kind"],
                level=row["level"],
                parent=Agency.objects.filter(slug=row.get("parent")).first(),
                **cite(row),
            ),
            reason=REASON,
        )
        count(Agency)

    meetings: dict[str, Meeting] = {}
    for row in data["meetings"]:
        committee = Committee.objects.get(slug=row["committee"])
        meeting = Meeting.objects.filter(
            committee=committee, date=_day(row["date"]), title=row["title"]
        ).first()
        if meeting is None:
            meeting = services.meeting_create(
                committee=committee,
                kind=row["kind"],
                title=row["title"],
                date=_day(row["date"]),
                place=row.get("place", ""),
                chair_name=row.get("chair_name", ""),
                agenda=row.get("agenda", []),
                reason=REASON,
                **cite(row),
            )
            if row.get("conclusions"):
                services.meeting_update(
                    meeting=meeting, conclusions=row["conclusions"], reason=REASON
                )
            for entry in row.get("attendance", []):
                invitee = Invitee.objects.get(meeting=meeting, person__slug=entry["person"])
                services.attendance_set(
                    invitee=invitee, attendance=entry["attendance"], reason=REASON
                )
            count(Meeting)
        meetings[row["key"]] = meeting

    for row in data["tasks"]:
        committee = Committee.objects.get(slug=row["committee"]) if row["committee"] else None
        if Task.objects.filter(committee=committee, text=row["text"]).exists():
            continue
        instrument = None
        if row.get("instrument"):
            instrument = _instrument(row["instrument"])
        target = (
            Target.objects.filter(indicator=row["target"]).first() if row.get("target") else None
        )
        services.task_create(
            committee=committee,
            item=services.TaskItem(
                text=row["text"],
                number=row.get("number", ""),
                lead_agency=Agency.objects.filter(slug=row.get("lead_agency") or "").first(),
                coordinating=list(Agency.objects.filter(slug__in=row.get("coordinating", []))),
                lead_as_written=row.get("lead_as_written", ""),
                deadline_as_written=row.get("deadline_as_written", ""),
                target=target,
            ),
            source_kind=row["source_kind"],
            source_meeting=meetings.get(row.get("meeting")),
            source_instrument=instrument,
            assigned_by=Agency.objects.filter(slug=row.get("assigned_by") or "").first(),
            assigned_on=_day(row.get("assigned_on")),
            reason=REASON,
            **cite(row),
        )
        count(Task)
    return created


# The instruments of the registry's seed file, by their keys there.
def _instrument(key: str) -> LegalInstrument:
    rows = json.loads(SOURCES.read_text(encoding="utf-8"))["instruments"]
    row = next(r for r in rows if r["key"] == key)
    return LegalInstrument.objects.get(kind=row["kind"], number=row["number"], title=row["title"])
