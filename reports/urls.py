"""Report pages (placeholder until the reports issue lands)."""

app_name = "reports"
urlpatterns: list = []
