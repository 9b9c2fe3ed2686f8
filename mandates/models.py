"""What a body is charged with (mandates) and how far its targets have come (measurements)."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from committees.models import Agency, Committee, LegalInstrument, Sourced, Succession
from committees.partial_dates import PartialDate, normalise, precision_field
from committees.text import fold, nfc


def _plain(value) -> str:
    """A decimal without trailing zeros: 85.000 → "85"."""
    return f"{Decimal(str(value)).normalize():f}"


class Mandate(Sourced):
    class Category(models.TextChoices):
        POLICY = "policy", _("policy and strategy")
        ADVICE = "advice", _("opinions and advice")
        OVERSIGHT = "oversight", _("urging, inspection and coordination")
        REVIEW = "review", _("review and evaluation")
        IMPLEMENTATION = "implementation", _("implementation")
        OTHER = "other", _("other")

    committee = models.ForeignKey(
        Committee, verbose_name=_("committee"), on_delete=models.PROTECT, related_name="mandates"
    )
    text = models.TextField(_("text"))
    category = models.CharField(
        _("category"), max_length=15, choices=Category.choices, default=Category.OTHER
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    legal_basis = models.ManyToManyField(
        LegalInstrument, verbose_name=_("legal basis"), blank=True, related_name="mandates"
    )
    search_key = models.TextField(_("search key"), editable=False)
    history = HistoricalRecords(m2m_fields=[legal_basis])

    class Meta:
        verbose_name = _("mandate")
        verbose_name_plural = _("mandates")
        ordering = ["committee", "order", "pk"]
        indexes = [
            # The API's list order, grouped by committee: a page without sorting every mandate.
            models.Index(fields=["committee", "order", "id"], name="mandates_mandate_listing"),
        ]

    def __str__(self) -> str:
        return self.text if len(self.text) <= 80 else self.text[:79] + "…"

    def clean(self) -> None:
        self.text = nfc(self.text)
        self.search_key = fold(self.text)


class Target(Sourced):
    class Direction(models.TextChoices):
        AT_LEAST = "at_least", _("reach at least")
        AT_MOST = "at_most", _("stay at most")

    class Status(models.TextChoices):
        ACHIEVED = "achieved", _("achieved")
        ON_TRACK = "on_track", _("on track")
        AT_RISK = "at_risk", _("at risk")
        OVERDUE = "overdue", _("overdue")
        NO_DATA = "no_data", _("no data")

    committee = models.ForeignKey(
        Committee,
        verbose_name=_("committee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="targets",
        help_text=_("Empty for a city-wide target that no committee owns."),
    )
    mandate = models.ForeignKey(
        Mandate,
        verbose_name=_("mandate"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="targets",
    )
    indicator = models.CharField(_("indicator"), max_length=500)
    search_key = models.CharField(_("search key"), max_length=500, editable=False, db_index=True)
    unit = models.CharField(_("unit"), max_length=50, default="%", blank=True)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.AT_LEAST
    )
    baseline = models.DecimalField(
        _("baseline"), max_digits=14, decimal_places=3, null=True, blank=True
    )
    baseline_date = models.DateField(_("baseline date"), null=True, blank=True)
    target_value = models.DecimalField(
        _("target value"), max_digits=14, decimal_places=3, null=True, blank=True
    )
    value_text = models.CharField(
        _("value as stated"),
        max_length=200,
        blank=True,
        help_text=_(
            'The value as the source states it: "85%", "ít nhất 100 chuyên gia", "8,3-8,5%".'
        ),
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    deadline_precision = precision_field(_("deadline precision"))
    responsible_agency = models.ForeignKey(
        Agency,
        verbose_name=_("responsible agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="targets",
    )
    source_instrument = models.ForeignKey(
        LegalInstrument,
        verbose_name=_("source instrument"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="targets",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["committee", "deadline", "pk"]
        indexes = [
            # The API's list order, grouped by committee: a page without sorting every target.
            models.Index(fields=["committee", "deadline", "id"], name="mandates_target_listing"),
        ]

    def __str__(self) -> str:
        if self.value_text:
            return f"{self.indicator}: {self.value_text}"
        if self.target_value is None:
            return self.indicator
        return f"{self.indicator}: {_plain(self.target_value)} {self.unit}"

    def clean(self) -> None:
        self.indicator = nfc(self.indicator)
        self.search_key = fold(self.indicator)[:500]
        self.deadline = normalise(self.deadline, self.deadline_precision)
        self.value_text = nfc(self.value_text)
        if self.target_value is None and not self.value_text:
            raise ValidationError(
                {"target_value": _("Give the target value, as a number or as stated.")}
            )
        if self.mandate_id and self.committee_id and self.mandate.committee_id != self.committee_id:
            # A target that ended before its body was renamed stays with it, its mandate
            # going on under the new name.
            continued = Succession.objects.filter(
                predecessor_id=self.committee_id,
                successor_id=self.mandate.committee_id,
                kind=Succession.Kind.RENAMED_TO,
            ).exists()
            if not continued:
                raise ValidationError({"mandate": _("The mandate belongs to another committee.")})

    @property
    def deadline_partial(self) -> PartialDate:
        return PartialDate(self.deadline, self.deadline_precision)

    def status_on(self, day: dt.date, latest: "Measurement | None") -> str:
        """Achieved, on track, at risk, overdue or no data, judged on a day from the latest measurement."""
        last_day = self.deadline_partial.last_day()
        if self.target_value is None:
            # A value stated only in words cannot be compared with a measurement.
            if last_day is not None and day > last_day:
                return self.Status.OVERDUE
            return self.Status.NO_DATA
        reached = latest is not None and (
            latest.value >= self.target_value
            if self.direction == self.Direction.AT_LEAST
            else latest.value <= self.target_value
        )
        if reached:
            return self.Status.ACHIEVED
        if last_day is not None and day > last_day:
            return self.Status.OVERDUE
        if latest is None:
            return self.Status.NO_DATA
        if self.baseline is None or self.baseline_date is None or last_day is None:
            return self.Status.AT_RISK
        # On track when progress so far is at least proportional to the time elapsed.
        span = (last_day - self.baseline_date).days or 1
        elapsed = max((latest.date - self.baseline_date).days, 0)
        expected = self.baseline + (self.target_value - self.baseline) * Decimal(elapsed) / Decimal(
            span
        )
        ahead = (
            latest.value >= expected
            if self.direction == self.Direction.AT_LEAST
            else latest.value <= expected
        )
        return self.Status.ON_TRACK if ahead else self.Status.AT_RISK


class Measurement(Sourced):
    target = models.ForeignKey(
        Target, verbose_name=_("target"), on_delete=models.PROTECT, related_name="measurements"
    )
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=3)
    date = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        ordering = ["target", "-date", "-pk"]
        get_latest_by = "date"
        constraints = [
            models.UniqueConstraint(
                fields=["target", "date"], name="mandates_measurement_one_per_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{_plain(self.value)} ({self.date:%d/%m/%Y})"
