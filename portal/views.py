"""The portal's pages: committees, people, agencies, decisions, search (thin: selectors do the reading)."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render

from committees import permissions
from members.selectors import today
from notifications.selectors import is_following
from portal import selectors
from portal.forms import AsOfForm, CommitteeFilterForm, SearchForm
from portal.lineage import lineage_svg

PAGE_SIZE = 50


def reader_required(view):
    """Signed in, and a reader of the registry (the permission module says who is)."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        permissions.require_reader(request.user)
        try:
            return view(request, *args, **kwargs)
        except ObjectDoesNotExist as exc:
            raise Http404 from exc

    return wrapper


@reader_required
def committee_list(request):
    form = CommitteeFilterForm(request.GET or None)
    if form.is_bound:
        form.is_valid()
    day = today()
    queryset = selectors.committee_list(filters=form.filters(), day=day)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "portal/committee_list.html",
        {"form": form, "page": page, "day": day, "query": query.urlencode()},
    )


@reader_required
def committee_detail(request, slug):
    committee = selectors.committee_get(slug)
    form = AsOfForm(request.GET or None)
    now = today()
    day = form.day(default=now)
    data = selectors.committee_page(committee=committee, day=day, user=request.user)
    return render(
        request,
        "portal/committee_detail.html",
        {
            "page": data,
            "committee": committee,
            "form": form,
            "today": now,
            "lineage": lineage_svg(committee, data.predecessors, data.successors),
            "following": is_following(request.user, committee),
        },
    )


@reader_required
def person_detail(request, slug):
    data = selectors.person_page(slug=slug, day=today())
    if data.merged_into is not None:
        return redirect(data.merged_into, permanent=True)  # a record merged into another
    return render(request, "portal/person_detail.html", {"page": data, "person": data.person})


@reader_required
def agency_detail(request, slug):
    data = selectors.agency_page(slug=slug, day=today())
    return render(request, "portal/agency_detail.html", {"page": data, "agency": data.agency})


@reader_required
def decision_detail(request, pk):
    data = selectors.decision_page(pk=pk)
    return render(
        request, "portal/decision_detail.html", {"page": data, "instrument": data.instrument}
    )


@reader_required
def search(request):
    form = SearchForm(request.GET or None)
    results = None
    if form.is_bound and form.is_valid() and form.cleaned_data["q"]:
        results = selectors.search(form.cleaned_data["q"])
    return render(request, "portal/search.html", {"form": form, "results": results})
