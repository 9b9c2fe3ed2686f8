"""Admin: administrators keep the rules and schedules, and read the outbox, follows and
preferences; a failed e-mail can be sent again."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from committees import permissions
from committees.admin_base import RegistryAdmin
from notifications import services
from notifications.models import (
    Follow,
    NotificationPreference,
    NotificationRule,
    NotificationSchedule,
    Outbox,
)


class AdministratorsOnly(RegistryAdmin):
    def has_module_permission(self, request):
        return permissions.is_administrator(request.user)

    def has_view_permission(self, request, obj=None):
        return permissions.is_administrator(request.user)


@admin.register(NotificationRule)
class NotificationRuleAdmin(AdministratorsOnly):
    list_display = (
        "kind",
        "channel",
        "lead_days",
        "to_secretariat",
        "to_leaders",
        "to_city_staff",
        "to_administrators",
        "to_focal_points",
        "active",
        "mandatory",
    )
    list_editable = ("lead_days", "active", "mandatory")
    list_filter = ("channel", "active", "mandatory")


@admin.register(NotificationSchedule)
class NotificationScheduleAdmin(AdministratorsOnly):
    list_display = (
        "channel",
        "interval_minutes",
        "next_run_at",
        "last_run_at",
        "last_count",
        "active",
    )
    readonly_fields = ("last_run_at", "last_count")


@admin.register(Outbox)
class OutboxAdmin(AdministratorsOnly):
    list_display = (
        "created_at",
        "recipient",
        "subject",
        "channel",
        "status",
        "attempts",
        "sent_at",
    )
    list_filter = ("status", "channel")
    search_fields = ("recipient", "subject", "user__username")
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in Outbox._meta.fields]
    actions = ["send_again"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not permissions.is_administrator(request.user):
            actions.pop("send_again", None)
        return actions

    @admin.action(description=_("Send the failed e-mails again"))
    def send_again(self, request, queryset):
        permissions.require_administrator(request.user)
        count = 0
        for row in queryset.filter(status=Outbox.Status.FAILED).only("pk"):
            services.outbox_retry(outbox_id=row.pk, by=request.user)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)s e-mail queued again.", "%(count)s e-mails queued again.", count)
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(Follow)
class FollowAdmin(AdministratorsOnly):
    list_display = ("user", "committee", "created_at")
    list_select_related = ("user", "committee")
    search_fields = ("user__username", "committee__name")
    autocomplete_fields = ("committee",)


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(AdministratorsOnly):
    list_display = ("user", "language")
    list_select_related = ("user",)
    filter_horizontal = ("muted_rules",)
