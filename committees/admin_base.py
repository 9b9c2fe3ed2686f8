"""Shared pieces of the registry's admin: accent-insensitive search and the active/ended filter."""

from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from committees.text import fold


class FoldedSearchMixin:
    """Search on folded keys, so "nguyen van duoc" finds "Nguyễn Văn Được".

    `folded_search_fields` names the search_key columns to look in; every word of the
    query must appear in one of them.
    """

    folded_search_fields: tuple[str, ...] = ("search_key",)
    search_fields = ("search_key",)

    def get_search_results(self, request, queryset, search_term):
        words = fold(search_term).split()
        if not words:
            return queryset, False
        for word in words:
            condition = Q()
            for field in self.folded_search_fields:
                condition |= Q(**{f"{field}__contains": word})
            queryset = queryset.filter(condition)
        return queryset, False


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


class RegistryAdmin(FoldedSearchMixin, SimpleHistoryAdmin):
    """Base of the registry's model admins: history, folded search, paging."""

    list_per_page = 50
    show_full_result_count = False
