"""Work queue pages: the full queue, follow/unfollow a committee, the preferences page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from committees import permissions
from committees.models import Committee
from notifications import selectors, services
from notifications.forms import PreferenceForm


@login_required
def queue(request):
    permissions.require_work_queue(request.user)
    return render(request, "notifications/queue.html", {})


@login_required
@require_POST
def follow(request, slug):
    permissions.require_reader(request.user)
    committee = Committee.objects.filter(slug=slug).first()
    if committee is None:
        raise Http404
    following = request.POST.get("action") != "unfollow"
    services.follow_set(user=request.user, committee=committee, following=following)
    if following:
        messages.success(request, _("You now follow %(name)s.") % {"name": committee.name})
    else:
        messages.success(request, _("You no longer follow %(name)s.") % {"name": committee.name})
    target = request.POST.get("next") or committee.get_absolute_url()
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = committee.get_absolute_url()
    return redirect(target)


@login_required
def preferences(request):
    permissions.require_work_queue(request.user)
    preference = selectors.preference_get(request.user)
    muted = set(preference.muted_rules.values_list("pk", flat=True)) if preference.pk else set()
    if request.method == "POST":
        form = PreferenceForm(request.POST, user=request.user)
        if form.is_valid():
            received = {rule.pk for rule in form.cleaned_data["receive"]}
            muted_rules = [
                rule for rule in selectors.optional_rules(request.user) if rule.pk not in received
            ]
            try:
                services.preference_update(
                    user=request.user,
                    language=form.cleaned_data["language"],
                    muted_rules=muted_rules,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Your preferences are saved."))
                return redirect("notifications:preferences")
    else:
        form = PreferenceForm(
            user=request.user,
            initial={
                "language": preference.language,
                "receive": [
                    rule.pk
                    for rule in selectors.optional_rules(request.user)
                    if rule.pk not in muted
                ],
            },
        )
    mandatory = selectors.mandatory_rules(request.user)
    return render(
        request, "notifications/preferences.html", {"form": form, "mandatory": list(mandatory)}
    )
