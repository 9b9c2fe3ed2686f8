"""Merging two records of one official: every row that refers to the merged person moves to the kept one.

Every relation to Person is found from the model graph (`_meta.get_fields(include_hidden=True)`,
so django-simple-history's hidden historical foreign keys count too) and must have a handler
here: a relation nobody thought of refuses the merge rather than being left behind or lost.
Rows that point at a person through a generic foreign key (the Popolo identifiers) move too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from committees import permissions
from committees.text import nfc
from members.models import Membership, Person
from members.roster_writer import SeatCorrect, roster_apply
from members.rules import terms_overlap
from records.writes import save_validated

HISTORY_REASON_LENGTH = 100  # django-simple-history's history_change_reason column


@dataclass
class MergeResult:
    keep: Person
    merged: Person
    moved: dict[str, int] = field(default_factory=dict)  # relation label → rows moved


@dataclass
class _Merge:
    keep: Person
    merge: Person
    by: AbstractBaseUser
    reason: str
    moved: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def _move_rows(model_label: str, field_name: str) -> Callable[[_Merge], None]:
    """Live rows (seats, post holdings): each saved through validation, so its rules hold for
    the kept person, and each gets a history row saying who merged and why."""

    def handler(merge: _Merge) -> None:
        model = apps.get_model(model_label)
        rows = model.objects.select_for_update().filter(**{field_name: merge.merge}).order_by("pk")
        for row in rows:
            setattr(row, field_name, merge.keep)
            if hasattr(row, "version"):
                row.version += 1  # an editor who opened the seat before the merge must reload
            save_validated(row, by=merge.by, reason=merge.reason)
            merge.moved[f"{model_label}.{field_name}"] += 1

    return handler


def _rewrite_history(model_label: str, field_name: str) -> Callable[[_Merge], None]:
    """Historical rows of the merged person's seats and holdings: they now name the kept person,
    so a committee's timeline tells one official's story under one name."""

    def handler(merge: _Merge) -> None:
        model = apps.get_model(model_label)
        count = model.objects.filter(**{f"{field_name}_id": merge.merge.pk}).update(
            **{f"{field_name}_id": merge.keep.pk}
        )
        merge.moved[f"{model_label}.{field_name}"] += count

    return handler


def _repoint_merged_people(merge: _Merge) -> None:
    """People merged earlier into the person now merged lead straight to the kept person."""
    for person in Person.objects.select_for_update().filter(merged_into=merge.merge).order_by("pk"):
        person.merged_into = merge.keep
        save_validated(person, by=merge.by, reason=merge.reason)
        merge.moved["members.Person.merged_into"] += 1


def _keep_own_history(merge: _Merge) -> None:
    """The merged person's own history (and that of people merged before) stays as written."""


def _move_seats(merge: _Merge) -> None:
    """Seats move through the roster writer, like every other seat change: the clash rules are
    asked again for the kept person, and each seat gets a history row saying who and why."""
    seats = list(Membership.objects.filter(person=merge.merge).order_by("pk"))
    if not seats:
        return
    changes = [
        SeatCorrect(membership=seat, changes={"person": merge.keep}, where=str(seat))
        for seat in seats
    ]
    result = roster_apply(changes, reason=merge.reason, by=merge.by)
    merge.moved["members.Membership.person"] += len(result.corrected)


# Every relation to Person, and what a merge does with it.
HANDLERS: dict[tuple[str, str], Callable[[_Merge], None]] = {
    ("members.Membership", "person"): _move_seats,
    ("members.PositionHolding", "person"): _move_rows("members.PositionHolding", "person"),
    ("members.HistoricalMembership", "person"): _rewrite_history(
        "members.HistoricalMembership", "person"
    ),
    ("members.HistoricalPositionHolding", "person"): _rewrite_history(
        "members.HistoricalPositionHolding", "person"
    ),
    ("members.Person", "merged_into"): _repoint_merged_people,
    # Meetings (work app): the chair and the frozen invitation lists name the kept person.
    ("work.Meeting", "chair"): _move_rows("work.Meeting", "chair"),
    ("work.Invitee", "person"): _move_rows("work.Invitee", "person"),
    ("work.HistoricalMeeting", "chair"): _rewrite_history("work.HistoricalMeeting", "chair"),
    ("work.HistoricalInvitee", "person"): _rewrite_history("work.HistoricalInvitee", "person"),
    ("members.HistoricalPerson", "merged_into"): _keep_own_history,
}


def person_relations() -> list[tuple[str, str]]:
    """(model label, field name) of every foreign key, one-to-one and many-to-many to Person,
    hidden ones (related_name="+", the historical models) included."""
    return sorted(
        (rel.related_model._meta.label, rel.field.name)
        for rel in Person._meta.get_fields(include_hidden=True)
        if rel.auto_created and not rel.concrete
    )


def require_known_relations(handlers=None) -> None:
    """Refuse to merge when a relation to Person has no handler: a relation added later must
    say what a merge does with its rows, or they would be lost or left behind."""
    handlers = HANDLERS if handlers is None else handlers
    unknown = [
        f"{label}.{name}" for label, name in person_relations() if (label, name) not in handlers
    ]
    if unknown:
        raise ImproperlyConfigured(
            "person_merge does not know what to do with these relations to Person: "
            + ", ".join(unknown)
            + ". Add a handler to members.person_merge.HANDLERS."
        )


