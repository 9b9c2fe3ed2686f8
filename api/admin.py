"""Admin for what the Popolo exchange keeps: identifiers from other registries and their events."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from api.models import ExternalIdentifier, MembershipPeriod, PopoloEvent, PopoloFileMeta


@admin.register(ExternalIdentifier)
class ExternalIdentifierAdmin(SimpleHistoryAdmin):
    list_display = ("scheme", "identifier", "content_type", "object_id")
    list_filter = ("scheme", "content_type")
    search_fields = ("identifier",)
    list_select_related = ("content_type",)
    list_per_page = 50


@admin.register(PopoloEvent)
class PopoloEventAdmin(SimpleHistoryAdmin):
    list_display = ("popolo_id", "name", "classification", "organization", "start_date", "end_date")
    list_filter = ("classification",)
    search_fields = ("popolo_id", "name")
    list_select_related = ("organization",)
    list_per_page = 50


@admin.register(MembershipPeriod)
class MembershipPeriodAdmin(SimpleHistoryAdmin):
    list_display = ("membership", "event")
    list_select_related = ("membership__person", "membership__committee", "event")
    raw_id_fields = ("membership",)
    list_per_page = 50


@admin.register(PopoloFileMeta)
class PopoloFileMetaAdmin(SimpleHistoryAdmin):
    list_display = ("file_name", "imported_at")
    search_fields = ("file_name",)
    list_per_page = 50
