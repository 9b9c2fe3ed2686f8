"""The portal's pages: committees, people, agencies, decisions, search."""

from django.urls import path

from portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("committees/", views.committee_list, name="committee-list"),
    path("committees/<slug:slug>/", views.committee_detail, name="committee-detail"),
    path("people/<slug:slug>/", views.person_detail, name="person-detail"),
    path("agencies/<slug:slug>/", views.agency_detail, name="agency-detail"),
    path("decisions/<int:pk>/", views.decision_detail, name="decision-detail"),
    path("search/", views.search, name="search"),
]
