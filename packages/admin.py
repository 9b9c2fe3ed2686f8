"""The package upload: an administrator or a committee's secretariat uploads a package (JSON
or XLSX), sees the dry run (created, matched, ended, possible matches) and confirms."""

import secrets

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from committees import permissions
from committees.admin_base import RegistryAdmin
from packages.apply import NEW, import_packages
from packages.models import PackageImport
from packages.reading import read_file
from packages.schema import PackageInvalid

STAGING_DIR = "package-uploads"
MAX_BYTES = 5 * 1024 * 1024
SESSION_KEY = "package_uploads"


class PackageUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Package file"), help_text=_("JSON (one body or a list) or the XLSX form.")
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        help_text=_('Why, e.g. "Quyết định 944/QĐ-UBND thành lập Ban Chỉ đạo".'),
    )


@admin.register(PackageImport)
class PackageImportAdmin(RegistryAdmin):
    list_display = ("created_at", "file_name", "by", "reason")
    list_select_related = ("by",)
    readonly_fields = ("created_at", "by", "reason", "file_name", "summary")
    change_list_template = "admin/packages/packageimport/change_list.html"
    search_fields = ("file_name", "reason")
    folded_search_fields = ()

    def get_search_results(self, request, queryset, search_term):
        return admin.ModelAdmin.get_search_results(self, request, queryset, search_term)

    def has_module_permission(self, request):
        return permissions.can_upload_package(request.user)

    def has_view_permission(self, request, obj=None):
        return permissions.can_upload_package(request.user)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if permissions.is_administrator(request.user):
            return queryset
        return queryset.filter(by=request.user)

    def get_urls(self):
        return [
            path(
                "upload/",
                self.admin_site.admin_view(self.upload_view),
                name="packages_packageimport_upload",
            ),
            *super().get_urls(),
        ]

    def upload_view(self, request):
        if not permissions.can_upload_package(request.user):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        staging = settings.PRIVATE_STORAGE_ROOT / STAGING_DIR
        pending = request.session.get(SESSION_KEY, {})
        form, report, problems, token, entry = PackageUploadForm(), None, [], "", None
        if request.method == "POST" and request.POST.get("token"):
            token = request.POST["token"]
            entry = pending.get(token)
            staged = staging / f"{token}.bin"
            if entry is None or not staged.is_file():
                self.message_user(
                    request,
                    gettext("The upload has expired; upload the file again."),
                    messages.ERROR,
                )
                return HttpResponseRedirect(request.path)
            confirmations = {}
            for index, match_path in enumerate(entry["matches"]):
                choice = request.POST.get(f"match-{index}", NEW)
                confirmations[match_path] = choice if choice in entry["candidates"][index] else NEW
            try:
                report = import_packages(
                    read_file(staged.read_bytes(), entry["name"]),
                    by=request.user,
                    reason=entry["reason"],
                    confirmations=confirmations,
                    file_name=entry["name"],
                )
            except PackageInvalid as exc:
                problems = exc.problems
            else:
                staged.unlink(missing_ok=True)
                pending.pop(token, None)
                request.session[SESSION_KEY] = pending
                seats = report.seats
                self.message_user(
                    request,
                    gettext(
                        "Package imported: %(bodies)s bodies; seats: %(created)s created, "
                        "%(ended)s ended, %(unchanged)s unchanged."
                    )
                    % {"bodies": len(report.committees), **seats},
                )
                return HttpResponseRedirect(reverse("admin:packages_packageimport_changelist"))
        elif request.method == "POST":
            form = PackageUploadForm(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["file"]
                data = upload.read(MAX_BYTES + 1)
                try:
                    if len(data) > MAX_BYTES:
                        raise PackageInvalid([gettext("(file): the file is larger than 5 MB")])
                    report = import_packages(
                        read_file(data, upload.name),
                        by=request.user,
                        reason=form.cleaned_data["reason"],
                        dry_run=True,
                        file_name=upload.name,
                    )
                except PackageInvalid as exc:
                    problems = exc.problems
                else:
                    token = secrets.token_urlsafe(24)
                    staging.mkdir(parents=True, exist_ok=True)
                    (staging / f"{token}.bin").write_bytes(data)
                    pending[token] = {
                        "name": upload.name[:300],
                        "reason": form.cleaned_data["reason"],
                        "matches": [m["path"] for m in report.possible_matches],
                        "candidates": [
                            [NEW, *[str(c["id"]) for c in m["candidates"]]]
                            for m in report.possible_matches
                        ],
                    }
                    request.session[SESSION_KEY] = pending
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Upload a committee package"),
            "opts": self.model._meta,
            "form": form,
            "report": report.details() if report is not None else None,
            "dry_run": report is not None and report.dry_run,
            "problems": problems,
            "token": token if report is not None and report.dry_run else "",
        }
        return TemplateResponse(request, "admin/packages/upload.html", context)
