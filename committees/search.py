"""Accent-insensitive search: every word of a query, folded, in one of the folded key columns."""

from django.db.models import Q, QuerySet

from committees.text import fold


def filter_folded(queryset: QuerySet, query: str, fields: tuple[str, ...] = ("search_key",)):
    """Rows in which each word of the query appears in one of `fields`, so "nguyen van duoc"
    finds "Nguyễn Văn Được". A query without words leaves the queryset as it is."""
    for word in fold(query).split():
        condition = Q()
        for field in fields:
            condition |= Q(**{f"{field}__contains": word})
        queryset = queryset.filter(condition)
    return queryset