def generic_relations() -> list[type]:
    """Models that may point at any record through a generic foreign key (the Popolo identifiers)."""
    return [
        model
        for model in apps.get_models()
        if any(isinstance(f, GenericForeignKey) for f in model._meta.private_fields)
    ]


def _move_generic_rows(merge: _Merge) -> None:
    person_type = ContentType.objects.get_for_model(Person)
    for model in generic_relations():
        for gfk in (f for f in model._meta.private_fields if isinstance(f, GenericForeignKey)):
            ct_field, id_field = gfk.ct_field, gfk.fk_field
            where = {f"{ct_field}": person_type, f"{id_field}": merge.merge.pk}
            label = f"{model._meta.label}.{id_field}"
            for row in model.objects.select_for_update().filter(**where).order_by("pk"):
                setattr(row, id_field, merge.keep.pk)
                save_validated(row, by=merge.by, reason=merge.reason)
                merge.moved[label] += 1
            history = getattr(model, "history", None)
            if history is not None:
                count = history.model.objects.filter(**where).update(**{id_field: merge.keep.pk})
                merge.moved[f"{history.model._meta.label}.{id_field}"] += count


def _term(seat: Membership) -> str:
    end = seat.end.display() if seat.end_date else _("now")
    return f"{seat.start.display()} → {end}"


def _refuse_overlaps(keep: Person, merge: Person) -> None:
    """Two seats of one committee whose terms share a day would become one person's two seats
    at once: refuse, naming each, before anything changes."""
    kept = list(Membership.objects.filter(person=keep).order_by("pk"))
    problems = []
    for seat in Membership.objects.filter(person=merge).select_related("committee").order_by("pk"):
        for clash in kept:
            if clash.committee_id == seat.committee_id and terms_overlap(
                seat.start_date, seat.end_date, clash.start_date, clash.end_date
            ):
                problems.append(
                    _(
                        "%(committee)s: the seat of %(keep)s (%(keep_term)s) and the seat of "
                        "%(merge)s (%(merge_term)s) overlap"
                    )
                    % {
                        "committee": seat.committee,
                        "keep": keep,
                        "keep_term": _term(clash),
                        "merge": merge,
                        "merge_term": _term(seat),
                    }
                )
    if problems:
        raise ValidationError(
            _(
                "These two people cannot be merged: one person cannot hold two seats of one "
                "committee at the same time. Correct or end one of the seats first. %(problems)s."
            )
            % {"problems": "; ".join(problems)}
        )


def _merged_names(keep: Person, merge: Person) -> list:
    """The kept person's other names, then the merged person's name and other names not
    already known, each kept as written (with any details an import recorded)."""
    names = list(keep.other_names or [])
    known = {nfc(keep.full_name)} | {
        nfc(item.get("name", "")) if isinstance(item, dict) else nfc(str(item)) for item in names
    }
    incoming = [{"name": merge.full_name}, *(merge.other_names or [])]
    for item in incoming:
        item = item if isinstance(item, dict) else {"name": str(item)}
        name = nfc(item.get("name", ""))
        if name and name not in known:
            names.append({**item, "name": name})
            known.add(name)
    return names


def _history_reason(merge: Person, reason: str) -> str:
    text = _("Merge of %(person)s (#%(pk)s): %(reason)s") % {
        "person": merge.full_name,
        "pk": merge.pk,
        "reason": reason.strip(),
    }
    if len(text) > HISTORY_REASON_LENGTH:
        text = text[: HISTORY_REASON_LENGTH - 1] + "…"
    return text


@transaction.atomic
def person_merge(*, keep: Person, merge: Person, reason: str, by: AbstractBaseUser) -> MergeResult:
    """Merge `merge` into `keep`: seats, post holdings (and so their pending ex officio
    changes), identifiers and history rows move to the kept person; the merged person's other
    names join the kept person's; the merged person stays, marked `merged_into`, so its page
    and API address lead to the kept one. All or nothing; administrators only."""
    permissions.require_merge_right(by)
    if not (reason or "").strip():
        raise ValidationError(_("Say why: a reason is required to merge two people."))
    require_known_relations()
    if keep.pk == merge.pk:
        raise ValidationError(
            _("Choose two different people: a person cannot be merged into itself.")
        )
    locked = {
        person.pk: person
        for person in Person.objects.select_for_update()
        .filter(pk__in=[keep.pk, merge.pk])
        .order_by("pk")
    }
    if len(locked) != 2:
        raise ValidationError(_("One of these people no longer exists."))
    keep, merge = locked[keep.pk], locked[merge.pk]
    if merge.merged_into_id is not None:
        raise ValidationError(
            _("%(person)s has already been merged into another person.") % {"person": merge}
        )
    if keep.merged_into_id is not None:
        raise ValidationError(
            _("%(person)s has been merged into another person: keep that person instead.")
            % {"person": keep}
        )
    _refuse_overlaps(keep, merge)

    state = _Merge(keep=keep, merge=merge, by=by, reason=_history_reason(merge, reason))
    # History first, so the rows the moves write are the only ones naming the kept person anew.
    for key in sorted(HANDLERS, key=lambda k: not k[0].split(".")[1].startswith("Historical")):
        HANDLERS[key](state)
    _move_generic_rows(state)

    keep.other_names = _merged_names(keep, merge)
    keep.rank = keep.rank or merge.rank
    keep.gender = keep.gender or merge.gender
    save_validated(keep, by=by, reason=state.reason)
    merge.merged_into = keep
    save_validated(merge, by=by, reason=state.reason)
    return MergeResult(keep=keep, merged=merge, moved=dict(state.moved))
