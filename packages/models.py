"""What a package import keeps besides the registry's own records: each seat as the decision
printed it (its order, the person's name, role, post and agency), and a log of imports."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from members.models import Membership


class SeatAsPrinted(models.Model):
    """A seat as its decision's appendix prints it, so the body is given back as it came."""

    membership = models.OneToOneField(
        Membership, verbose_name=_("seat"), on_delete=models.CASCADE, related_name="as_printed"
    )
    order = models.PositiveIntegerField(_("order in the decision"), default=0)
    person = models.CharField(_("person as printed"), max_length=200, blank=True)
    role_title = models.CharField(_("role as printed"), max_length=200, blank=True)
    post = models.CharField(_("post as printed"), max_length=300, blank=True)
    agency = models.CharField(_("agency as printed"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("seat as printed")
        verbose_name_plural = _("seats as printed")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return f"{self.person or self.post} — {self.role_title}"


class PackageImport(models.Model):
    """One confirmed import: who, when, why, what the file held and what it changed."""

    created_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=500)
    file_name = models.CharField(_("file name"), max_length=300, blank=True)
    summary = models.JSONField(_("summary"), default=dict)

    class Meta:
        verbose_name = _("package import")
        verbose_name_plural = _("package imports")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.created_at:%d/%m/%Y %H:%M})"
