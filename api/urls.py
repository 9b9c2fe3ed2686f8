"""The REST API (placeholder until the open-data issue lands)."""

app_name = "api"
urlpatterns: list = []
