"""The API of meetings and tasks (/api/meetings/, /api/tasks/), with the registry's field policy:
public fields for everyone; provenance, absence reasons, online links and progress notes for
readers (committees.permissions.is_reader)."""

import datetime as dt

import django_filters
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from api.serializers import PartialDateField, RegistrySerializer
from api.views import RegistryViewSet
from members.models import Person
from members.selectors import today
from work.models import Invitee, Meeting, Task, TaskUpdate, status_q


def _slug(**kwargs):
    return serializers.SlugRelatedField(slug_field="slug", read_only=True, **kwargs)


class InviteeSerializer(RegistrySerializer):
    restricted_fields = ("absence_reason",)
    person = _slug()

    class Meta:
        model = Invitee
        fields = [
            "person",
            "name",
            "role",
            "post",
            "guest",
            "attendance",
            "substitute_name",
            "substitute_post",
            "absence_reason",
        ]


class MeetingSerializer(RegistrySerializer):
    restricted_fields = ("source_date", "online_link")
    committee = _slug()
    agenda = serializers.SerializerMethodField()
    # Nested fields are built once for a whole list (a serializer made per row rebuilds its fields).
    invitees = InviteeSerializer(many=True, read_only=True)
    concluding_notice = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "committee",
            "kind",
            "title",
            "date",
            "time",
            "place",
            "online",
            "online_link",
            "chair_name",
            "invitations_frozen_on",
            "agenda",
            "invitees",
            "concluding_notice",
            "conclusions",
            "source",
            "source_date",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_agenda(self, obj):
        return [item.title for item in obj.agenda_items.all()]


class TaskUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = TaskUpdate
        fields = ["date", "text", "evidence_link"]


class TaskSerializer(RegistrySerializer):
    restricted_fields = ("source_date", "updates")
    committee = _slug()
    lead_agency = _slug()
    assigned_by = _slug()
    coordinating_agencies = _slug(many=True)
    deadline = PartialDateField("deadline", "deadline_precision")
    status = serializers.SerializerMethodField()
    updates = TaskUpdateSerializer(many=True, read_only=True)

    class Meta:
        model = Task
        fields = [
            "id",
            "committee",
            "number",
            "text",
            "source_kind",
            "source_instrument",
            "source_meeting",
            "assigned_by",
            "assigned_on",
            "lead_agency",
            "lead_as_written",
            "coordinating_agencies",
            "deadline",
            "deadline_as_written",
            "state",
            "status",
            "completed_on",
            "cancelled_on",
            "cancel_reason",
            "target",
            "updates",
            "source",
            "source_date",
        ]

    @extend_schema_field(
        {
            "type": "string",
            "enum": [value for value, _label in Task.Status.choices],
            "description": "The status on `overdue_on` when given, today otherwise.",
        }
    )
    def get_status(self, obj) -> str:
        return obj.status_on(self.context.get("day") or today())


class MeetingFilter(django_filters.FilterSet):
    committee = django_filters.CharFilter(field_name="committee__slug", label=_("committee"))
    kind = django_filters.ChoiceFilter(choices=Meeting.Kind.choices)
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte", label=_("from"))
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte", label=_("to"))

    class Meta:
        model = Meeting
        fields = ["committee", "kind", "date_from", "date_to"]


class TaskFilter(django_filters.FilterSet):
    committee = django_filters.CharFilter(field_name="committee__slug", label=_("committee"))
    lead_agency = django_filters.CharFilter(field_name="lead_agency__slug", label=_("lead agency"))
    status = django_filters.ChoiceFilter(
        choices=Task.Status.choices,
        method="with_status",
        label=_("status (on overdue_on when given, today otherwise)"),
    )
    overdue_on = django_filters.DateFilter(
        method="overdue", label=_("overdue on this day (YYYY-MM-DD)")
    )

    class Meta:
        model = Task
        fields = ["committee", "lead_agency", "status", "overdue_on"]

    def _day(self) -> dt.date:
        data = getattr(self.form, "cleaned_data", {}) or {}
        return data.get("overdue_on") or today()

    def with_status(self, queryset, name, value):
        return queryset.filter(status_q(value, self._day()))

    def overdue(self, queryset, name, value):
        if self.form.cleaned_data.get("status"):
            return queryset  # the status filter asks about that day already
        return queryset.filter(status_q(Task.Status.OVERDUE, value))


class MeetingViewSet(RegistryViewSet):
    """Meetings of committees: kind, date and time, place, agenda, the invitation list taken
    from the roster on the day, with each invitee's attendance."""

    queryset = Meeting.objects.all()
    serializer_class = MeetingSerializer
    filterset_class = MeetingFilter

    def get_queryset(self):
        return (
            Meeting.objects.select_related("committee")
            .prefetch_related(
                "agenda_items",
                Prefetch("invitees", queryset=Invitee.objects.order_by("guest", "order", "pk")),
                # The invitees' slugs by their keys: a join would hash every person of the registry.
                Prefetch("invitees__person", queryset=Person.objects.only("id", "slug")),
            )
            .order_by("-date", "-pk")
        )


class TaskViewSet(RegistryViewSet):
    """Assigned tasks: lead and coordinating agencies, deadline to its precision, and the status
    on a day. `overdue_on=YYYY-MM-DD` lists the tasks overdue on that day."""

    queryset = Task.objects.all()
    serializer_class = TaskSerializer
    filterset_class = TaskFilter

    def get_queryset(self):
        return (
            Task.objects.select_related("committee", "lead_agency", "assigned_by")
            .prefetch_related("coordinating_agencies", "updates")
            .order_by("deadline_last_day", "pk")
        )

    def get_serializer_context(self):
        context = super().get_serializer_context()
        request = getattr(self, "request", None)
        raw = request.query_params.get("overdue_on") if request is not None else None
        if raw:
            try:
                context["day"] = dt.date.fromisoformat(raw)
            except ValueError as exc:
                raise ValidationError({"overdue_on": [_("Write the day as YYYY-MM-DD.")]}) from exc
        return context
