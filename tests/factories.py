"""factory_boy factories for the registry's models (valid by default)."""

import factory
from django.contrib.auth import get_user_model

from committees.models import Agency, Committee, LegalInstrument, Succession
from committees.names import name_key
from committees.text import fold
from mandates.models import Mandate, Measurement, Target
from members.models import (
    ROLE_RANK,
    Membership,
    Person,
    Position,
    PositionHolding,
    Role,
    name_keys,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("a-Good-passw0rd")


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"Sở Thử nghiệm số {n}")
    slug = factory.Sequence(lambda n: f"so-thu-nghiem-{n}")
    short_name = ""
    kind = Agency.Kind.DEPARTMENT
    search_key = factory.LazyAttribute(lambda o: fold(o.name))
    name_key = factory.LazyAttribute(lambda o: name_key(o.name))
    short_name_key = factory.LazyAttribute(lambda o: name_key(o.short_name))


class InstrumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LegalInstrument

    kind = LegalInstrument.Kind.DECISION
    number = factory.Sequence(lambda n: f"{n}/QĐ-UBND")
    title = factory.Sequence(lambda n: f"Quyết định thành lập số {n}")
    issuer = factory.SubFactory(AgencyFactory)
    search_key = factory.LazyAttribute(lambda o: fold(f"{o.number} {o.title}"))


class CommitteeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Committee

    name = factory.Sequence(lambda n: f"Ban Chỉ đạo thử nghiệm số {n}")
    slug = factory.Sequence(lambda n: f"ban-chi-dao-{n}")
    kind = Committee.Kind.STEERING
    standing_agency = factory.SubFactory(AgencyFactory)
    declared_member_count = 10
    search_key = factory.LazyAttribute(lambda o: fold(o.name))
    name_key = factory.LazyAttribute(lambda o: name_key(o.name))


class SupportGroupFactory(CommitteeFactory):
    kind = Committee.Kind.SUPPORT_GROUP
    parent = factory.SubFactory(CommitteeFactory)
    name = factory.Sequence(lambda n: f"Tổ giúp việc số {n}")
    slug = factory.Sequence(lambda n: f"to-giup-viec-{n}")


class SuccessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Succession

    predecessor = factory.SubFactory(CommitteeFactory)
    successor = factory.SubFactory(CommitteeFactory)
    kind = Succession.Kind.MERGED_INTO


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    full_name = factory.Sequence(lambda n: f"Nguyễn Văn Thử {n}")
    slug = factory.Sequence(lambda n: f"nguyen-van-thu-{n}")
    search_key = factory.LazyAttribute(lambda o: fold(o.full_name))
    name_keys = factory.LazyAttribute(lambda o: name_keys(o.full_name, o.other_names))
    other_names = factory.LazyFunction(list)


class PositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Position

    title = factory.Sequence(lambda n: f"Giám đốc Sở số {n}")
    agency = factory.SubFactory(AgencyFactory)
    search_key = factory.LazyAttribute(lambda o: fold(o.title))


class HoldingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PositionHolding

    person = factory.SubFactory(PersonFactory)
    position = factory.SubFactory(PositionFactory)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    person = factory.SubFactory(PersonFactory)
    committee = factory.SubFactory(CommitteeFactory)
    role = Role.MEMBER
    role_rank = factory.LazyAttribute(lambda o: ROLE_RANK[o.role])


class MandateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mandate

    committee = factory.SubFactory(CommitteeFactory)
    text = factory.Sequence(lambda n: f"Nhiệm vụ số {n}")
    order = factory.Sequence(lambda n: n)
    search_key = factory.LazyAttribute(lambda o: fold(o.text))


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Target

    committee = factory.SubFactory(CommitteeFactory)
    indicator = factory.Sequence(lambda n: f"Chỉ tiêu số {n}")
    search_key = factory.LazyAttribute(lambda o: fold(o.indicator)[:500])
    unit = "%"
    target_value = 80


class MeasurementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Measurement

    target = factory.SubFactory(TargetFactory)
    value = 50
    date = factory.Sequence(
        lambda n: __import__("datetime").date(2024, 1, 1) + __import__("datetime").timedelta(days=n)
    )
