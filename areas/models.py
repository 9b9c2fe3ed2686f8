"""Areas: the country, its provinces and cities, their districts and communes, constituencies.

A body has a jurisdiction area (the city it serves, a province, a commune after the 2025
reorganisation); a seat may have an area (the constituency a deputy sits for). Areas are
exchanged as Popolo `areas` and `area_id`.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from committees.models import Level, Sourced
from committees.partial_dates import PartialDate, normalise, precision_field
from committees.text import fold, nfc


class Area(Sourced):
    class Kind(models.TextChoices):
        COUNTRY = "country", _("country")
        PROVINCE = "province", _("province")
        CITY = "city", _("city")
        DISTRICT = "district", _("district")
        COMMUNE = "commune", _("commune or ward")
        CONSTITUENCY = "constituency", _("constituency")
        OTHER = "other", _("other area")

    name = models.CharField(_("name"), max_length=300)
    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices, default=Kind.OTHER)
    slug = models.SlugField(_("slug"), max_length=150, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    identifiers = models.JSONField(
        _("identifiers"),
        default=list,
        blank=True,
        help_text=_('Identifiers other registries give it: [{"scheme": …, "identifier": …}].'),
    )
    other_names = models.JSONField(
        _("other names"),
        default=list,
        blank=True,
        help_text=_("Other names, each with its language and dates when known."),
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_from_precision = precision_field(_("valid-from precision"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    valid_until_precision = precision_field(_("valid-until precision"))
    search_key = models.CharField(_("search key"), max_length=600, editable=False, db_index=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["kind", "name", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(parent=F("pk")), name="areas_area_not_own_parent"),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_until__gte=F("valid_from")),
                name="areas_area_valid_until_after_from",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def valid_from_partial(self) -> PartialDate:
        return PartialDate(self.valid_from, self.valid_from_precision)

    @property
    def valid_until_partial(self) -> PartialDate:
        return PartialDate(self.valid_until, self.valid_until_precision)

    @property
    def level(self) -> str:
        """The level of a body whose jurisdiction this area is ("" when the kind names none)."""
        return LEVEL_OF_AREA_KIND.get(self.kind, "")

    def clean(self) -> None:
        self.name = nfc(self.name)
        names = [item.get("name", "") for item in self.other_names if isinstance(item, dict)]
        self.search_key = fold(" ".join([self.name, *names]))[:600]
        self.valid_from = normalise(self.valid_from, self.valid_from_precision)
        self.valid_until = PartialDate(self.valid_until, self.valid_until_precision).last_day()
        errors = {}
        if not self.name:
            errors["name"] = _("An area needs a name.")
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            errors["valid_until"] = _("An area cannot end before it begins.")
        if self.pk and self.parent_id == self.pk:
            errors["parent"] = _("An area cannot be its own parent.")
        if errors:
            raise ValidationError(errors)


# The level of a body that serves an area of each kind; a constituency gives none.
LEVEL_OF_AREA_KIND = {
    Area.Kind.COUNTRY: Level.NATIONAL,
    Area.Kind.PROVINCE: Level.PROVINCE,
    Area.Kind.CITY: Level.CITY,
    Area.Kind.DISTRICT: Level.DISTRICT,
    Area.Kind.COMMUNE: Level.WARD,
}
