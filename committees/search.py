"""Search, one rule for every search box (the portal, the API's `q`, the admin's lists and
pickers): each word of the query, folded, begins a word of a folded key, so "ban chi dao"
finds "Ban Chỉ đạo …" and "nguy" finds "Nguyễn"; when nothing begins so, near spellings
("nguyen vna") through trigrams.

A word is a run of letters and digits; anything else separates words ("45/QĐ-UBND" holds
"45", "qd" and "ubnd"). On PostgreSQL the words of each search key are a text-search vector
the database keeps beside it (`search_words`, a stored generated column, GIN-indexed: the
`*_stored_search_words` migrations), queried with prefix terms (`ban:* & chi:* & dao:*`): a
rare word is an index scan, and a list walked in its own order tests each row cheaply and
stops at its page's last row; the typo fallback uses the trigram index (word similarity). On
SQLite (`make run`) a regular expression at word starts finds the same rows, with no fallback.
"""

import re
from collections.abc import Callable, Sequence

from django.contrib.postgres.search import SearchVectorField, TrigramWordSimilarity
from django.db import connection, connections
from django.db.models import BooleanField, F, Func, Model, Q, QuerySet, Value
from django.db.models.expressions import Col, Expression, RawSQL
from django.db.models.functions import Greatest

from committees.text import fold

MAX_QUERY_LENGTH = 200
MAX_WORDS = 12
NEAR_CANDIDATES = 200
NEAR_SIMILARITY = 0.5  # pg_trgm's word similarity: "nguyne" is 0.57 near "nguyen"
KEY = ("search_key",)
WORDS_OF = {"search_key": "search_words"}  # each key column's stored words (see _StoredWords)
# How a list with its own key and keys across relations tells common words from rare ones:
# the words are common when they begin the own keys of one row in COMMON_SHARE of the first
# COMMON_SAMPLE rows of its table.
COMMON_SAMPLE = 1000
COMMON_SHARE = 10
_SEPARATORS = re.compile(r"[\W_]+")


class _StoredWords(Expression):
    """The words of a folded key as PostgreSQL keeps them: a column beside the key, generated
    from it by the database (the `*_stored_search_words` migrations), GIN-indexed and cheap to
    test row by row. It is no model field (nothing Django writes names it), so it is read here
    as a column of the queried table itself, whatever alias that table takes."""

    output_field = SearchVectorField()

    def __init__(self, column: str):
        super().__init__()
        self.column = WORDS_OF[column]

    def resolve_expression(self, query=None, *args, **kwargs):
        field = SearchVectorField()
        field.set_attributes_from_name(self.column)
        return Col(query.get_initial_alias(), field)


class _WordsMatch(Func):
    """`words @@ to_tsquery('simple', terms)`, terms such as 'ban:* & chi:*'."""

    output_field = BooleanField()

    def __init__(self, column: str, terms: str):
        super().__init__(_StoredWords(column), Value(terms))

    def as_sql(self, compiler, connection, **extra):
        vector, vector_params = compiler.compile(self.source_expressions[0])
        terms, terms_params = compiler.compile(self.source_expressions[1])
        sql = f"{vector} @@ to_tsquery('simple'::regconfig, {terms})"
        return sql, (*vector_params, *terms_params)


def _all_begin(words: Sequence[str]) -> str:
    # Words are letters and digits only: nothing in them is tsquery syntax.
    return " & ".join(f"{word}:*" for word in words)


def query_words(query: str) -> list[str]:
    """The folded words of a query: "NGUYỄN Văn  Được" → ["nguyen", "van", "duoc"]."""
    words = _SEPARATORS.split(fold((query or "")[:MAX_QUERY_LENGTH]))
    return [w for w in words if w][:MAX_WORDS]


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def _split(queryset: QuerySet, field: str) -> tuple[str, type[Model], str]:
    """("person__search_key" on seats) → ("person", Person, "search_key"): the relation to
    the row holding the key, that row's model and the key column; a column of the row
    itself is reached through "pk"."""
    path, _, column = field.rpartition("__")
    model = queryset.model
    for name in path.split("__") if path else ():
        model = model._meta.get_field(name).related_model
    return (path or "pk"), model, column


def _where(
    queryset: QuerySet,
    fields: Sequence[str],
    condition: Callable[[type[Model], str], Q],
    *,
    common: bool = False,
) -> Q:
    """Rows in which one of `fields` meets `condition` (given the key's model and column).
    A key of the row itself alone is tested in place. A key across a relation is asked as
    `relation IN (the matching rows of its table)`, so that table answers from its own index
    whatever the joins, and no row comes twice; so is the row's own key beside it, unless
    the words are `common` there: then it is tested in place, row by row (its stored words
    are a cheap test), and a list walked in its order stops at its page instead of first
    gathering every row that holds a common word."""
    either = Q()
    for field in fields:
        relation, model, column = _split(queryset, field)
        if relation == "pk" and (common or len(fields) == 1):
            either |= condition(model, column)
            continue
        rows = model._default_manager.filter(condition(model, column)).values("pk")
        either |= Q(**{f"{relation}__in": rows})
    return either


def _begins(column: str, words: Sequence[str]) -> Q:
    if _postgres():
        return Q(_WordsMatch(column, _all_begin(words)))
    condition = Q()
    for word in words:
        condition &= Q(**{f"{column}__regex": rf"(?:^|[\W_]){re.escape(word)}"})
    return condition


