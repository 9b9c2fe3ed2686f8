"""Open-data pages, mounted at /open-data/."""

from django.urls import path, re_path

from opendata import views

app_name = "opendata"

urlpatterns = [
    path("", views.index, name="index"),
    path("dictionary/", views.dictionary, name="dictionary"),
    re_path(r"^(?P<name>[a-z_-]+\.(?:csv|json))$", views.download, name="download"),
]
