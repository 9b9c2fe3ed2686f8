"""Report pages, mounted at /reports/."""

from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("<int:pk>/download/", views.report_download, name="download"),
    path("status.json", views.report_status, name="status"),
    path("committee/<slug:slug>/request/", views.report_request_current, name="request-current"),
]
