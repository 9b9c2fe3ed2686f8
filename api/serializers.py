"""Read serializers of the API. Public fields for everyone; provenance and internal notes for readers.

"Readers" are the accounts committees.permissions.is_reader accepts (city staff, leaders,
secretariats, administrators), authenticated by token or session. Everyone else gets the
public fields: names, ranks, roles, posts, dates and decisions.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.popolo import partial_iso
from areas.models import Area
from committees.models import Agency, Committee, LegalInstrument
from committees.sources import source_label
from mandates.models import Mandate, Measurement, Target
from members.models import Membership, Person, Position
from members.selectors import post_left, today


@extend_schema_field(
    {
        "type": "string",
        "nullable": True,
        "description": 'A date to its precision: "2022", "2022-03" or "2022-03-14".',
    }
)
class PartialDateField(serializers.Field):
    """A date and its precision column shown as one partial ISO date; null when unknown."""

    def __init__(self, date_field: str, precision_field: str, **kwargs):
        self.date_field, self.precision_field = date_field, precision_field
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value):
        return partial_iso(getattr(value, self.date_field), getattr(value, self.precision_field))


class RegistrySerializer(serializers.ModelSerializer):
    """Drops the restricted fields unless the view says the client is a reader."""

    restricted_fields: tuple[str, ...] = ("source_date",)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not self.context.get("reader"):
            for name in self.restricted_fields:
                data.pop(name, None)
        if "source" in data:
            # The article's title or URL: never the internal file name of a seed article.
            data["source"] = source_label(data["source"])
        return data


def _slug(**kwargs):
    return serializers.SlugRelatedField(slug_field="slug", read_only=True, **kwargs)


class IdentifierSerializer(serializers.Serializer):
    scheme = serializers.CharField()
    identifier = serializers.CharField()


class IdentifiedMixin(serializers.Serializer):
    identifiers = serializers.SerializerMethodField()

    @extend_schema_field(IdentifierSerializer(many=True))
    def get_identifiers(self, obj):
        return getattr(obj, "external_identifiers", [])


class AgencySerializer(IdentifiedMixin, RegistrySerializer):
    parent = _slug()

    class Meta:
        model = Agency
        fields = [
            "slug",
            "name",
            "short_name",
            "kind",
            "level",
            "parent",
            "identifiers",
            "source",
            "source_date",
        ]


class AreaSerializer(RegistrySerializer):
    parent = _slug()
    valid_from = PartialDateField("valid_from", "valid_from_precision")
    valid_until = PartialDateField("valid_until", "valid_until_precision")

    class Meta:
        model = Area
        fields = [
            "slug",
            "name",
            "kind",
            "parent",
            "identifiers",
            "other_names",
            "valid_from",
            "valid_until",
            "source",
            "source_date",
        ]


class SuccessionLinkSerializer(serializers.Serializer):
    kind = serializers.CharField()
    committee = serializers.CharField()
    date = serializers.CharField(allow_null=True)


class CommitteeSerializer(IdentifiedMixin, RegistrySerializer):
    parent = _slug()
    standing_agency = _slug()
    jurisdiction_area = _slug()
    founded = PartialDateField("founded_on", "founded_precision")
    dissolved = PartialDateField("dissolved_on", "dissolved_precision")
    actual_member_count = serializers.IntegerField(
        read_only=True, help_text="Seats known today: named, named by title only, and vacant."
    )
    named_member_count = serializers.IntegerField(read_only=True)
    title_only_seat_count = serializers.IntegerField(read_only=True)
    vacant_seat_count = serializers.IntegerField(read_only=True)
    predecessors = serializers.SerializerMethodField()
    successors = serializers.SerializerMethodField()

    class Meta:
        model = Committee
        fields = [
            "slug",
            "name",
            "short_name",
            "kind",
            "level",
            "parent",
            "standing_agency",
            "jurisdiction_area",
            "classification",
            "org_type",
            "other_names",
            "established_by",
            "founded",
            "dissolved",
            "declared_member_count",
            "declared_by",
            "declared_count_source",
            "actual_member_count",
            "named_member_count",
            "title_only_seat_count",
            "vacant_seat_count",
            "description",
            "predecessors",
            "successors",
            "identifiers",
            "source",
            "source_date",
        ]

    @extend_schema_field(SuccessionLinkSerializer(many=True))
    def get_predecessors(self, obj):
        return [
            {
                "kind": step.kind,
                "committee": step.predecessor.slug,
                "date": partial_iso(step.date, step.date_precision),
            }
            for step in obj.successions_in.all()
        ]

    @extend_schema_field(SuccessionLinkSerializer(many=True))
    def get_successors(self, obj):
        return [
            {
                "kind": step.kind,
                "committee": step.successor.slug,
                "date": partial_iso(step.date, step.date_precision),
            }
            for step in obj.successions_out.all()
        ]


class PersonSerializer(IdentifiedMixin, RegistrySerializer):
    # Names, ranks, life dates, pictures and links are public; gender and contact details
    # are not among the public fields (issue 6; api.popolo.READER_ONLY_FIELDS says the same).
    restricted_fields = ("source_date", "gender", "contact_details")
    birth_date = PartialDateField("birth_date", "birth_precision")
    death_date = PartialDateField("death_date", "death_precision")

    class Meta:
        model = Person
        fields = [
            "slug",
            "full_name",
            "rank",
            "gender",
            "birth_date",
            "death_date",
            "image",
            "images",
            "links",
            "contact_details",
            "other_names",
            "identifiers",
            "source",
            "sources",
            "source_date",
        ]


class PositionSerializer(serializers.ModelSerializer):
    agency = _slug()

    class Meta:
        model = Position
        fields = ["id", "title", "agency", "single_holder"]


class MembershipSerializer(RegistrySerializer):
    restricted_fields = ("source_date", "end_note", "version")
    person = _slug()
    person_name = serializers.CharField(source="person.full_name", read_only=True, default=None)
    person_rank = serializers.CharField(source="person.rank", read_only=True, default=None)
    seat_status = serializers.SerializerMethodField(
        help_text='"named"; "title_only" (the decision names the seat by its title, the person '
        'is not known yet); or "vacant" (the holder left and nobody replaces them yet).'
    )
    committee = _slug()
    role_label = serializers.CharField(source="get_role_display", read_only=True)
    post_left = serializers.SerializerMethodField(
        help_text="Held ex officio through a post the holder has left (see post_left_on)."
    )
    post_left_on = serializers.DateField(read_only=True, default=None)
    post_title = serializers.CharField(source="position.title", read_only=True, default=None)
    home_agency = _slug()
    on_behalf_of = _slug()
    area = _slug()
    start = PartialDateField("start_date", "start_precision")
    end = PartialDateField("end_date", "end_precision")

    class Meta:
        model = Membership
        fields = [
            "id",
            "person",
            "person_name",
            "person_rank",
            "seat_status",
            "committee",
            "role",
            "role_label",
            "role_title",
            "position",
            "post_title",
            "title_at_appointment",
            "home_agency",
            "on_behalf_of",
            "area",
            "appointed_by",
            "start",
            "end",
            "end_reason",
            "ended_by",
            "post_left",
            "post_left_on",
            "source",
            "source_date",
            "end_note",
            "version",
        ]

    @extend_schema_field(serializers.ChoiceField(choices=["named", "title_only", "vacant"]))
    def get_seat_status(self, obj) -> str:
        if obj.person_id is not None:
            return "named"
        return "vacant" if obj.follows_id is not None else "title_only"

    def get_post_left(self, obj) -> bool:
        return post_left(obj)


class MembershipHistorySerializer(serializers.Serializer):
    history_date = serializers.DateTimeField()
    history_type = serializers.CharField()
    history_change_reason = serializers.CharField(allow_null=True)
    history_user = serializers.CharField(source="history_user.username", default=None)
    role = serializers.CharField()
    start = PartialDateField("start_date", "start_precision")
    end = PartialDateField("end_date", "end_precision")
    end_reason = serializers.CharField()
    version = serializers.IntegerField()


class DecisionSerializer(RegistrySerializer):
    issuer = _slug()
    signed = PartialDateField("signed_on", "signed_precision")
    effective = PartialDateField("effective_on", "effective_precision")

    class Meta:
        model = LegalInstrument
        fields = [
            "id",
            "kind",
            "number",
            "title",
            "issuer",
            "signed",
            "effective",
            "url",
            "summary",
            "source",
            "source_date",
        ]


class MandateSerializer(RegistrySerializer):
    committee = _slug()

    class Meta:
        model = Mandate
        fields = [
            "id",
            "committee",
            "order",
            "category",
            "text",
            "legal_basis",
            "source",
            "source_date",
        ]


class MeasurementSerializer(RegistrySerializer):
    restricted_fields = ("source_date", "note")

    class Meta:
        model = Measurement
        fields = ["date", "value", "source", "source_date", "note"]


class TargetSerializer(RegistrySerializer):
    committee = _slug()
    responsible_agency = _slug()
    deadline = PartialDateField("deadline", "deadline_precision")
    # A nested field, built once for a whole list (not once per target).
    measurements = MeasurementSerializer(many=True, read_only=True)
    status = serializers.SerializerMethodField()

    class Meta:
        model = Target
        fields = [
            "id",
            "committee",
            "mandate",
            "indicator",
            "unit",
            "direction",
            "baseline",
            "baseline_date",
            "target_value",
            "deadline",
            "responsible_agency",
            "source_instrument",
            "status",
            "measurements",
            "source",
            "source_date",
        ]

    @extend_schema_field(OpenApiTypes.STR)
    def get_status(self, obj) -> str:
        measurements = list(obj.measurements.all())  # newest first (Measurement.Meta.ordering)
        return obj.status_on(today(), measurements[0] if measurements else None)