def begins(
    queryset: QuerySet, query: str, *, fields: Sequence[str] = KEY, common: bool = False
) -> QuerySet:
    """Rows in which each word of the query begins a word of one of `fields` (folded key
    columns, "search_key" or across relations: "person__search_key"). A blank query leaves
    the queryset as it is; a query with no letters or digits ("%") finds nothing. `common`:
    the words begin the own keys of many rows (`matching` finds out), see `_where`; the rows
    found are the same either way."""
    if not (query or "").strip():
        return queryset
    words = query_words(query)
    if not words:
        return queryset.none()
    if len(fields) == 1:
        # One key: one index scan over every word at once.
        return queryset.filter(
            _where(queryset, fields, lambda _model, column: _begins(column, words))
        )
    condition = Q()
    for word in words:
        condition &= _where(
            queryset,
            fields,
            lambda _model, column, w=word: _begins(column, [w]),
            common=common,
        )
    return queryset.filter(condition)


def near(queryset: QuerySet, query: str, *, fields: Sequence[str] = KEY) -> QuerySet:
    """The typo fallback: rows whose key holds a near spelling of the query (pg_trgm word
    similarity at least NEAR_SIMILARITY), closest first when the key is the row's own.
    Scoring every key is what makes a common word slow, so only candidates are scored: keys
    in which every word of the query but one begins a word, and that one's first letter
    does ("nguyen vna": the Nguyễn V…), at most NEAR_CANDIDATES of them from each table's
    word index. Nothing on SQLite."""
    words = query_words(query)
    if not words or not _postgres():
        return queryset.none()
    text = " ".join(words)
    loose = " | ".join(
        f"({_all_begin([w[0] if i == odd else w for i, w in enumerate(words)])})"
        for odd in range(len(words))
    )

    def condition(model: type[Model], column: str) -> Q:
        candidates = (
            model._default_manager.filter(_WordsMatch(column, loose))
            .order_by()
            .values(near_pk=F("pk"), near_key=F(column))[:NEAR_CANDIDATES]
        )
        sql, params = candidates.query.sql_with_params()
        # Scored outside the LIMIT, so the planner cannot score every key of the table. Only
        # Django's own SQL is interpolated; the query's words are parameters.
        near_keys = RawSQL(  # noqa: S611
            "SELECT c.near_pk FROM (%s) c WHERE word_similarity(%%s, c.near_key) >= %%s" % sql,  # noqa: S608, UP031
            (*params, text, NEAR_SIMILARITY),
        )
        return Q(pk__in=near_keys)

    queryset = queryset.filter(_where(queryset, fields, condition))
    own = [field for field in fields if "__" not in field]
    if not own:
        return queryset
    closeness = [TrigramWordSimilarity(text, field) for field in own]
    queryset = queryset.annotate(
        search_closeness=closeness[0] if len(closeness) == 1 else Greatest(*closeness)
    )
    return queryset.order_by(
        "-search_closeness", *queryset.query.order_by or queryset.model._meta.ordering
    )


def _ask(
    querysets: Sequence[QuerySet], sample: tuple[type[Model], str, str] | None = None
) -> tuple[bool, bool]:
    """Whether one of the querysets has a row; and, given `sample` (a model, its key column
    and tsquery terms), whether the terms match the key of one row in COMMON_SHARE of the
    first COMMON_SAMPLE rows of its table. In one query.

    Each queryset is read only if the ones before it found nothing, as a materialized CTE,
    planned to find all its rows: asked for one row, PostgreSQL expects an early match and
    reads the whole table when none comes (a rare word over 200,000 tasks), where the word
    index answers in milliseconds. The sample reads those first rows and nothing more."""
    ctes, asks, params = [], [], []
    for number, queryset in enumerate(querysets):
        sql, sql_params = queryset.order_by().values("pk").query.sql_with_params()
        ctes.append(f"found_{number} AS MATERIALIZED ({sql})")
        asks.append(f"EXISTS (SELECT 1 FROM found_{number})")  # noqa: S608
        params += sql_params
    db = connections[querysets[0].db]
    common = "NULL"
    if sample is not None:
        model, column, terms = sample
        words = db.ops.quote_name(WORDS_OF[column])
        table = db.ops.quote_name(model._meta.db_table)
        first = f"SELECT {words} AS words FROM {table} LIMIT {COMMON_SAMPLE}"  # noqa: S608
        held = "count(*) FILTER (WHERE s.words @@ to_tsquery('simple'::regconfig, %s))"
        common = f"(SELECT {held} * {COMMON_SHARE} >= count(*) FROM ({first}) s)"  # noqa: S608
        params.append(terms)
    # Only Django's own SQL and names are interpolated; the query's words are parameters.
    statement = f"WITH {', '.join(ctes)} SELECT {' OR '.join(asks)}, {common}"
    with db.cursor() as cursor:
        cursor.execute(statement, params)
        found, common_words = cursor.fetchone()
        return found, bool(common_words)


def matching(queryset: QuerySet, query: str, *, fields: Sequence[str] = KEY) -> QuerySet:
    """`begins`, or when that finds nothing, `near`: one query more to know, whatever the size.
    With keys across relations, that query first asks the row's own key for every word (one
    index scan), before the costlier question of each word in any key; and it looks at the
    first rows of the table to tell whether the words are common in the rows' own keys (see
    `_where`: PostgreSQL cannot weigh that itself across an OR of keys of several tables)."""
    found = begins(queryset, query, fields=fields)
    if not query_words(query) or not _postgres():
        return found
    own = [field for field in fields if "__" not in field]
    if len(fields) == 1 or not own:
        anything, _common = _ask([found])
        return found if anything else near(queryset, query, fields=fields)
    own_found = [begins(queryset, query, fields=[field]) for field in own]
    terms = _all_begin(query_words(query))
    anything, common = _ask([*own_found, found], sample=(queryset.model, own[0], terms))
    if not anything:
        return near(queryset, query, fields=fields)
    return begins(queryset, query, fields=fields, common=True) if common else found
