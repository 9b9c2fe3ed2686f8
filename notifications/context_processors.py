"""`work_queue` in every template: the signed-in user's queue, read only when a template uses it
(the menu count, the portal home, the admin home), once per request."""

from django.utils.functional import SimpleLazyObject

from notifications import selectors


def work_queue(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"work_queue": SimpleLazyObject(lambda: selectors.work_queue(user))}
