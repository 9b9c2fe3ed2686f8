"""A request key: the first write made under a key is the only one; a retry gets its result."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RequestKey(models.Model):
    """One write done under a client's request key (a retried request sends the same key).

    The key is unique in the database and is stored in the same transaction as the write it
    names: either both are committed or neither is, so a retry after a lost answer (a database
    restart, a dropped connection) finds the key and returns the first result."""

    key = models.CharField(_("request key"), max_length=100)
    operation = models.CharField(_("operation"), max_length=60)
    object_id = models.BigIntegerField(_("object id"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("request key")
        verbose_name_plural = _("request keys")
        ordering = ["-created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["key"], name="idempotency_requestkey_once"),
        ]

    def __str__(self) -> str:
        return f"{self.operation} {self.key}"
