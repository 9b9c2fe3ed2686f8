"""Governance bodies and what founds them: agencies, legal instruments, committees, lineage."""

import os

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from committees import names
from committees.partial_dates import PartialDate, format_partial_date, normalise, precision_field
from committees.text import fold, nfc


class PrivateStorage(FileSystemStorage):
    """Files under PRIVATE_STORAGE_ROOT, read from the settings on every use; never given a URL."""

    def __init__(self):
        super().__init__(base_url=None)

    @property
    def base_location(self):
        return str(settings.PRIVATE_STORAGE_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)


def private_storage() -> PrivateStorage:
    """Private files (decision scans): served only through a permission-checked view."""
    return PrivateStorage()


class Level(models.TextChoices):
    """Every level a body or an agency sits at; a package's level is never silently replaced."""

    NATIONAL = "national", _("national")
    MINISTRY = "ministry", _("ministry")
    PROVINCE = "province", _("province")
    CITY = "city", _("city")
    DISTRICT = "district", _("district")
    COMMUNE = "commune", _("commune")
    WARD = "ward", _("ward")


class Sourced(models.Model):
    """A record taken from a document cites it: a URL or a seed article's file name, and a date."""

    source = models.CharField(
        _("source"),
        max_length=500,
        blank=True,
        help_text=_("URL of the document, or the file name of the source article."),
    )
    source_date = models.DateField(_("source date"), null=True, blank=True)

    class Meta:
        abstract = True


