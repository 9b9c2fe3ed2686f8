"""A decision entered with its effects, previewed, then applied in one transaction.

The effects: establish a body, rename, merge into another body or dissolve one; appoint and
end seats from the decision's appendix (or replace the whole roster with it); change the
declared member count. Every change cites the decision: seats are appointed or ended by it,
counts and lineage name it, and each history row gives it as the reason.
"""

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from committees import permissions
from committees.models import Committee, DeclaredCount, LegalInstrument, Level, Succession
from committees.text import fold, nfc
from members.models import Membership
from members.services import committee_dissolve, committee_rename
from packages.apply import (
    Importer,
    SeatAsPrinted,
    SeatClose,
    _committee_kind,
    _end_before,
    _Rollback,
    _unique_slug,
    _write_seats,
    roster_changes,
)
from packages.schema import PackageInvalid, Seat, When


@dataclass
class DecisionInput:
    kind: str = LegalInstrument.Kind.DECISION
    number: str = ""
    issuer: str = ""
    signer: str = ""
    signed: When = field(default_factory=When)
    effective: When = field(default_factory=When)
    title: str = ""
    scan: object | None = None
    amends: list[LegalInstrument] = field(default_factory=list)
    replaces: list[LegalInstrument] = field(default_factory=list)
    repeals: list[LegalInstrument] = field(default_factory=list)
    committee: Committee | None = None
    establish_name: str = ""
    establish_level: str = Level.CITY
    establish_parent: Committee | None = None
    rename_to: str = ""
    dissolve: bool = False
    merge_into: Committee | None = None
    declared_count: int | None = None
    appoint: list[Seat] = field(default_factory=list)
    whole_roster: bool = False
    end: list[Seat] = field(default_factory=list)


@dataclass
class DecisionReport:
    decision: str = ""
    changes: list[str] = field(default_factory=list)
    appointed: list[str] = field(default_factory=list)
    ended: list[str] = field(default_factory=list)
    possible_matches: list[dict] = field(default_factory=list)
    committee_slug: str = ""
    decision_id: int | None = None


def parse_appendix(text: str = "", raw: bytes | None = None, file_name: str = "") -> list[Seat]:
    """An appendix list: one seat a line, "person; role; post; agency" (tab, semicolon or
    comma separated), pasted or uploaded as CSV, TSV or XLSX. A header line is skipped."""
    rows: list[list[str]] = []
    problems = []
    if raw:
        if raw[:2] == b"PK" or file_name.lower().endswith(".xlsx"):
            from openpyxl import load_workbook

            try:
                book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
            except Exception:
                raise PackageInvalid([_("(file): not a readable XLSX workbook")]) from None
            try:
                sheet = book.worksheets[0]
                for row in sheet.iter_rows(values_only=True, max_col=4, max_row=5000):
                    rows.append(["" if v is None else str(v).strip() for v in row])
            finally:
                book.close()
        else:
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                raise PackageInvalid([_("(file): not UTF-8 text")]) from None
    if text and not rows:
        lines = [line for line in text.splitlines() if line.strip()]
        sample = "\n".join(lines[:5])
        delimiter = "\t" if "\t" in sample else (";" if ";" in sample else ",")
        rows = list(csv.reader(lines, delimiter=delimiter))
    seats = []
    for number, row in enumerate(rows, start=1):
        cells = [nfc(c) for c in row] + ["", "", "", ""]
        if not any(cells):
            continue
        if number == 1 and fold(cells[0]) in ("person", "ho ten", "ho va ten", "full name"):
            continue
        seat = Seat(
            path=_("appendix line %(line)s") % {"line": number},
            person=cells[0],
            role_title=cells[1],
            post=cells[2],
            agency=cells[3],
        )
        if not seat.person and not seat.post:
            problems.append(f"{seat.path}: " + _("a seat names a person or the post"))
        seats.append(seat)
    if problems:
        raise PackageInvalid(problems)
    return seats


