"""Work queue pages, mounted at /notifications/."""

from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("preferences/", views.preferences, name="preferences"),
    path("follow/<slug:slug>/", views.follow, name="follow"),
]
