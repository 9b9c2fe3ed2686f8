"""The API lists' pages: 50 rows a page by number (`?page=2`), with links to the pages before and
after, and no total. Counting the whole filtered table on every page cost more than the page
itself at city scale (200,000 tasks, 100,000 seats); one more row read says whether a next page
follows."""

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.utils.urls import remove_query_param, replace_query_param


class RegistryPagination(BasePagination):
    page_size = api_settings.PAGE_SIZE or 50
    page_query_param = "page"
    max_page = 1_000_000

    def paginate_queryset(self, queryset, request, view=None):
        text = request.query_params.get(self.page_query_param, "1")
        # A page beyond any list (its offset would not even fit the database's integers).
        if not text.isdigit() or not 0 < int(text) <= self.max_page:
            raise NotFound(_("Invalid page."))
        self.number = int(text)
        self.request = request
        start = (self.number - 1) * self.page_size
        rows = list(queryset[start : start + self.page_size + 1])
        if not rows and self.number > 1:
            raise NotFound(_("Invalid page."))
        self.has_next = len(rows) > self.page_size
        return rows[: self.page_size]

    def _link(self, number: int) -> str:
        url = self.request.build_absolute_uri()
        if number == 1:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, number)

    def get_paginated_response(self, data):
        return Response(
            {
                "next": self._link(self.number + 1) if self.has_next else None,
                "previous": self._link(self.number - 1) if self.number > 1 else None,
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        link = {"type": "string", "nullable": True, "format": "uri"}
        return {
            "type": "object",
            "required": ["results"],
            "properties": {
                "next": {**link, "example": "http://api.example.org/accounts/?page=4"},
                "previous": {**link, "example": "http://api.example.org/accounts/?page=2"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": str(_("A page number within the paginated result set.")),
                "schema": {"type": "integer"},
            }
        ]
