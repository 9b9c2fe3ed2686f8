"""URLs of meetings, task boards, task pages, counts and calendar feeds."""

from django.urls import path

from work import views

app_name = "work"

urlpatterns = [
    path("committees/<slug:slug>/meetings/", views.committee_meetings, name="committee-meetings"),
    path("committees/<slug:slug>/meetings/new/", views.meeting_new, name="meeting-new"),
    path("committees/<slug:slug>/tasks/", views.committee_tasks, name="committee-tasks"),
    path("committees/<slug:slug>/calendar/", views.calendar_settings, name="calendar-settings"),
    path("agencies/<slug:slug>/tasks/", views.agency_tasks, name="agency-tasks"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting-detail"),
    path("meetings/documents/<int:pk>/", views.document_download, name="document-download"),
    path("tasks/mine/", views.my_tasks, name="my-tasks"),
    path("tasks/<int:pk>/", views.task_detail, name="task-detail"),
    path("tasks/evidence/<int:pk>/", views.task_evidence, name="task-evidence"),
    path("tasks/counts/", views.work_stats, name="stats"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar-feed"),
]
