"""The person merge in the admin: the "Merge into…" action, its confirmation page, and the
list of possible duplicates (people whose folded names agree). Administrators only."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connection, transaction
from django.db.models import Case, When
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from committees import permissions
from members.models import Membership, Person, PositionHolding
from members.person_merge import person_merge

MAX_PEOPLE = 10  # on one confirmation page
GROUPS_PER_PAGE = 50


class MergedFilter(admin.SimpleListFilter):
    """People merged into another are left out of the list unless asked for."""

    parameter_name = "merged"
    title = _("merged")

    def lookups(self, request, model_admin):
        return [("yes", _("merged into another person"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(merged_into__isnull=False)
        return queryset.filter(merged_into__isnull=True)


class MergeForm(forms.Form):
    keep = forms.ModelChoiceField(
        label=_("Person to keep"), queryset=Person.objects.none(), widget=forms.RadioSelect
    )
    merge = forms.ModelMultipleChoiceField(
        label=_("Merge into the kept person"),
        queryset=Person.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    reason = forms.CharField(
        label=_("Reason for the merge"),
        max_length=80,
        help_text=_("Kept in the history with your name and the date."),
        widget=forms.TextInput(attrs={"size": 80}),
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        # The choices in the order of the cards above them.
        order = Case(*(When(pk=p.pk, then=index) for index, p in enumerate(people)))
        queryset = Person.objects.filter(pk__in=[p.pk for p in people]).order_by(order)
        self.fields["keep"].queryset = queryset
        self.fields["merge"].queryset = queryset
        labels = {p.pk: f"{p} (#{p.pk})" for p in people}
        self.fields["keep"].label_from_instance = lambda p: labels[p.pk]
        self.fields["merge"].label_from_instance = lambda p: labels[p.pk]

    def clean(self):
        cleaned = super().clean()
        keep, merge = cleaned.get("keep"), cleaned.get("merge")
        if keep is not None and merge is not None and keep in merge:
            raise ValidationError(
                _("The person to keep cannot also be merged: untick it in the list to merge.")
            )
        return cleaned


@dataclass
class PersonCard:
    """One person on the confirmation or duplicates page, with everything said about them."""

    person: Person
    seats: list
    holdings: list
    identifiers: list


def person_cards(people: list[Person]) -> list[PersonCard]:
    """Seats, post holdings and identifiers of these people: three queries whatever their number."""
    from api.models import ExternalIdentifier  # the api app keeps the Popolo identifiers

    ids = [p.pk for p in people]
    seats, holdings, identifiers = defaultdict(list), defaultdict(list), defaultdict(list)
    for seat in (
        Membership.objects.filter(person_id__in=ids)
        .select_related("committee", "position")
        .order_by("committee__name", "start_date", "pk")
    ):
        seats[seat.person_id].append(seat)
    for holding in (
        PositionHolding.objects.filter(person_id__in=ids)
        .select_related("position__agency")
        .order_by("start_date", "pk")
    ):
        holdings[holding.person_id].append(holding)
    for row in ExternalIdentifier.objects.filter(
        content_type=ContentType.objects.get_for_model(Person), object_id__in=ids
    ).order_by("scheme", "identifier"):
        identifiers[row.object_id].append(row)
    return [PersonCard(p, seats[p.pk], holdings[p.pk], identifiers[p.pk]) for p in people]


# Each name more than one person bears, with those people ("3,17"). On PostgreSQL the names
# are grouped byte-wise (COLLATE "C": folded names need no linguistic order, and it is several
# times faster at city scale).
_BY_NAME_PG = """
    SELECT k.name COLLATE "C" AS name_key, string_agg(p.id::text, ',' ORDER BY p.id) AS ids
    FROM members_person p CROSS JOIN LATERAL jsonb_array_elements_text(p.name_keys) AS k(name)
    WHERE p.merged_into_id IS NULL
    GROUP BY 1 HAVING COUNT(*) > 1"""
_BY_NAME_SQLITE = """
    SELECT name_key, group_concat(id) AS ids FROM (
        SELECT k.value AS name_key, p.id AS id
        FROM members_person p, json_each(p.name_keys) k
        WHERE p.merged_into_id IS NULL ORDER BY k.value, p.id
    ) GROUP BY name_key HAVING COUNT(*) > 1"""  # group_concat keeps the order it reads
# Two people who share two names are one group, under the first of those names.
_GROUPS = "SELECT MIN(name_key) AS name_key, ids FROM ({}) g GROUP BY ids"


class DuplicateGroups:
    """People (not merged) sharing a folded name — the full name or one of their other names
    (Person.name_keys, each once per person) —, each group of people once, by name. The
    database groups and pages them: a page costs the count and the page's groups, and nothing
    held in memory grows with the people. A sequence for the Paginator: count() and slices."""

    def _fetch(self, sql: str, params=()) -> list[tuple]:
        groups = _GROUPS.format(
            _BY_NAME_PG if connection.vendor == "postgresql" else _BY_NAME_SQLITE
        )
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # The planner cannot know a person has one or two names (it guesses a hundred),
                # so it would compile the query (JIT) for a second before a 0.1 s grouping.
                cursor.execute("SET LOCAL jit = off")
            cursor.execute(sql.format(groups=groups), params)
            return cursor.fetchall()

    def count(self) -> int:
        return self._fetch("SELECT COUNT(*) FROM ({groups}) d")[0][0]

    def __getitem__(self, window: slice) -> list[tuple[str, list[int]]]:
        start, stop = window.start or 0, window.stop
        rows = self._fetch(
            "SELECT name_key, ids FROM ({groups}) d ORDER BY name_key, ids LIMIT %s OFFSET %s",
            [stop - start, start],
        )
        return [(key, [int(pk) for pk in ids.split(",")]) for key, ids in rows]


class PersonMergeAdminMixin:
    """Hooked into PersonAdmin: the merge action and pages, and merged people kept out of the
    list and of the person pickers (autocomplete)."""

    actions = ["merge_into"]

    def has_merge_permission(self, request) -> bool:
        return permissions.can_merge_people(request.user)

    @admin.action(description=_("Merge into…"), permissions=["merge"])
    def merge_into(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True).order_by("pk")[: MAX_PEOPLE + 1])
        if not 2 <= len(ids) <= MAX_PEOPLE:
            self.message_user(
                request,
                gettext("Select between 2 and %(count)s people to merge.") % {"count": MAX_PEOPLE},
                messages.WARNING,
            )
            return None
        return HttpResponseRedirect(_merge_url(ids))

    def get_list_filter(self, request):
        return (MergedFilter, *super().get_list_filter(request))

    def get_search_results(self, request, queryset, search_term):
        # Before the search, so its fallback to near spellings asks about the people listed.
        if request.GET.get(MergedFilter.parameter_name) != "yes":
            queryset = queryset.filter(merged_into__isnull=True)  # the person pickers too
        return super().get_search_results(request, queryset, search_term)

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        if obj is not None and obj.merged_into_id is not None:
            return (*fields, "merged_into")
        return fields

    def get_fields(self, request, obj=None):
        fields = tuple(super().get_fields(request, obj))
        if obj is not None and obj.merged_into_id is not None:
            return ("merged_into", *fields)
        return fields

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_merge_people": self.has_merge_permission(request),
        }
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("merge/", wrap(self.merge_view), name="members_person_merge"),
            path("duplicates/", wrap(self.duplicates_view), name="members_person_duplicates"),
            *super().get_urls(),
        ]

    def _context(self, request, title):
        return {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
        }

    def merge_view(self, request):
        permissions.require_merge_right(request.user)
        source = request.POST if request.method == "POST" else request.GET
        ids = [int(i) for i in source.get("ids", "").split(",") if i.strip().isdigit()]
        people = list(Person.objects.filter(pk__in=ids[:MAX_PEOPLE], merged_into__isnull=True))
        if len(people) < 2:
            self.message_user(
                request,
                gettext("Choose at least two people who have not been merged already."),
                messages.WARNING,
            )
            return HttpResponseRedirect(reverse("admin:members_person_changelist"))
        # The person with the most seats is kept unless the administrator says otherwise.
        cards = person_cards(people)
        cards.sort(key=lambda c: (-len(c.seats) - len(c.holdings), c.person.pk))
        people = [c.person for c in cards]
        if request.method == "POST":
            form = MergeForm(request.POST, people=people)
            if form.is_valid():
                keep = form.cleaned_data["keep"]
                merged = sorted(form.cleaned_data["merge"], key=lambda p: p.pk)
                try:
                    with transaction.atomic():
                        for person in merged:
                            person_merge(
                                keep=keep,
                                merge=person,
                                reason=form.cleaned_data["reason"],
                                by=request.user,
                            )
                except ValidationError as exc:
                    form.add_error(None, exc)
                else:
                    self.message_user(
                        request,
                        ngettext(
                            "%(count)s person was merged into %(person)s.",
                            "%(count)s people were merged into %(person)s.",
                            len(merged),
                        )
                        % {"count": len(merged), "person": keep},
                    )
                    return HttpResponseRedirect(
                        reverse("admin:members_person_change", args=[keep.pk])
                    )
        else:
            form = MergeForm(
                people=people,
                initial={"keep": people[0].pk, "merge": [p.pk for p in people[1:]]},
            )
        context = {
            **self._context(request, gettext("Merge people")),
            "form": form,
            "cards": cards,
            "ids": ",".join(str(p.pk) for p in people),
        }
        return TemplateResponse(request, "admin/members/person/merge.html", context)

    def duplicates_view(self, request):
        permissions.require_merge_right(request.user)
        page = Paginator(DuplicateGroups(), GROUPS_PER_PAGE).get_page(request.GET.get("page"))
        ids = {pk for _key, members in page.object_list for pk in members}
        people = {p.pk: p for p in Person.objects.filter(pk__in=ids)}
        cards = {c.person.pk: c for c in person_cards(list(people.values()))}
        rows = [
            {
                "key": key,
                "cards": [cards[pk] for pk in members if pk in cards],
                "merge_url": _merge_url(members),
            }
            for key, members in page.object_list
        ]
        context = {
            **self._context(request, gettext("Possible duplicates")),
            "rows": rows,
            "page": page,
            "total": page.paginator.count,
        }
        return TemplateResponse(request, "admin/members/person/duplicates.html", context)


def _merge_url(ids) -> str:
    ids = list(ids)[:MAX_PEOPLE]
    return reverse("admin:members_person_merge") + "?" + urlencode({"ids": ",".join(map(str, ids))})
