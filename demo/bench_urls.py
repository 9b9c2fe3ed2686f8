"""The project's URLs plus the floor: a bare view that returns a constant (benchmark only)."""

from django.http import HttpResponse
from django.urls import path

from config.urls import handler400, handler500
from config.urls import urlpatterns as project_urlpatterns

__all__ = ["handler400", "handler500", "urlpatterns"]


def floor(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/floor/", floor, name="bench-floor"), *project_urlpatterns]
