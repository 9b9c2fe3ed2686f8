"""What the open data holds: each dataset's rows (the API's public fields, through the API's own
serializers for anonymous clients) and its columns, which the data dictionary page explains."""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import groupby, islice

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from api import serializers
from api.popolo import identifiers_sql
from api.views import member_count_annotations
from committees.models import Committee, LegalInstrument, Succession
from mandates.models import Measurement, Target
from members.models import Membership, Person
from members.selectors import with_post_left

CHUNK = 2000


@dataclass(frozen=True)
class Column:
    name: str
    description: Promise


def public_fields(serializer: type) -> list[str]:
    """The fields the API shows anonymous clients, in the API's order."""
    restricted = set(getattr(serializer, "restricted_fields", ()))
    return [name for name in serializer.Meta.fields if name not in restricted]


@dataclass(frozen=True)
class Dataset:
    """A file of the open data. Its columns are the API serializer's public fields, so the
    files and the dictionary follow the API; `descriptions` says what each one means."""

    name: str
    title: Promise
    description: Promise
    descriptions: dict[str, Promise]
    model: type
    serializer: type
    with_identifiers: bool = False
    with_member_counts: bool = False

    @property
    def columns(self) -> tuple[Column, ...]:
        return tuple(
            Column(name, self.descriptions.get(name, _("(not described yet)")))
            for name in public_fields(self.serializer)
        )

    def queryset(self) -> QuerySet:
        return QUERYSETS[self.name]()

    def records(self) -> Iterator[dict]:
        """Every row as the API shows it to anonymous clients, a chunk at a time. What the
        rows need besides is read in their own query (identifiers, seat counts) or once for
        the whole dataset (lineage, measurements): as many queries at any size."""
        queryset = self.queryset()
        if self.with_identifiers:
            content_type = ContentType.objects.get_for_model(self.model).pk
            queryset = queryset.annotate(
                identifier_rows=identifiers_sql(
                    self.model, content_type, order="scheme, identifier"
                )
            )
        if self.with_member_counts:
            queryset = queryset.annotate(**member_count_annotations())
        rows = queryset.iterator(chunk_size=CHUNK)
        if self.name in RELATED:
            rows = RELATED[self.name](rows)
        while chunk := list(islice(rows, CHUNK)):
            for row in chunk if self.with_identifiers else ():
                row.external_identifiers = [
                    {"scheme": scheme, "identifier": identifier}
                    for identifier, scheme in row.identifier_rows or []
                ]
            yield from self.serializer(chunk, many=True, context={"reader": False}).data

    def csv_row(self, record: dict) -> list[str]:
        return [flat(record.get(column.name)) for column in self.columns]


def flat(value) -> str:
    """One CSV cell: lists joined by "; ", identifiers as scheme:identifier, lineage as
    kind:committee:date, missing values empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "; ".join(flat(item) for item in value)
    if isinstance(value, dict):
        return ":".join(flat(item) for item in value.values())
    return str(value)


def _prefetched(obj, name: str, rows: list) -> None:
    """Give `obj`'s related manager `name` these rows, as prefetch_related would."""
    queryset = getattr(obj, name).all()
    queryset._result_cache = rows
    queryset._prefetch_done = True
    obj._prefetched_objects_cache = {
        **getattr(obj, "_prefetched_objects_cache", {}),
        name: queryset,
    }


def _committees() -> QuerySet:
    return Committee.objects.select_related("parent", "standing_agency").order_by(
        "level", "name", "pk"
    )


def _with_lineage(committees: Iterator[Committee]) -> Iterator[Committee]:
    """Each committee with its lineage steps (few: read at once, not once per chunk)."""
    steps_in, steps_out = defaultdict(list), defaultdict(list)
    for step in Succession.objects.select_related("predecessor", "successor"):
        steps_in[step.successor_id].append(step)
        steps_out[step.predecessor_id].append(step)
    for committee in committees:
        _prefetched(committee, "successions_in", steps_in.get(committee.pk, []))
        _prefetched(committee, "successions_out", steps_out.get(committee.pk, []))
        yield committee


def _seats() -> QuerySet:
    # As the API lists them: with whether an ex officio holder has left the post.
    return with_post_left(
        Membership.objects.select_related(
            "person", "committee", "position", "home_agency", "on_behalf_of", "area"
        ).order_by("committee_id", "role_rank", "pk")
    )


