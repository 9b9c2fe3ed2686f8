"""The REST API, the Popolo exports, the OpenAPI schema and its documentation page."""

from django.urls import path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from api import views
from work import api_views as work_api

app_name = "api"

router = SimpleRouter()
router.register("committees", views.CommitteeViewSet, basename="committee")
router.register("people", views.PersonViewSet, basename="person")
router.register("memberships", views.MembershipViewSet, basename="membership")
router.register("agencies", views.AgencyViewSet, basename="agency")
router.register("areas", views.AreaViewSet, basename="area")
router.register("decisions", views.DecisionViewSet, basename="decision")
router.register("posts", views.PositionViewSet, basename="post")
router.register("mandates", views.MandateViewSet, basename="mandate")
router.register("targets", views.TargetViewSet, basename="target")
router.register("meetings", work_api.MeetingViewSet, basename="meeting")
router.register("tasks", work_api.TaskViewSet, basename="task")

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="api:docs", permanent=False), name="root"),
    path("popolo.json", views.PopoloView.as_view(), name="popolo"),
    path(
        "committees/<slug:slug>/popolo.json",
        views.CommitteePopoloView.as_view(),
        name="committee-popolo",
    ),
    path(
        "committees/<slug:slug>/package.json",
        views.CommitteePackageView.as_view(),
        name="committee-package",
    ),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", views.docs, name="docs"),
    *router.urls,
]