def record_decision(
    data: DecisionInput, *, by, dry_run: bool = False, confirmations=None
) -> DecisionReport:
    """Record the decision and apply its effects, all or nothing; raise PackageInvalid
    listing every problem. `by=None` is the system itself."""
    affected = [c for c in (data.committee, data.merge_into) if c is not None]
    if data.establish_name:
        affected.append(data.establish_parent)
    if not affected:
        affected = [None]
    for committee in affected:
        if by is not None and not permissions.can_record_decision(by, committee):
            raise PermissionDenied(_("You may not record decisions for this body."))
    report = DecisionReport()
    problems: list[str] = []
    label = " ".join(p for p in (data.number, data.title[:80]) if p)
    reason = _("Decision %(decision)s") % {"decision": label}
    importer = Importer(
        by=by, reason=reason, confirmations=confirmations, source=label, dry_run=dry_run
    )
    try:
        with transaction.atomic():
            _apply(data, importer, report, problems, dry_run=dry_run)
            problems.extend(importer.problems)
            if problems or dry_run:
                raise _Rollback()
    except _Rollback:
        pass
    if problems:
        raise PackageInvalid(problems)
    report.possible_matches = importer.report.possible_matches
    return report


def _apply(data, importer: Importer, report, problems, *, dry_run: bool) -> None:
    if not data.title:
        problems.append(_("title: required"))
    if not (data.establish_name or data.committee):
        problems.append(_("body: choose the body the decision concerns, or establish one"))
    level = data.committee.level if data.committee else data.establish_level
    importer.read_agencies({data.issuer, *(seat.agency for seat in data.appoint)})
    issuer = importer.agency(data.issuer, level)
    if (
        data.number
        and LegalInstrument.objects.filter(number__iexact=data.number, issuer=issuer).exists()
    ):
        problems.append(
            _("number: decision %(number)s of this issuer is already recorded")
            % {"number": data.number}
        )
    if problems:
        return
    decision = LegalInstrument(
        kind=data.kind,
        number=data.number,
        title=data.title,
        issuer=issuer,
        issuer_as_printed=data.issuer if issuer is not None and issuer.name != data.issuer else "",
        signer=data.signer,
        signed_on=data.signed.date,
        signed_precision=data.signed.precision,
        effective_on=data.effective.date,
        effective_precision=data.effective.precision,
        source=importer.source[:500],
    )
    if data.scan is not None and not dry_run:
        decision.scan.save(data.scan.name, data.scan, save=False)
    try:
        importer.save(decision)
    except ValidationError as exc:
        problems.extend(exc.messages)
        return
    decision.amends.set(data.amends)
    decision.replaces.set(data.replaces)
    decision.repeals.set(data.repeals)
    report.decision = str(decision)
    report.decision_id = decision.pk
    when = data.effective if data.effective.date else data.signed
    committee = data.committee
    if data.establish_name:
        committee = Committee(
            name=data.establish_name,
            slug=_unique_slug(Committee, data.establish_name, 150, importer.taken_slugs),
            kind=_committee_kind(data.establish_name, data.establish_parent is not None),
            level=data.establish_level,
            parent=data.establish_parent,
            established_by=decision,
            founded_on=when.date,
            founded_precision=when.precision,
            source=importer.source[:500],
        )
        _save(importer, committee, problems, "establish")
        report.changes.append(_("Establishes %(name)s") % {"name": committee.name})
    if committee is None or committee.pk is None:
        return
    report.committee_slug = committee.slug
    renaming = bool(data.rename_to) and fold(data.rename_to) != fold(committee.name)
    if renaming and (data.dissolve or data.merge_into is not None):
        problems.append(
            _("rename_to: a decision that renames a body does not also dissolve or merge it")
        )
        return
    # Seats: the appendix.
    opens, closes = [], []
    if data.appoint:
        opens, closes = importer.seats(
            data.appoint, committee, level=committee.level, start=when, decision=decision
        )
        if not data.whole_roster:  # only the seats of members who change role end
            closes = [c for c in closes if c.end_reason == Membership.EndReason.ROLE_CHANGED]
    changing = {c.membership.pk for c in closes}
    open_seats = {
        m.pk: m
        for m in Membership.objects.filter(committee=committee, end_date__isnull=True)
        .exclude(pk__in=changing)
        .select_related("person", "as_printed")
    }
    for seat in data.end:
        key = fold(seat.person or seat.post)
        match = next(
            (
                m
                for m in open_seats.values()
                if (m.person_id and fold(m.person.full_name) == key)
                or (not m.person_id and fold(_printed_post(m)) == key)
            ),
            None,
        )
        if match is None:
            problems.append(
                f"{seat.path}: "
                + _("%(name)s has no open seat on %(body)s")
                % {"name": seat.person or seat.post, "body": committee.name}
            )
            continue
        open_seats.pop(match.pk)
        on, precision = _end_before(when, match)
        closes.append(
            SeatClose(
                membership=match,
                on=on,
                precision=precision,
                end_reason=Membership.EndReason.REPLACED,
                decision=decision,
                path=seat.path,
            )
        )
    ending = data.dissolve or data.merge_into is not None
    dissolved: list[Membership] = []
    try:
        with transaction.atomic():
            if renaming:
                # The renamed body continues the roster; the appendix applies to it.
                renamed = committee_rename(
                    committee=committee,
                    name=data.rename_to,
                    on=when.date or timezone.localdate(),
                    precision=when.precision if when.date else "day",
                    decision=decision,
                    reason=importer.reason,
                    by=importer.by,
                    ending=roster_changes([], closes),
                    opening=roster_changes(opens, []),
                )
                appointed = renamed.opened[len(renamed.opened) - len(opens) :]
                written = list(zip(opens, appointed, strict=True))
                report.changes.append(
                    _("Renames %(old)s to %(new)s")
                    % {"old": committee.name, "new": renamed.committee.name}
                )
                committee = renamed.committee
                report.committee_slug = committee.slug
            else:
                written = _write_seats(opens, closes, by=importer.by, reason=importer.reason)
            if ending:
                # The body ends through the one lineage service: its remaining seats end
                # that day citing the decision, and the merge is recorded.
                dissolved = committee_dissolve(
                    committee=committee,
                    on=when.date or timezone.localdate(),
                    precision=when.precision if when.date else "day",
                    decision=decision,
                    successor=data.merge_into,
                    kind=Succession.Kind.MERGED_INTO if data.merge_into is not None else "",
                    source=importer.source,
                    reason=importer.reason,
                    by=importer.by,
                )
                committee.refresh_from_db()
            for change, membership in written:
                SeatAsPrinted.objects.create(
                    membership=membership,
                    order=change.order,
                    person=change.seat.person,
                    role_title=change.seat.role_title,
                    post=change.seat.post,
                    agency=change.seat.agency,
                )
    except ValidationError as exc:
        problems.extend(exc.messages)
        return
    if data.declared_count is not None:
        importer.save(
            DeclaredCount(
                committee=committee,
                count=data.declared_count,
                decision=decision,
                date=when.date,
                date_precision=when.precision,
            )
        )
        committee.declared_member_count = data.declared_count
        committee.declared_by = decision
        _save(importer, committee, problems, "declared_count")
        report.changes.append(_("Declares %(count)s members") % {"count": data.declared_count})
    report.appointed = [
        f"{c.seat.person or c.seat.post} — {c.seat.role_title}".strip(" —") for c in opens
    ]
    report.ended = [
        str(m.person or m.title_at_appointment) for m in [c.membership for c in closes] + dissolved
    ]
    if data.merge_into is not None:
        report.changes.append(
            _("Merges %(old)s into %(new)s") % {"old": committee.name, "new": data.merge_into.name}
        )
    elif data.dissolve:
        report.changes.append(_("Dissolves %(name)s") % {"name": committee.name})


def _printed_post(membership: Membership) -> str:
    printed = getattr(membership, "as_printed", None)
    return (printed.post if printed is not None else "") or membership.title_at_appointment


def _save(importer: Importer, committee: Committee, problems: list[str], where: str) -> None:
    try:
        importer.save(committee)
    except ValidationError as exc:
        problems.extend(f"{where}: {message}" for message in exc.messages)