def _people() -> QuerySet:
    return Person.objects.order_by("full_name", "pk")


def _decisions() -> QuerySet:
    return LegalInstrument.objects.select_related("issuer").order_by("-signed_on", "number", "pk")


TARGET_ORDER = ("committee__name", "deadline", "pk")


def _targets() -> QuerySet:
    return Target.objects.select_related("committee", "responsible_agency").order_by(*TARGET_ORDER)


def _with_measurements(targets: Iterator[Target]) -> Iterator[Target]:
    """Each target with its measurements, newest first: the measurements are read through
    their own cursor in the targets' order, so the two are walked side by side."""
    measurements = Measurement.objects.order_by(
        *(f"target__{key}" for key in TARGET_ORDER), "-date", "-pk"
    ).iterator(chunk_size=CHUNK)
    groups = groupby(measurements, key=lambda m: m.target_id)
    pending = next(groups, None)
    for target in targets:
        found = []
        if pending is not None and pending[0] == target.pk:
            found = list(pending[1])
            pending = next(groups, None)
        _prefetched(target, "measurements", found)
        yield target


# What a dataset's rows need from other tables, attached as they are read.
RELATED = {"committees": _with_lineage, "targets": _with_measurements}

QUERYSETS = {
    "committees": _committees,
    "seats": _seats,
    "people": _people,
    "decisions": _decisions,
    "targets": _targets,
}

SOURCE = Column("source", _("The source: the article's title or the document's URL."))


def _described(*columns: Column) -> dict[str, Promise]:
    return {column.name: column.description for column in columns}


DATE = _('A date to its precision: "2022", "2022-03" or "2022-03-14"; empty when unknown.')

