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
from portal.forms import AsOfForm, CommitteeFilterForm, SearchForm, page_number
from portal.lineage import lineage_svg
from portal.public import public_or_reader

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


@public_or_reader
def committee_list(request, home: bool = False):
    form = CommitteeFilterForm(request.GET or None)
    if form.is_bound:
        form.is_valid()
    day = today()
    queryset = selectors.committee_list(filters=form.filters())
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    selectors.attach_actual_counts(page.object_list, day)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "portal/committee_list.html",
        {"form": form, "page": page, "day": day, "query": query.urlencode(), "home": home},
    )


def home(request):
    """The home page: the committee directory, with a word on what the registry is."""
    return committee_list(request, home=True)


@public_or_reader
def committee_detail(request, slug):
    committee = selectors.committee_get(slug)
    form = AsOfForm(request.GET or None)
    now = today()
    day = form.day(default=now)
    data = selectors.committee_page(
        committee=committee,
        day=day,
        user=request.user,
        reader=request.registry_reader,
        roster_number=page_number(request, "members"),
        timeline_number=page_number(request, "changes"),
    )
    # Each pager keeps the day asked and the other list's page.
    keep = {}
    for name, other, number in (
        ("members", "changes", data.timeline_slice.number),
        ("changes", "members", data.roster_slice.number),
    ):
        query = request.GET.copy()
        query.pop(name, None)
        query.pop(other, None)
        if number > 1:
            query[other] = str(number)
        keep[name] = query.urlencode()
    return render(
        request,
        "portal/committee_detail.html",
        {
            "page": data,
            "committee": committee,
            "form": form,
            "today": now,
            "lineage": lineage_svg(committee, data.predecessors, data.successors),
            "reader": request.registry_reader,
            # Following is for readers (the work queue is theirs); None hides the button.
            "following": is_following(request.user, committee) if request.registry_reader else None,
            "roster_keep": keep["members"],
            "changes_keep": keep["changes"],
        },
    )


@public_or_reader
def person_detail(request, slug):
    data = selectors.person_page(slug=slug, day=today())
    if data.merged_into is not None:
        return redirect(data.merged_into, permanent=True)  # a record merged into another
    return render(request, "portal/person_detail.html", {"page": data, "person": data.person})


@public_or_reader
def agency_detail(request, slug):
    data = selectors.agency_page(slug=slug, day=today())
    return render(request, "portal/agency_detail.html", {"page": data, "agency": data.agency})


@public_or_reader
def decision_detail(request, pk):
    data = selectors.decision_page(pk=pk)
    return render(
        request, "portal/decision_detail.html", {"page": data, "instrument": data.instrument}
    )


@public_or_reader
def search(request):
    form = SearchForm(request.GET or None)
    results = None
    if form.is_bound and form.is_valid() and form.cleaned_data["q"]:
        results = selectors.search(form.cleaned_data["q"], day=today())
    return render(request, "portal/search.html", {"form": form, "results": results})
