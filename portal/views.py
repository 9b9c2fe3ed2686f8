"""The portal's views (placeholders until the portal issue lands)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def committee_list(request):
    return HttpResponse("")


@login_required
def committee_detail(request, slug):
    return HttpResponse("")


@login_required
def person_detail(request, slug):
    return HttpResponse("")


@login_required
def agency_detail(request, slug):
    return HttpResponse("")


@login_required
def decision_detail(request, pk):
    return HttpResponse("")


@login_required
def search(request):
    return HttpResponse("")