DATASETS: tuple[Dataset, ...] = (
    Dataset(
        name="committees",
        title=_("Committees"),
        description=_("Steering committees, national committees, support groups and councils."),
        model=Committee,
        serializer=serializers.CommitteeSerializer,
        with_identifiers=True,
        with_member_counts=True,
        descriptions=_described(
            Column("slug", _("The committee's identifier in the registry (used in its address).")),
            Column("name", _("Full name.")),
            Column("short_name", _("Short name, when there is one.")),
            Column("kind", _("steering, national, support_group, council or other.")),
            Column("level", _("national, city or ward.")),
            Column("jurisdiction_area", _("The area the body serves (area identifier).")),
            Column("classification", _("Its classification, as an exchanged file gave it.")),
            Column("org_type", _("Its type, as an exchanged file gave it.")),
            Column("other_names", _("Its other names, earlier names with their dates.")),
            Column("parent", _("For a support group: the committee it assists (identifier).")),
            Column("standing_agency", _("The agency that runs the committee day to day.")),
            Column("established_by", _("The decision that established it (decision id).")),
            Column("founded", DATE),
            Column("dissolved", DATE),
            Column("declared_member_count", _("Members the founding decision declares.")),
            Column("declared_by", _("The decision that declares that count (decision id).")),
            Column("declared_count_source", _("Where the declared count is stated.")),
            Column("actual_member_count", _("Seats recorded as held on the day of the file.")),
            Column("named_member_count", _("Of those, seats whose holder is named.")),
            Column(
                "title_only_seat_count",
                _("Of those, seats the decision names by their title only (person not known)."),
            ),
            Column("vacant_seat_count", _("Of those, seats left vacant since their holder left.")),
            Column("description", _("What the body is.")),
            Column("predecessors", _("Bodies it came from: kind:committee:date, separated by ;")),
            Column("successors", _("Bodies it became: kind:committee:date, separated by ;")),
            Column("identifiers", _("Identifiers in other systems: scheme:identifier.")),
            SOURCE,
        ),
    ),
    Dataset(
        name="seats",
        title=_("Seats"),
        description=_(
            "Who sits on which committee, in which role, since when and on whose decision."
        ),
        model=Membership,
        serializer=serializers.MembershipSerializer,
        descriptions=_described(
            Column("id", _("The seat's number in the registry.")),
            Column("person", _("The person (identifier).")),
            Column("person_name", _("The person's full name.")),
            Column("person_rank", _("A rank shown before the name (e.g. Đại tá).")),
            Column(
                "seat_status",
                _(
                    "named; title_only (the decision names the seat by its title, the person is "
                    "not known yet); or vacant (the holder left and nobody replaces them yet)."
                ),
            ),
            Column("committee", _("The committee (identifier).")),
            Column("role", _("head, standing_deputy_head, deputy_head, member, …")),
            Column("role_label", _("The role, in words.")),
            Column("role_title", _("The role as the decision prints it, when it differs.")),
            Column("position", _("The post that gives the seat ex officio (post id).")),
            Column("post_title", _("That post's title.")),
            Column("title_at_appointment", _("The member's title when appointed.")),
            Column("home_agency", _("The agency the member comes from (identifier).")),
            Column("on_behalf_of", _("The agency the member represents (identifier).")),
            Column("area", _("The area the seat stands for, e.g. a constituency (identifier).")),
            Column("appointed_by", _("The appointing decision (decision id).")),
            Column("start", DATE),
            Column("end", DATE),
            Column("end_reason", _("Why the seat ended, when it has.")),
            Column("ended_by", _("The decision that ended it (decision id).")),
            Column(
                "post_left",
                _("true when the seat is held through a post its holder has left."),
            ),
            Column("post_left_on", _("The day the holder left that post (YYYY-MM-DD).")),
            SOURCE,
        ),
    ),
    Dataset(
        name="people",
        title=_("People"),
        description=_("Members of the committees: names, ranks and other names (public fields)."),
        model=Person,
        serializer=serializers.PersonSerializer,
        with_identifiers=True,
        descriptions=_described(
            Column("slug", _("The person's identifier in the registry.")),
            Column("full_name", _("Full name, with diacritics.")),
            Column("rank", _("A rank shown before the name.")),
            Column("birth_date", DATE),
            Column("death_date", DATE),
            Column("image", _("The address of a picture of the person.")),
            Column("images", _("Other pictures: their addresses, separated by ;")),
            Column("links", _("Links about the person, separated by ;")),
            Column("other_names", _("Other names the person is known by.")),
            Column("identifiers", _("Identifiers in other systems: scheme:identifier.")),
            SOURCE,
            Column("sources", _("Every source, separated by ;")),
        ),
    ),
    Dataset(
        name="decisions",
        title=_("Decisions"),
        description=_("Decisions, resolutions, laws, schemes and plans the records rest on."),
        model=LegalInstrument,
        serializer=serializers.DecisionSerializer,
        descriptions=_described(
            Column("id", _("The decision's number in the registry (decision id).")),
            Column("kind", _("decision, resolution, law, scheme, plan, …")),
            Column("number", _("Its official number, e.g. 944/QĐ-UBND.")),
            Column("title", _("Its full title.")),
            Column("issuer", _("Who issued it (agency identifier).")),
            Column("signed", DATE),
            Column("effective", DATE),
            Column("url", _("Where the text is published.")),
            Column("summary", _("A short summary.")),
            SOURCE,
        ),
    ),
    Dataset(
        name="targets",
        title=_("Targets"),
        description=_("Targets with their baseline, target value, deadline and status today."),
        model=Target,
        serializer=serializers.TargetSerializer,
        descriptions=_described(
            Column("id", _("The target's number in the registry.")),
            Column("committee", _("The committee (identifier); empty for a city-wide target.")),
            Column("mandate", _("The mandate it serves (mandate id).")),
            Column("indicator", _("What is measured.")),
            Column("unit", _("The unit, e.g. %.")),
            Column("direction", _("at_least (reach at least) or at_most (stay at most).")),
            Column("baseline", _("The value at the start.")),
            Column("baseline_date", _("The date of the baseline (YYYY-MM-DD).")),
            Column("target_value", _("The value to reach.")),
            Column("deadline", DATE),
            Column("responsible_agency", _("The agency in charge (identifier).")),
            Column("source_instrument", _("The decision that sets it (decision id).")),
            Column("status", _("Today: achieved, on_track, at_risk, overdue or no_data.")),
            Column(
                "measurements", _("Measurements, newest first: date:value:source, separated by ;")
            ),
            SOURCE,
        ),
    ),
)

# The committee packages (one file per committee, issue "committee package") will be listed
# here as their own downloads once that export exists; the index page keeps a place for them.
COMMITTEE_PACKAGES = None


def dataset_get(name: str) -> Dataset | None:
    return next((dataset for dataset in DATASETS if dataset.name == name), None)
