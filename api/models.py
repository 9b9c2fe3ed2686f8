"""What the registry keeps for Popolo exchange: other registries' identifiers and their legislative periods."""

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from committees.models import Committee
from committees.partial_dates import PartialDate, normalise, precision_field
from committees.text import nfc
from members.models import Membership

# The scheme under which the `id` a record had in an imported Popolo file is kept.
POPOLO_ID_SCHEME = "popolo"


class ExternalIdentifier(models.Model):
    """An identifier another registry gives a record: a wikidata item, an EveryPolitician id…"""

    content_type = models.ForeignKey(
        ContentType, verbose_name=_("record type"), on_delete=models.PROTECT
    )
    object_id = models.PositiveBigIntegerField(_("record id"))
    content_object = GenericForeignKey("content_type", "object_id")
    scheme = models.CharField(
        _("scheme"), max_length=100, help_text=_('Who issues the identifier, e.g. "wikidata".')
    )
    identifier = models.CharField(_("identifier"), max_length=300)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("external identifier")
        verbose_name_plural = _("external identifiers")
        ordering = ["content_type", "object_id", "scheme", "identifier"]
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="api_extid_record"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "scheme", "identifier"],
                name="api_externalidentifier_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scheme}: {self.identifier}"

    def clean(self) -> None:
        self.scheme = nfc(self.scheme)
        self.identifier = nfc(self.identifier)


class PopoloEvent(models.Model):
    """An event of an imported Popolo file: a legislative period (which dates memberships) or an election."""

    popolo_id = models.CharField(_("Popolo id"), max_length=200, unique=True)
    name = models.CharField(_("name"), max_length=300, blank=True)
    classification = models.CharField(_("classification"), max_length=100, blank=True)
    organization = models.ForeignKey(
        Committee,
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="popolo_events",
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    start_precision = precision_field(_("start-date precision"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    end_precision = precision_field(_("end-date precision"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Popolo event")
        verbose_name_plural = _("Popolo events")
        ordering = ["start_date", "popolo_id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="api_popoloevent_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.popolo_id

    @property
    def start(self) -> PartialDate:
        return PartialDate(self.start_date, self.start_precision)

    @property
    def end(self) -> PartialDate:
        return PartialDate(self.end_date, self.end_precision)

    def clean(self) -> None:
        self.name = nfc(self.name)
        self.classification = nfc(self.classification)
        self.start_date = normalise(self.start_date, self.start_precision)
        self.end_date = normalise(self.end_date, self.end_precision)
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end date cannot be before the start date.")})


class MembershipPeriod(models.Model):
    """The legislative period an imported membership belongs to (Popolo `legislative_period_id`)."""

    membership = models.OneToOneField(
        Membership,
        verbose_name=_("membership"),
        on_delete=models.PROTECT,
        primary_key=True,
        related_name="popolo_period",
    )
    event = models.ForeignKey(
        PopoloEvent,
        verbose_name=_("legislative period"),
        on_delete=models.PROTECT,
        related_name="membership_periods",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("membership's legislative period")
        verbose_name_plural = _("memberships' legislative periods")

    def __str__(self) -> str:
        return f"{self.membership_id} — {self.event}"


class PopoloExtras(models.Model):
    """What a Popolo file said of a record that the registry's own fields do not hold: every
    source after the first (the first is the record's `source`), and the fields the importer
    does not know, kept as given so that an export gives them back."""

    content_type = models.ForeignKey(
        ContentType, verbose_name=_("record type"), on_delete=models.PROTECT
    )
    object_id = models.PositiveBigIntegerField(_("record id"))
    content_object = GenericForeignKey("content_type", "object_id")
    sources = models.JSONField(_("sources"), default=list, blank=True)
    extras = models.JSONField(
        _("other fields"),
        default=dict,
        blank=True,
        help_text=_("Fields of the file the registry has no column for, as given."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Popolo extra fields")
        verbose_name_plural = _("Popolo extra fields")
        ordering = ["content_type", "object_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"], name="api_popoloextras_one_per_record"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.content_type.model} {self.object_id}"


class PopoloFileMeta(models.Model):
    """The top-level `meta` of an imported Popolo file (its sources, its licence…), kept per
    file: a second file's meta does not replace the first's. The export gives back their
    merger (api.popolo.merged_meta; docs/popolo.md says how)."""

    file_name = models.CharField(
        _("file"), max_length=300, unique=True, help_text=_("The file the meta came from.")
    )
    meta = models.JSONField(_("meta"), default=dict, blank=True)
    imported_at = models.DateTimeField(_("imported at"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Popolo file meta")
        verbose_name_plural = _("Popolo file meta")
        ordering = ["imported_at", "pk"]

    def __str__(self) -> str:
        return self.file_name
