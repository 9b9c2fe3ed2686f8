"""Shared pieces of the registry's admin: accent-insensitive search and the active/ended filter."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from committees import permissions, search


class FoldedSearchMixin:
    """Search on folded keys, so "nguyen van duoc" finds "Nguyễn Văn Được" (the lists and the
    pickers alike: committees/search.py holds the rule).

    `folded_search_fields` names the search_key columns to look in; every word of the
    query must begin a word in one of them.
    """

    folded_search_fields: tuple[str, ...] = ("search_key",)
    search_fields = ("search_key",)

    def get_search_results(self, request, queryset, search_term):
        return search.matching(queryset, search_term, fields=self.folded_search_fields), False


def active_filter(field: str, title=None):
    """A list filter: active (the end column is empty) or ended."""

    class ActiveFilter(admin.SimpleListFilter):
        parameter_name = "active"

        def lookups(self, request, model_admin):
            return [("yes", _("active")), ("no", _("ended"))]

        def queryset(self, request, queryset):
            if self.value() == "yes":
                return queryset.filter(**{f"{field}__isnull": True})
            if self.value() == "no":
                return queryset.filter(**{f"{field}__isnull": False})
            return queryset

    ActiveFilter.title = title or _("status")
    return ActiveFilter


COUNT_LIMIT = 10_000


class LimitedCountPaginator(Paginator):
    """A list's rows counted up to COUNT_LIMIT, shown as "more than 10000" beyond it: counting
    every seat or task of a country would read the whole table on every page."""

    limit = COUNT_LIMIT

    @cached_property
    def count(self) -> int:
        return self.object_list.order_by().values("pk")[: self.limit + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.limit

    def page(self, number):
        if not self.capped:
            return super().page(number)
        # The last page counted is shown whole, not cut at the limit.
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        return self._get_page(self.object_list[bottom : bottom + self.per_page], number, self)


class RegistryAdmin(FoldedSearchMixin, SimpleHistoryAdmin):
    """Base of the registry's model admins: history, folded search, paging, and one policy:
    readers (staff accounts) see everything, only administrators add, change or delete.
    A model admin that lets a secretariat write (seats, people, measurements) says so."""

    list_per_page = 50
    show_full_result_count = False
    paginator = LimitedCountPaginator

    def has_module_permission(self, request):
        return permissions.can_use_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return permissions.can_use_admin(request.user)

    def has_add_permission(self, request):
        return permissions.is_administrator(request.user)

    def has_change_permission(self, request, obj=None):
        return permissions.is_administrator(request.user)

    def has_delete_permission(self, request, obj=None):
        # Nothing is deleted but by an administrator, and the deletion stays in history.
        return permissions.can_delete_roster_record(request.user)

    def revert_disabled(self, request, obj=None):
        return not permissions.is_administrator(request.user)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # django-simple-history saves a posted historical form even when reverting is
        # disabled; refuse the post so the history page stays read-only.
        if request.method == "POST" and self.revert_disabled(request):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def delete_model(self, request, obj):
        obj._change_reason = "Deleted in the admin"
        super().delete_model(request, obj)
