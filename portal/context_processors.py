"""`site_menu` in every template: which menu entries the user may open (the permission module
decides), read only when a template draws the menu."""

from django.utils.functional import SimpleLazyObject

from committees import permissions


def site_menu(request):
    user = getattr(request, "user", None)
    return {"site_menu": SimpleLazyObject(lambda: permissions.site_menu(user))}
