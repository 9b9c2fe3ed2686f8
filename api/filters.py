"""Query filters of the API's list endpoints."""

import django_filters
from django.utils.translation import gettext_lazy as _

from areas.models import Area
from committees import permissions
from committees.models import Agency, Committee, LegalInstrument, Level
from committees.search import matching
from mandates.models import Mandate, Target
from members.models import Membership, Person, Position, Role
from members.selectors import memberships_active_on


class CommitteeFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Committee.Kind.choices)
    level = django_filters.ChoiceFilter(choices=Level.choices)
    parent = django_filters.CharFilter(field_name="parent__slug", label=_("parent committee"))
    active = django_filters.BooleanFilter(
        field_name="dissolved_on", lookup_expr="isnull", label=_("active (not dissolved)")
    )
    q = django_filters.CharFilter(method="search", label=_("search"))

    class Meta:
        model = Committee
        fields = ["kind", "level", "parent", "active", "q"]

    def search(self, queryset, name, value):
        return matching(queryset, value)


class PersonFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("search"))
    committee = django_filters.CharFilter(method="on_committee", label=_("committee"))
    gender = django_filters.ChoiceFilter(
        choices=Person.Gender.choices, label=_("gender (readers only)")
    )

    class Meta:
        model = Person
        fields = ["q", "committee", "gender"]

    def is_valid(self) -> bool:
        # Gender is not public: filtering on it would reveal it, so anonymous clients may not.
        valid = super().is_valid()
        if (
            valid
            and self.form.cleaned_data.get("gender")
            and not permissions.is_reader(getattr(self.request, "user", None))
        ):
            self.form.add_error(
                "gender", _("Filtering by gender needs the token of a registry reader.")
            )
            return False
        return valid

    def search(self, queryset, name, value):
        return matching(queryset, value)

    def on_committee(self, queryset, name, value):
        seated = Membership.objects.filter(committee__slug=value).values("person_id")
        return queryset.filter(pk__in=seated)


class MembershipFilter(django_filters.FilterSet):
    committee = django_filters.CharFilter(field_name="committee__slug", label=_("committee"))
    person = django_filters.CharFilter(field_name="person__slug", label=_("person"))
    role = django_filters.ChoiceFilter(choices=Role.choices)
    active_on = django_filters.DateFilter(
        method="on_day", label=_("on the roster on this day (YYYY-MM-DD)")
    )
    active = django_filters.BooleanFilter(
        field_name="end_date", lookup_expr="isnull", label=_("not ended")
    )
    seat_status = django_filters.ChoiceFilter(
        method="by_status",
        choices=[
            ("named", _("named")),
            ("title_only", _("named by title only")),
            ("vacant", _("vacant")),
        ],
        label=_("seat status"),
    )

    class Meta:
        model = Membership
        fields = ["committee", "person", "role", "active_on", "active", "seat_status"]

    def by_status(self, queryset, name, value):
        if value == "named":
            return queryset.filter(person__isnull=False)
        return queryset.filter(person__isnull=True, follows__isnull=(value == "title_only"))

    def on_day(self, queryset, name, value):
        return queryset.filter(memberships_active_on(value))


class AgencyFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Agency.Kind.choices)
    level = django_filters.ChoiceFilter(choices=Level.choices)
    q = django_filters.CharFilter(method="search", label=_("search"))

    class Meta:
        model = Agency
        fields = ["kind", "level", "q"]

    def search(self, queryset, name, value):
        return matching(queryset, value)


class AreaFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Area.Kind.choices)
    parent = django_filters.CharFilter(field_name="parent__slug", label=_("parent area"))
    q = django_filters.CharFilter(method="search", label=_("search"))

    class Meta:
        model = Area
        fields = ["kind", "parent", "q"]

    def search(self, queryset, name, value):
        return matching(queryset, value)


class DecisionFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=LegalInstrument.Kind.choices)
    issuer = django_filters.CharFilter(field_name="issuer__slug", label=_("issuer"))
    q = django_filters.CharFilter(method="search", label=_("search"))

    class Meta:
        model = LegalInstrument
        fields = ["kind", "issuer", "q"]

    def search(self, queryset, name, value):
        return matching(queryset, value)


class PositionFilter(django_filters.FilterSet):
    agency = django_filters.CharFilter(field_name="agency__slug", label=_("agency"))

    class Meta:
        model = Position
        fields = ["agency"]


class MandateFilter(django_filters.FilterSet):
    committee = django_filters.CharFilter(field_name="committee__slug", label=_("committee"))
    category = django_filters.ChoiceFilter(choices=Mandate.Category.choices)

    class Meta:
        model = Mandate
        fields = ["committee", "category"]


class TargetFilter(django_filters.FilterSet):
    committee = django_filters.CharFilter(field_name="committee__slug", label=_("committee"))
    city_wide = django_filters.BooleanFilter(
        field_name="committee", lookup_expr="isnull", label=_("city-wide (no committee)")
    )

    class Meta:
        model = Target
        fields = ["committee", "city_wide"]
