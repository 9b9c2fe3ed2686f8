"""People, the posts they hold, and their seats on committees over time."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from committees.models import Agency, Committee, LegalInstrument, Sourced
from committees.partial_dates import PartialDate, Precision, normalise, precision_field
from committees.text import fold, nfc
from members.rules import ROLE_RANK, SINGLE_SEAT_ROLES, Role, role_rank

__all__ = [
    "ROLE_RANK",
    "SINGLE_SEAT_ROLES",
    "Membership",
    "PendingSeatChange",
    "Person",
    "Position",
    "PositionHolding",
    "Role",
    "name_keys",
]


def name_keys(full_name: str, other_names: list | None) -> list[str]:
    """A person's names folded, each once: "Lâm Đình Thắng" and "LAM DINH THANG" agree."""
    names = [full_name]
    for item in other_names or []:
        names.append(item.get("name", "") if isinstance(item, dict) else str(item))
    return [key for key in dict.fromkeys(fold(name) for name in names) if key]


class Person(Sourced):
    class Gender(models.TextChoices):
        FEMALE = "female", _("female")
        MALE = "male", _("male")
        OTHER = "other", _("other")

    full_name = models.CharField(_("full name"), max_length=200, help_text=_("As written."))
    rank = models.CharField(
        _("rank or honorific"),
        max_length=80,
        blank=True,
        help_text=_('Shown before the name, e.g. "Đại tá".'),
    )
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True)
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    other_names = models.JSONField(
        _("other names"), default=list, blank=True, help_text=_("A list of other names.")
    )
    search_key = models.CharField(_("search key"), max_length=600, editable=False, db_index=True)
    # Each name (the full name and the other names) folded, once: the possible duplicates are
    # grouped on them by the database (members/admin_merge.py).
    name_keys = models.JSONField(_("folded names"), default=list, blank=True, editable=False)
    # A record found to be the same official as another: kept (with its history) so old links
    # lead to the kept person, but no longer listed or searched (members/person_merge.py).
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="merged_people",
    )
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    birth_precision = precision_field(_("birth-date precision"))
    death_date = models.DateField(_("death date"), null=True, blank=True)
    death_precision = precision_field(_("death-date precision"))
    image = models.URLField(_("image"), max_length=500, blank=True)
    images = models.JSONField(_("images"), default=list, blank=True)
    links = models.JSONField(_("links"), default=list, blank=True)
    # Readers only (api.serializers.PersonSerializer.restricted_fields).
    contact_details = models.JSONField(_("contact details"), default=list, blank=True)
    sources = models.JSONField(_("sources"), default=list, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["full_name", "pk"]

    def __str__(self) -> str:
        return f"{self.rank} {self.full_name}" if self.rank else self.full_name

    def get_absolute_url(self) -> str:
        return reverse("portal:person-detail", args=[self.slug])

    def clean(self) -> None:
        self.full_name = nfc(self.full_name)
        self.rank = nfc(self.rank)
        self.other_names = [
            {**item, "name": nfc(item.get("name", ""))}
            if isinstance(item, dict)
            else {"name": nfc(str(item))}
            for item in (self.other_names or [])
        ]
        names = [item["name"] for item in self.other_names]
        self.search_key = fold(" ".join([self.full_name, *names]))[:600]
        self.name_keys = name_keys(self.full_name, self.other_names)
        if not self.full_name:
            raise ValidationError({"full_name": _("A person needs a name.")})
        self.birth_date = normalise(self.birth_date, self.birth_precision)
        self.death_date = normalise(self.death_date, self.death_precision)
        if self.birth_date and self.death_date and self.death_date < self.birth_date:
            raise ValidationError({"death_date": _("A person cannot die before being born.")})

    @property
    def born(self) -> PartialDate:
        return PartialDate(self.birth_date, self.birth_precision)

    @property
    def died(self) -> PartialDate:
        return PartialDate(self.death_date, self.death_precision)


class Position(Sourced):
    """A post in an agency ("Chủ tịch UBND TP", "Giám đốc Sở KH&CN") that a person holds."""

    title = models.CharField(_("title"), max_length=300)
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="positions"
    )
    single_holder = models.BooleanField(
        _("single holder"),
        default=True,
        help_text=_(
            "One holder at a time (a director); clear for posts held by several (vice chairmen)."
        ),
    )
    search_key = models.CharField(_("search key"), max_length=600, editable=False, db_index=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["agency__name", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "title"], name="members_position_unique_title"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        self.title = nfc(self.title)
        self.search_key = fold(self.title)


class DatedTerm(Sourced):
    """A term with a start and an end known to a precision; end ≥ start."""

    start_date = models.DateField(_("start date"), null=True, blank=True)
    start_precision = precision_field(_("start-date precision"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    end_precision = precision_field(_("end-date precision"))

    class Meta:
        abstract = True

    @property
    def start(self) -> PartialDate:
        return PartialDate(self.start_date, self.start_precision)

    @property
    def end(self) -> PartialDate:
        return PartialDate(self.end_date, self.end_precision)

    @property
    def is_active(self) -> bool:
        return self.end_date is None

    def active_on(self, day: dt.date) -> bool:
        """On the roster that day: started (or start unknown) and not yet ended."""
        started = self.start_date is None or self.start_date <= day
        return started and (self.end_date is None or day <= self.end_date)

    def start_uncertain_on(self, day: dt.date) -> bool:
        """Whether the registry cannot tell that the term had begun by that day."""
        if self.start_date is None:
            return True
        last = self.start.last_day()
        return last is not None and day < last

    def end_uncertain_on(self, day: dt.date) -> bool:
        """Whether the registry cannot tell that the term had not yet ended by that day: the
        end is known only to the month or year, and the day falls within that period."""
        if self.end_date is None or self.end_precision == Precision.DAY:
            return False
        first = normalise(self.end_date, self.end_precision)
        return first is not None and first <= day

    def clean_term(self) -> None:
        # A start is stored as the first day of its period and an end as the last day, so a
        # term known to the month or year covers every day it may have covered: an end of
        # "2023" keeps the member on the roster through 31/12/2023 (marked as not certain).
        self.start_date = normalise(self.start_date, self.start_precision)
        self.end_date = PartialDate(self.end_date, self.end_precision).last_day()
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end date cannot be before the start date.")})


class PositionHolding(DatedTerm):
    """Who held a post, when, on which instrument.

    A holding can be known to have ended without its end date ("ended, date unknown"): a
    later article names someone else in a single-holder post, or the same person in another
    post, and says nothing of when the change happened. Such a holding is no longer current
    and is not counted as held on any day, since the registry cannot say which days it covered.
    """

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="holdings"
    )
    position = models.ForeignKey(
        Position, verbose_name=_("post"), on_delete=models.PROTECT, related_name="holdings"
    )
    appointed_by = models.ForeignKey(
        LegalInstrument,
        verbose_name=_("appointing instrument"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    ended = models.BooleanField(
        _("ended"),
        default=False,
        help_text=_(
            "The holding has ended, even when its end date is not known. Set by itself when "
            "an end date is given."
        ),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("post holding")
        verbose_name_plural = _("post holdings")
        ordering = ["position", "start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="members_positionholding_end_after_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.position}"

    @property
    def is_active(self) -> bool:
        return not self.ended and self.end_date is None

    @property
    def ended_date_unknown(self) -> bool:
        return self.ended and self.end_date is None

    def active_on(self, day: dt.date) -> bool:
        if self.ended_date_unknown:
            return False
        return super().active_on(day)

    def clean(self) -> None:
        self.clean_term()
        if self.end_date is not None:
            self.ended = True
        # One holder at a time of a single-holder post is checked by the services that
        # write holdings (members.services), which end the outgoing holding first.


def open_holdings(prefix: str = "") -> Q:
    """Holdings not known to have ended: no end date, and not marked "ended, date unknown"."""
    return Q(**{f"{prefix}end_date__isnull": True, f"{prefix}ended": False})


class Membership(DatedTerm):
    """A seat: a person in a role on a committee, from a start to an end, on given decisions.

    A decision may name a seat by its title only ("Thứ trưởng Bộ Tư pháp") and leave the person
    to be chosen later: such a seat has no person, and counts. A seat whose holder left and was
    not replaced continues as a vacant seat (no person, `follows` the seat that ended).
    Rosters are written through members.roster_writer, which checks the rules of
    members.rules for every seat a change touches."""

    class EndReason(models.TextChoices):
        TERM_ENDED = "term_ended", _("term ended")
        REPLACED = "replaced", _("replaced")
        ROLE_CHANGED = "role_changed", _("role changed")
        POST_CHANGED = "post_changed", _("left the post that gave the seat")
        RESIGNED = "resigned", _("resigned")
        COMMITTEE_DISSOLVED = "dissolved", _("committee dissolved or merged")
        DIED = "died", _("died")
        CORRECTION = "correction", _("correction of a record")
        OTHER = "other", _("other")

    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
        help_text=_("Empty when the decision names the seat by its title only."),
    )
    committee = models.ForeignKey(
        Committee, verbose_name=_("committee"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=25, choices=Role.choices, default=Role.MEMBER)
    role_title = models.CharField(
        _("role as printed"),
        max_length=200,
        blank=True,
        help_text=_('The role as the decision prints it ("Phó Chủ tịch Thường trực", "Chair").'),
    )
    follows = models.ForeignKey(
        "self",
        verbose_name=_("vacant since the end of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("For a vacant seat: the seat whose holder left."),
    )
    role_rank = models.PositiveSmallIntegerField(_("role rank"), editable=False, default=50)
    position = models.ForeignKey(
        Position,
        verbose_name=_("post giving the seat"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="seats",
        help_text=_("When the seat is ex officio: the post that gives it."),
    )
    title_at_appointment = models.CharField(
        _("title as printed"),
        max_length=300,
        blank=True,
        help_text=_("The person's title as printed in the appointing decision."),
    )
    home_agency = models.ForeignKey(
        Agency,
        verbose_name=_("home agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    on_behalf_of = models.ForeignKey(
        Agency,
        verbose_name=_("on behalf of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Party or body the member represents, when the source says so."),
    )
    appointed_by = models.ForeignKey(
        LegalInstrument,
        verbose_name=_("appointing instrument"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appointments",
    )
    end_reason = models.CharField(
        _("end reason"), max_length=15, choices=EndReason.choices, blank=True
    )
    end_note = models.CharField(_("end note"), max_length=500, blank=True)
    ended_by = models.ForeignKey(
        LegalInstrument,
        verbose_name=_("ending instrument"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="endings",
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    area = models.ForeignKey(
        "areas.Area",
        verbose_name=_("area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="seats",
        help_text=_("The area the seat stands for, e.g. a deputy's constituency."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["committee", "role_rank", "person__full_name"]
        indexes = [
            models.Index(fields=["committee", "role_rank"], name="members_membership_roster"),
            models.Index(fields=["person", "start_date"], name="members_membership_person"),
            # A holder's seats through one post: whoever left a post (a few hundred holdings)
            # finds the seats it gave without a walk through every ex officio seat.
            models.Index(
                fields=["person", "position"],
                name="members_membership_post",
                condition=Q(position__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="members_membership_end_after_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | ~Q(end_reason=""),
                name="members_membership_end_has_reason",
                violation_error_message=_("A membership that ends needs a reason."),
            ),
            # The partial unique constraints hold on every database; the exclusion
            # constraints over date ranges (migration 0002) add the full rule on PostgreSQL.
            models.UniqueConstraint(
                fields=["committee", "role"],
                condition=Q(end_date__isnull=True, role__in=sorted(SINGLE_SEAT_ROLES)),
                name="members_membership_one_active_single_seat",
                violation_error_message=_(
                    "That role is already held by someone else during these dates; end that "
                    "term first."
                ),
            ),
            models.UniqueConstraint(
                fields=["committee", "person"],
                condition=Q(end_date__isnull=True),
                name="members_membership_one_active_seat_per_person",
                violation_error_message=_(
                    "This person already has a seat on this committee during these dates."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.holder_display} — {self.get_role_display()} — {self.committee}"

    # The rules between seats (one seat per person, one holder of a single-seat role) are
    # members.rules', asked through the roster writer in its words; the database constraints
    # hold them again, and model validation does not repeat them in other words.
    _RULES_OF_THE_WRITER = frozenset(
        {
            "members_membership_one_active_single_seat",
            "members_membership_one_active_seat_per_person",
        }
    )

    def get_constraints(self):
        return [
            (model, [c for c in constraints if c.name not in self._RULES_OF_THE_WRITER])
            for model, constraints in super().get_constraints()
        ]

    @property
    def is_title_only(self) -> bool:
        return self.person_id is None and self.follows_id is None

    @property
    def is_vacant(self) -> bool:
        return self.person_id is None and self.follows_id is not None

    @property
    def holder_display(self) -> str:
        """The person, or what the roster says in their place."""
        if self.person_id is not None:
            return str(self.person)
        if self.follows_id is not None:
            return str(_("vacant"))
        return str(_("name not known"))

    @property
    def role_display(self) -> str:
        """The role as printed when the decision printed one, else its label."""
        return self.role_title or str(self.get_role_display())

    def clean(self) -> None:
        """The seat's own fields; the rules between seats are members.rules, applied by the
        roster writer to every seat a change touches."""
        self.clean_term()
        self.title_at_appointment = nfc(self.title_at_appointment)
        self.role_title = nfc(self.role_title)
        self.role_rank = role_rank(self.role)
        errors: dict[str, str] = {}
        if self.end_date and not self.end_reason:
            errors["end_reason"] = _("A membership that ends needs a reason.")
        named = self.person_id is not None or self.person is not None  # an unsaved new person
        if not named and not (self.title_at_appointment or self.position_id):
            errors["title_at_appointment"] = _(
                "A seat without a person needs the title the decision names it by."
            )
        if errors:
            raise ValidationError(errors)


class PendingSeatChange(models.Model):
    """An ex officio seat whose post changed holder: the secretariat confirms or declines it.

    Nothing changes on the roster until the secretariat decides: confirming ends the old
    seat and appoints the post's new holder in the same role; declining leaves the roster.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        CONFIRMED = "confirmed", _("confirmed")
        DECLINED = "declined", _("declined")

    committee = models.ForeignKey(
        Committee,
        verbose_name=_("committee"),
        on_delete=models.PROTECT,
        related_name="pending_seat_changes",
    )
    membership = models.ForeignKey(
        Membership,
        verbose_name=_("seat"),
        on_delete=models.PROTECT,
        related_name="pending_changes",
        help_text=_("The ex officio seat held through the post."),
    )
    position = models.ForeignKey(
        Position, verbose_name=_("post"), on_delete=models.PROTECT, related_name="+"
    )
    new_holding = models.ForeignKey(
        PositionHolding,
        verbose_name=_("new post holding"),
        on_delete=models.PROTECT,
        related_name="pending_seat_changes",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decision_note = models.CharField(_("reason"), max_length=500, blank=True)
    new_membership = models.ForeignKey(
        Membership,
        verbose_name=_("new seat"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("pending ex officio change")
        verbose_name_plural = _("pending ex officio changes")
        ordering = ["-created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "new_holding"],
                name="members_pendingseatchange_once_per_holding",
            ),
            models.CheckConstraint(
                condition=Q(status="pending") | Q(decided_at__isnull=False),
                name="members_pendingseatchange_decided_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.committee}: {self.position} → {self.new_holding.person}"
