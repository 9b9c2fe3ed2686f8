"""The API's views: read-only endpoints, the Popolo exports, and the documentation page."""

import hashlib
import re
from functools import cache, partial

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.http import (
    HttpResponse,
    HttpResponseBase,
    HttpResponsePermanentRedirect,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_vary_headers, set_response_etag
from django.utils.html import escape
from django.utils.http import http_date
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions as drf_permissions
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.viewsets import ReadOnlyModelViewSet

from api import filters, serializers
from api.models import ExternalIdentifier
from api.popolo import popolo_json
from areas.models import Area
from committees import permissions
from committees.models import Agency, Committee, LegalInstrument, Succession
from mandates.models import Mandate, Measurement, Target
from members.models import Membership, Person, Position
from members.selectors import (
    MemberCounts,
    memberships_active_on,
    seat_counts_by_committee,
    seat_kind_counts,
    today,
    with_post_left,
)
from portal.revision import registry_revision


def _conditional(request, response):
    """An ETag from the rendered body; a client that already has it gets 304 Not Modified."""
    set_response_etag(response)
    return get_conditional_response(request, etag=response.get("ETag"), response=response)


class ConditionalMixin:
    """ETag on every successful read. The body depends on who asks, so Vary says so."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method in ("GET", "HEAD") and response.status_code == 200:
            patch_vary_headers(response, ("Authorization", "Cookie", "Accept-Language"))
            response.add_post_render_callback(partial(_conditional, request._request))
        return response


class IsReader(drf_permissions.BasePermission):
    """Readers of the registry, as committees.permissions says (token or session)."""

    def has_permission(self, request, view):
        return permissions.is_reader(request.user)


def _client_is_reader(request) -> bool:
    return request is not None and permissions.is_reader(getattr(request, "user", None))


def attach_identifiers(objects, model) -> None:
    """Set `external_identifiers` on each object, in one query."""
    objects = list(objects)
    if not objects:
        return
    content_type = ContentType.objects.get_for_model(model)
    found: dict[int, list] = {obj.pk: [] for obj in objects}
    rows = ExternalIdentifier.objects.filter(
        content_type=content_type, object_id__in=list(found)
    ).order_by("scheme", "identifier")
    for row in rows:
        found[row.object_id].append({"scheme": row.scheme, "identifier": row.identifier})
    for obj in objects:
        obj.external_identifiers = found[obj.pk]


class RegistryViewSet(ConditionalMixin, ReadOnlyModelViewSet):
    """Read-only, paginated, filtered; restricted fields only for readers."""

    with_identifiers = False

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["reader"] = _client_is_reader(getattr(self, "request", None))
        return context

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None and self.with_identifiers:
            attach_identifiers(page, self.queryset.model)
        return page

    def get_object(self):
        obj = super().get_object()
        if self.with_identifiers:
            attach_identifiers([obj], self.queryset.model)
        return obj


class CommitteeViewSet(RegistryViewSet):
    """Committees, national committees, support groups and councils, with lineage and member counts.

    `actual_member_count` counts the seats held today; `declared_member_count` is what
    the founding decision says."""

    queryset = Committee.objects.all()
    serializer_class = serializers.CommitteeSerializer
    filterset_class = filters.CommitteeFilter
    lookup_field = "slug"
    with_identifiers = True

    def get_queryset(self):
        return (
            Committee.objects.select_related("parent", "standing_agency", "jurisdiction_area")
            .prefetch_related(
                Prefetch(
                    "successions_in", queryset=Succession.objects.select_related("predecessor")
                ),
                Prefetch(
                    "successions_out", queryset=Succession.objects.select_related("successor")
                ),
            )
            .order_by("level", "name", "pk")
        )

    # Counting seats for the page's committees only: an annotation would aggregate every
    # membership of the registry before paging.
    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None:
            _attach_member_counts(page)
        return page

    def get_object(self):
        committee = super().get_object()
        _attach_member_counts([committee])
        return committee


def _attach_member_counts(committees) -> None:
    counts = seat_counts_by_committee([c.pk for c in committees], today())
    for committee in committees:
        seats = counts.get(committee.pk) or MemberCounts(declared=None, named=0)
        committee.actual_member_count = seats.actual
        committee.named_member_count = seats.named
        committee.title_only_seat_count = seats.title_only
        committee.vacant_seat_count = seats.vacant


def member_count_annotations() -> dict[str, Coalesce]:
    """The same counts as annotations of a committee queryset (for reading every committee
    through one cursor, as the open-data files do)."""
    seats = (
        Membership.objects.filter(memberships_active_on(today()), committee_id=OuterRef("pk"))
        .order_by()
        .values("committee_id")
    )
    kinds = seat_kind_counts()
    counts = {
        "actual_member_count": Count("pk"),
        "named_member_count": kinds["named"],
        "title_only_seat_count": kinds["title_only"],
        "vacant_seat_count": kinds["vacant"],
    }
    return {
        name: Coalesce(Subquery(seats.annotate(n=count).values("n")), 0)
        for name, count in counts.items()
    }


class PersonViewSet(RegistryViewSet):
    """People, with other names and identifiers. `q` searches without diacritics."""

    queryset = Person.objects.all()
    serializer_class = serializers.PersonSerializer
    filterset_class = filters.PersonFilter
    lookup_field = "slug"
    with_identifiers = True

    def get_queryset(self):
        # A person merged into another is no longer listed; its address leads to the kept one.
        return Person.objects.filter(merged_into__isnull=True).order_by("full_name", "pk")

    def retrieve(self, request, *args, **kwargs):
        slug = kwargs[self.lookup_field]
        merged = (
            Person.objects.filter(slug=slug, merged_into__isnull=False)
            .values_list("merged_into__slug", flat=True)
            .first()
        )
        if merged is not None:
            url = reverse("api:person-detail", args=[merged])
            query = request.META.get("QUERY_STRING", "")
            return HttpResponsePermanentRedirect(f"{url}?{query}" if query else url)
        return super().retrieve(request, *args, **kwargs)


class MembershipViewSet(RegistryViewSet):
    """Seats: a person in a role on a committee, dated. `active_on=YYYY-MM-DD` gives a roster on a day
    (a seat whose start is unknown counts)."""

    queryset = Membership.objects.all()
    serializer_class = serializers.MembershipSerializer
    filterset_class = filters.MembershipFilter

    def get_queryset(self):
        return with_post_left(
            Membership.objects.select_related(
                "person", "committee", "position", "home_agency", "on_behalf_of", "area"
            ).order_by("committee_id", "role_rank", "pk")  # the roster index serves this order
        )

    @extend_schema(
        responses=serializers.MembershipHistorySerializer(many=True),
        filters=False,
        description="Every recorded version of the seat, with who changed it and why (readers only).",
    )
    @action(detail=True, permission_classes=[IsReader], pagination_class=None, filterset_class=None)
    def history(self, request, pk=None):
        membership = get_object_or_404(Membership, pk=pk)
        versions = membership.history.select_related("history_user").order_by("history_date")
        return Response(serializers.MembershipHistorySerializer(versions, many=True).data)


class AgencyViewSet(RegistryViewSet):
    """Agencies: the People's Committee, departments, the police, Party bodies, parties…"""

    queryset = Agency.objects.all()
    serializer_class = serializers.AgencySerializer
    filterset_class = filters.AgencyFilter
    lookup_field = "slug"
    with_identifiers = True

    def get_queryset(self):
        return Agency.objects.select_related("parent").order_by("level", "name", "pk")


class AreaViewSet(RegistryViewSet):
    """Areas: the country, provinces and cities, districts, communes, constituencies. A body's
    `jurisdiction_area` and a seat's `area` name them by slug."""

    queryset = Area.objects.all()
    serializer_class = serializers.AreaSerializer
    filterset_class = filters.AreaFilter
    lookup_field = "slug"

    def get_queryset(self):
        return Area.objects.select_related("parent").order_by("kind", "name", "pk")


class DecisionViewSet(RegistryViewSet):
    """Decisions, resolutions, laws, schemes and plans."""

    queryset = LegalInstrument.objects.all()
    serializer_class = serializers.DecisionSerializer
    filterset_class = filters.DecisionFilter

    def get_queryset(self):
        return LegalInstrument.objects.select_related("issuer").order_by(
            "-signed_on", "number", "pk"
        )


class PositionViewSet(RegistryViewSet):
    """Posts in agencies that give ex officio seats."""

    queryset = Position.objects.all()
    serializer_class = serializers.PositionSerializer
    filterset_class = filters.PositionFilter

    def get_queryset(self):
        return Position.objects.select_related("agency").order_by("agency__name", "title", "pk")


class MandateViewSet(RegistryViewSet):
    """What each committee is charged with, and on which legal basis."""

    queryset = Mandate.objects.all()
    serializer_class = serializers.MandateSerializer
    filterset_class = filters.MandateFilter

    def get_queryset(self):
        # By committee id, the order of an index (a committee's name would sort every mandate).
        return (
            Mandate.objects.select_related("committee")
            .prefetch_related("legal_basis")
            .order_by("committee_id", "order", "pk")
        )


class TargetViewSet(RegistryViewSet):
    """Targets with their measurements (newest first) and today's status."""

    queryset = Target.objects.all()
    serializer_class = serializers.TargetSerializer
    filterset_class = filters.TargetFilter

    def get_queryset(self):
        # By committee id, the order of an index (a committee's name would sort every target).
        return (
            Target.objects.select_related("committee", "responsible_agency")
            .prefetch_related(
                Prefetch(
                    "measurements",
                    queryset=Measurement.objects.order_by("target_id", "-date", "-pk"),
                )
            )
            .order_by("committee_id", "deadline", "pk")
        )


POPOLO_DESCRIPTION = (
    "A Popolo JSON document (persons, organizations, areas, memberships, posts, events). "
    "Extra fields: registry_type, kind, level, standing_agency_id, declared_member_count, "
    "actual_member_count, lineage, end_reason, home_agency_id, single_holder; fields an "
    "imported file gave that the registry has no column for come back as given. Gender and "
    "contact details only for readers."
)


def popolo_response(request, *, committee: Committee | None = None) -> HttpResponseBase:
    """The Popolo document, written as it is read (api.popolo.popolo_json).

    Its ETag and Last-Modified come from the registry's revision (portal.revision), which
    moves on every registry write, with the day (a seat's term starts and ends with the
    calendar), who may read what, and the scope: a client that has the document gets 304
    without anything being read from the database. If-Modified-Since alone is not trusted:
    two writes in the same second would look alike."""
    reader = _client_is_reader(request)
    revision = registry_revision()
    scope = committee.pk if committee is not None else "registry"
    raw = f"popolo|{revision}|{today().isoformat()}|{int(reader)}|{scope}"
    headers = {
        "ETag": f'"{hashlib.sha256(raw.encode()).hexdigest()[:32]}"',
        "Last-Modified": http_date(int(revision) // 10**9 if revision.isdigit() else None),
    }
    not_modified = get_conditional_response(request._request, etag=headers["ETag"])
    if not_modified is not None:
        response = not_modified
    elif request.method == "HEAD":
        response = HttpResponse(content_type="application/json")
    else:
        response = StreamingHttpResponse(
            popolo_json(committee=committee, reader=reader), content_type="application/json"
        )
    for name, value in headers.items():
        response[name] = value
    patch_vary_headers(response, ("Authorization", "Cookie", "Accept-Language"))
    return response


class PopoloView(APIView):
    """The whole registry as Popolo JSON."""

    renderer_classes = [JSONRenderer]

    @extend_schema(responses={200: OpenApiTypes.OBJECT}, description=POPOLO_DESCRIPTION)
    def get(self, request):
        return popolo_response(request)


class CommitteePopoloView(APIView):
    """One committee and its support groups as Popolo JSON."""

    renderer_classes = [JSONRenderer]

    @extend_schema(
        responses={200: OpenApiTypes.OBJECT},
        description=POPOLO_DESCRIPTION,
        parameters=[OpenApiParameter("slug", str, OpenApiParameter.PATH)],
    )
    def get(self, request, slug: str):
        committee = get_object_or_404(Committee, slug=slug)
        return popolo_response(request, committee=committee)


def markdown_html(text: str) -> SafeString:
    """The little markdown the schema's descriptions use, as HTML: paragraphs, `code` and
    "* item" lists (everything else escaped)."""
    blocks = []
    for block in re.split(r"\n\s*\n", (text or "").strip()):
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        if not lines:
            continue
        if all(line.startswith(("* ", "- ")) for line in lines):
            items = "".join(f"<li>{_inline(line[2:])}</li>" for line in lines)
            blocks.append(f'<ul class="md-list">{items}</ul>')
        else:
            blocks.append(f"<p>{_inline(' '.join(lines))}</p>")
    return mark_safe("".join(blocks))  # noqa: S308 (every piece escaped by _inline)


def _inline(text: str) -> str:
    parts = re.split(r"`([^`]*)`", text)
    return "".join(
        f"<code>{escape(part)}</code>" if index % 2 else str(escape(part))
        for index, part in enumerate(parts)
    )


@cache
def _endpoints(language: str | None = None) -> tuple[dict, ...]:
    """The operations of the OpenAPI schema, for the documentation page (built once a
    language, in that language: DRF's and the filters' texts are translated as it runs)."""
    with translation.override(language or translation.get_language()):
        schema = SchemaGenerator().get_schema(request=None, public=True)
        rows = []
        for path, operations in schema["paths"].items():
            for method, operation in operations.items():
                rows.append(
                    {
                        "method": method.upper(),
                        "path": path,
                        "description": str(operation.get("description", "")).strip(),
                        "parameters": [
                            {
                                "name": p["name"],
                                "where": p["in"],
                                "description": str(p.get("description", "")),
                            }
                            for p in operation.get("parameters", [])
                        ],
                    }
                )
    return tuple(rows)


def docs(request):
    """A plain page listing the endpoints from the schema, all in the page's language, the
    descriptions' markdown rendered; no script, no CDN."""
    endpoints = [
        {
            **endpoint,
            "description": markdown_html(gettext(endpoint["description"])),
            "parameters": [
                {**parameter, "description": markdown_html(parameter["description"])}
                for parameter in endpoint["parameters"]
            ],
        }
        for endpoint in _endpoints(translation.get_language())
    ]
    return render(request, "api/docs.html", {"endpoints": endpoints})


class CommitteePackageView(ConditionalMixin, APIView):
    """One body as a committee package (docs/committee-package.md), with the seats open on
    `as_of` (dd/mm/yyyy or yyyy-mm-dd; today by default, a dissolved body's last day)."""

    renderer_classes = [JSONRenderer]

    @extend_schema(
        responses={200: OpenApiTypes.OBJECT},
        parameters=[
            OpenApiParameter("slug", str, OpenApiParameter.PATH),
            OpenApiParameter("as_of", str, OpenApiParameter.QUERY, required=False),
        ],
    )
    def get(self, request, slug: str):
        from committees.partial_dates import Precision, parse_partial_date
        from packages.export import export_package

        committee = get_object_or_404(Committee, slug=slug)
        as_of = None
        if request.query_params.get("as_of"):
            try:
                as_of, precision = parse_partial_date(request.query_params["as_of"])
            except ValueError:
                precision = None
            if precision != Precision.DAY:
                return Response(
                    {"as_of": [gettext("Give a day: dd/mm/yyyy or yyyy-mm-dd.")]}, status=400
                )
        return Response(export_package(committee, as_of))
