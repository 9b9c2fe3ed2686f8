"""URL map of the registry."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from config import health
from packages import decision_views

urlpatterns = [
    # Normally answered by config.health.HealthCheckMiddleware before routing.
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("api/", include("api.urls")),
    path("reports/", include("reports.urls")),
    path("open-data/", include("opendata.urls")),
    path("", include("work.urls")),
    path("decisions/<int:pk>/scan/", decision_views.scan_view, name="decision-scan"),
    path("notifications/", include("notifications.urls")),
    path("", include("portal.urls")),
]

# A database outage met outside a view is a 503 with a plain message too.
handler500 = "config.middleware.server_error"
# Form data over Django's size limits is refused with a clear message.
handler400 = "config.middleware.bad_request"