class Agency(Sourced):
    class Kind(models.TextChoices):
        PEOPLES_COMMITTEE = "peoples_committee", _("People's Committee")
        DEPARTMENT = "department", _("department")
        POLICE = "police", _("police")
        PARTY = "party", _("Party body")
        GOVERNMENT = "government", _("government")
        MINISTRY = "ministry", _("ministry")
        LEGISLATURE = "legislature", _("legislature")
        DIVISION = "division", _("division")
        OTHER = "other", _("other")

    name = models.CharField(_("name"), max_length=300)
    short_name = models.CharField(_("short name"), max_length=100, blank=True)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    level = models.CharField(
        _("level"), max_length=10, choices=Level.choices, default=Level.CITY, blank=True
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    search_key = models.CharField(_("search key"), max_length=500, editable=False, db_index=True)
    # The names' keys (committees/names.py): a committee package reads the agencies it names
    # by them, not every agency.
    name_key = models.TextField(_("name key"), editable=False, default="")
    short_name_key = models.TextField(_("short name key"), editable=False, default="")
    # As an exchanged file gives them (Popolo): kept as given, whatever kind they map to.
    classification = models.CharField(_("classification"), max_length=100, blank=True)
    org_type = models.CharField(_("type"), max_length=100, blank=True)
    other_names = models.JSONField(
        _("other names"), default=list, blank=True, help_text=_("Other names, with their dates.")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["level", "name"]
        indexes = [
            models.Index(fields=["name_key"], name="committees_agency_name_key"),
            models.Index(fields=["short_name_key"], name="committees_agency_short_key"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=F("pk")), name="committees_agency_not_own_parent"
            ),
        ]

    def __str__(self) -> str:
        return self.short_name or self.name

    def get_absolute_url(self) -> str:
        return reverse("portal:agency-detail", args=[self.slug])

    def fill_keys(self) -> None:
        """The search key and the name keys, from the names (also for bulk writers)."""
        self.search_key = fold(f"{self.name} {self.short_name}")
        self.name_key = names.name_key(self.name)
        self.short_name_key = names.name_key(self.short_name)

    def clean(self) -> None:
        self.name = nfc(self.name)
        self.short_name = nfc(self.short_name)
        self.fill_keys()
        if self.parent_id and self.pk and self.parent_id == self.pk:
            raise ValidationError({"parent": _("An agency cannot be its own parent.")})


class LegalInstrument(Sourced):
    class Kind(models.TextChoices):
        DECISION = "decision", _("decision")
        RESOLUTION = "resolution", _("resolution")
        LAW = "law", _("law")
        SCHEME = "scheme", _("scheme")
        PLAN = "plan", _("plan")
        PROGRAMME = "programme", _("programme")
        STRATEGY = "strategy", _("strategy")
        NOTICE = "notice", _("concluding notice")
        OTHER = "other", _("other")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    number = models.CharField(
        _("number"), max_length=100, blank=True, help_text=_('As printed, e.g. "944/QĐ-UBND".')
    )
    title = models.CharField(_("title"), max_length=500)
    issuer = models.ForeignKey(
        Agency,
        verbose_name=_("issuer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="instruments",
    )
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    signed_precision = precision_field(_("signed-date precision"))
    effective_on = models.DateField(_("effective from"), null=True, blank=True)
    effective_precision = precision_field(_("effective-date precision"))
    url = models.URLField(_("URL"), max_length=500, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    issuer_as_printed = models.CharField(
        _("issuer as printed"),
        max_length=300,
        blank=True,
        help_text=_(
            "The issuer's name as the decision prints it, when it differs from the agency's."
        ),
    )
    signer = models.CharField(_("signer"), max_length=200, blank=True)
    scan = models.FileField(
        _("scan"),
        upload_to="decisions/%Y/",
        storage=private_storage,
        blank=True,
        help_text=_("The signed decision (PDF or image); served only through a permission check."),
    )
    amends = models.ManyToManyField(
        "self", verbose_name=_("amends"), symmetrical=False, blank=True, related_name="amended_by"
    )
    replaces = models.ManyToManyField(
        "self",
        verbose_name=_("replaces"),
        symmetrical=False,
        blank=True,
        related_name="replaced_by",
    )
    repeals = models.ManyToManyField(
        "self", verbose_name=_("repeals"), symmetrical=False, blank=True, related_name="repealed_by"
    )
    search_key = models.CharField(_("search key"), max_length=700, editable=False, db_index=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("legal instrument")
        verbose_name_plural = _("legal instruments")
        ordering = ["-signed_on", "number", "title"]
        indexes = [
            # The API's list order (the newest first): a page without sorting every decision.
            models.Index(fields=["-signed_on", "number", "id"], name="committees_decision_listing"),
        ]

    def __str__(self) -> str:
        label = self.get_kind_display().capitalize()
        if self.number:
            return f"{label} {self.number}"
        return f"{label}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("portal:decision-detail", args=[self.pk])

    @property
    def signed(self) -> PartialDate:
        return PartialDate(self.signed_on, self.signed_precision)

    def clean(self) -> None:
        self.number = nfc(self.number)
        self.title = nfc(self.title)
        self.signed_on = normalise(self.signed_on, self.signed_precision)
        self.effective_on = normalise(self.effective_on, self.effective_precision)
        self.search_key = fold(f"{self.number} {self.title}")
        if self.signed_on and self.effective_on and self.effective_on < self.signed_on:
            raise ValidationError(
                {"effective_on": _("The effective date cannot be before the signing date.")}
            )


class Committee(Sourced):
    class Kind(models.TextChoices):
        STEERING = "steering", _("steering committee")
        NATIONAL = "national", _("national committee")
        SUPPORT_GROUP = "support_group", _("support group")
        COUNCIL = "council", _("council")
        OTHER = "other", _("other body")

    name = models.CharField(_("name"), max_length=400)
    name_en = models.CharField(_("English name"), max_length=400, blank=True)
    short_name = models.CharField(_("short name"), max_length=150, blank=True)
    slug = models.SlugField(_("slug"), max_length=150, unique=True)
    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices, default=Kind.STEERING)
    jurisdiction = models.CharField(
        _("jurisdiction"), max_length=300, blank=True, help_text=_("Whose body it is, as stated.")
    )
    level = models.CharField(
        _("level"), max_length=10, choices=Level.choices, default=Level.CITY, blank=True
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent committee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="support_groups",
        help_text=_("For a support group (or a sub-committee): the committee it assists."),
    )
    standing_agency = models.ForeignKey(
        Agency,
        verbose_name=_("standing agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="committees_served",
    )
    established_by = models.ForeignKey(
        LegalInstrument,
        verbose_name=_("establishing instrument"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="committees_established",
    )
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    founded_precision = precision_field(_("founding-date precision"))
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)
    dissolved_precision = precision_field(_("dissolution-date precision"))
    declared_member_count = models.PositiveIntegerField(
        _("declared member count"), null=True, blank=True
    )
    declared_by = models.ForeignKey(
        LegalInstrument,
        verbose_name=_("count declared by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    description = models.TextField(_("description"), blank=True)
    standing_agency_as_printed = models.CharField(
        _("standing agency as printed"), max_length=300, blank=True
    )
    replaced_by_as_printed = models.CharField(
        _("dissolved or replaced by"),
        max_length=400,
        blank=True,
        help_text=_("The name of the body that took this one over, as stated."),
    )
    sources = models.JSONField(
        _("sources"),
        default=list,
        blank=True,
        help_text=_("Every source: a list of {url, date, title}."),
    )
    search_key = models.CharField(_("search key"), max_length=600, editable=False, db_index=True)
    # The name's key (committees/names.py): a committee package reads the bodies it names by
    # it, not every body.
    name_key = models.TextField(_("name key"), editable=False, default="")
    jurisdiction_area = models.ForeignKey(
        "areas.Area",
        verbose_name=_("jurisdiction area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bodies",
        help_text=_("The area the body serves: the country, a province, the city, a commune…"),
    )
    # As an exchanged file gives them (Popolo): kept as given, whatever kind they map to.
    classification = models.CharField(_("classification"), max_length=100, blank=True)
    org_type = models.CharField(_("type"), max_length=100, blank=True)
    other_names = models.JSONField(
        _("other names"), default=list, blank=True, help_text=_("Other names, with their dates.")
    )
    declared_count_source = models.CharField(
        _("source of the declared count"), max_length=500, blank=True
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("committee")
        verbose_name_plural = _("committees")
        ordering = ["level", "name"]
        indexes = [
            # Directory and API lists page through committees in this order.
            models.Index(fields=["level", "name", "id"], name="committees_committee_listing"),
            # The admin list's date hierarchy asks for the first and last founding date.
            models.Index(fields=["founded_on"], name="committees_committee_founded"),
            # The committee package reads the bodies it names by their name keys.
            models.Index(fields=["name_key"], name="committees_committee_name_key"),
        ]
        permissions = [
            ("manage_roster", _("Can keep the committee's roster")),
            ("add_measurement_to", _("Can add measurements to the committee's targets")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(dissolved_on__isnull=True)
                | Q(founded_on__isnull=True)
                | Q(dissolved_on__gte=F("founded_on")),
                name="committees_committee_dissolved_after_founded",
            ),
            models.CheckConstraint(
                condition=~Q(kind="support_group") | Q(parent__isnull=False),
                name="committees_committee_support_group_has_parent",
            ),
        ]

    def __str__(self) -> str:
        return self.short_name or self.name

    def get_absolute_url(self) -> str:
        return reverse("portal:committee-detail", args=[self.slug])

    def fill_keys(self) -> None:
        """The search key and the name key, from the names (also for bulk writers)."""
        self.search_key = fold(f"{self.name} {self.short_name} {self.name_en}")[:600]
        self.name_key = names.name_key(self.name)

    @property
    def founded(self) -> PartialDate:
        return PartialDate(self.founded_on, self.founded_precision)

    @property
    def dissolved(self) -> PartialDate:
        return PartialDate(self.dissolved_on, self.dissolved_precision)

    @property
    def is_active(self) -> bool:
        return self.dissolved_on is None

    def clean(self) -> None:
        self.name = nfc(self.name)
        self.short_name = nfc(self.short_name)
        self.name_en = nfc(self.name_en)
        self.jurisdiction = nfc(self.jurisdiction)
        self.fill_keys()
        self.founded_on = normalise(self.founded_on, self.founded_precision)
        # An end is stored as the last day of its period: a body dissolved in "2022" may
        # still have sat on 30/06/2022.
        self.dissolved_on = PartialDate(self.dissolved_on, self.dissolved_precision).last_day()
        errors = {}
        if self.founded_on and self.dissolved_on and self.dissolved_on < self.founded_on:
            errors["dissolved_on"] = _("A committee cannot be dissolved before it was founded.")
        if self.kind == self.Kind.SUPPORT_GROUP:
            if self.parent is None:
                errors["parent"] = _("A support group must name the committee it assists.")
            elif self.parent.kind == self.Kind.SUPPORT_GROUP:
                errors["parent"] = _(
                    "A support group's parent must be a committee, not another support group."
                )
            elif self.pk and self.parent_id == self.pk:
                errors["parent"] = _("A committee cannot be its own parent.")
        elif self.parent_id and self.pk and self.parent_id == self.pk:
            errors["parent"] = _("A committee cannot be its own parent.")
        if errors:
            raise ValidationError(errors)

    def dissolved_display(self) -> str:
        return format_partial_date(self.dissolved_on, self.dissolved_precision)


class Succession(Sourced):
    """One step of lineage: a body merged into, renamed to, replaced by or split into another."""

    class Kind(models.TextChoices):
        MERGED_INTO = "merged_into", _("merged into")
        RENAMED_TO = "renamed_to", _("renamed to")
        REPLACED_BY = "replaced_by", _("replaced by")
        SPLIT_INTO = "split_into", _("split into")

    predecessor = models.ForeignKey(
        Committee,
        verbose_name=_("predecessor"),
        on_delete=models.PROTECT,
        related_name="successions_out",
    )
    successor = models.ForeignKey(
        Committee,
        verbose_name=_("successor"),
        on_delete=models.PROTECT,
        related_name="successions_in",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    predecessor_as_printed = models.CharField(
        _("predecessor as printed"), max_length=400, blank=True
    )
    date = models.DateField(_("date"), null=True, blank=True)
    date_precision = precision_field(_("date precision"))
    instrument = models.ForeignKey(
        LegalInstrument,
        verbose_name=_("instrument"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="successions",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("succession")
        verbose_name_plural = _("successions")
        ordering = ["date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(predecessor=F("successor")),
                name="committees_succession_not_to_itself",
            ),
            models.UniqueConstraint(
                fields=["predecessor", "successor", "kind"],
                name="committees_succession_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.get_kind_display()} → {self.successor}"

    def clean(self) -> None:
        self.date = normalise(self.date, self.date_precision)
        if self.predecessor_id and self.predecessor_id == self.successor_id:
            raise ValidationError(_("A committee cannot succeed itself."))

    @property
    def when(self) -> PartialDate:
        return PartialDate(self.date, self.date_precision)


class DeclaredCount(models.Model):
    """The member count a decision declares for a body, from that decision on: a dated series."""

    committee = models.ForeignKey(
        Committee,
        verbose_name=_("committee"),
        on_delete=models.PROTECT,
        related_name="declared_counts",
    )
    count = models.PositiveIntegerField(_("declared member count"))
    decision = models.ForeignKey(
        LegalInstrument,
        verbose_name=_("decision"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="declared_counts",
    )
    date = models.DateField(_("from"), null=True, blank=True)
    date_precision = precision_field(_("date precision"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("declared member count")
        verbose_name_plural = _("declared member counts")
        ordering = ["committee", "date", "pk"]

    def __str__(self) -> str:
        return f"{self.committee}: {self.count}"

    def clean(self) -> None:
        self.date = normalise(self.date, self.date_precision)

    @property
    def when(self) -> PartialDate:
        return PartialDate(self.date, self.date_precision)


class CommitteeUserObjectPermission(UserObjectPermissionBase):
    """Guardian's direct foreign-key table: per-committee rights of one user."""

    content_object = models.ForeignKey(Committee, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("committee permission of a user")
        verbose_name_plural = _("committee permissions of users")


class CommitteeGroupObjectPermission(GroupObjectPermissionBase):
    """Guardian's direct foreign-key table: per-committee rights of a group."""

    content_object = models.ForeignKey(Committee, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = _("committee permission of a group")
        verbose_name_plural = _("committee permissions of groups")
