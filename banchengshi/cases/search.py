"""Chinese full-text search over cases (issue 12): tokens, the index and the queries, for both databases.

The words of a case (its matter's name, the business name, the reference, the enterprise's name; what the
reporter wrote, what they ask for, the result) are cut by jieba in search mode (`cut_for_search`: 医保卡
gives 医保 and 医保卡) without its HMM guesses, whose words depend on the neighbouring text, so that a
query is cut exactly as the stored text was. The tokens, space-joined, go into a side table keyed by the
case id:

- SQLite: an FTS5 table `cases_case_search(head, body)` (rowid = case id), ranked by bm25;
- PostgreSQL: `cases_case_search(case_id, document tsvector)` with a GIN index, the tsvector written from
  our tokens (never through a text-search parser), head words weight A, body words weight B, ranked by
  ts_rank.

A query is cut the same way; each of its words (split at spaces) must match: all its tokens (so 医保卡补办
finds "医保卡……补办"), or, for the roles that see reporters' names (Need.CONTACT_DETAILS), the lookup
hash of the reporter's full name (names are ciphertext at rest: `Case.reporter_name_hash`). Other roles'
queries never touch the name hash, so a name finds nothing for them and the counts show nothing. The
enterprise name is in the index for every reader: each reader of a case sees it in lists and in the API.

Only tokens reach the databases' query syntax, and tokens are runs of letters and digits (`[^\\W_]+`):
no quote, star, colon, operator or NEAR can get in, and an emoji or a sign is dropped.

Ranking: with at most RANK_LIMIT matches, best first (then newest); more matches than that (社保 at a
million cases) are shown newest first, which an index answers without ranking a hundred thousand rows.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import BooleanField, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from banchengshi.accounts.access import Need, has_role_for
from banchengshi.accounts.models import User
from banchengshi.lib.pii import NAME_PURPOSE, lookup_hashes, normalized
from banchengshi.lib.words import cut, cut_for_search

TABLE = "cases_case_search"
RANK_LIMIT = 1000  # matches ranked by relevance; above this, newest first
COUNT_LIMIT = 1000  # a list (searched or not) of more cases says "1000 件以上" (`capped_count`)
MAX_WORDS = 8  # words of a query that count (the API and the ledger take at most 100 characters)
MAX_POSITIONS = 16383  # PostgreSQL's largest tsvector position
TOKEN = re.compile(r"[^\W_]+")
# Words of the service center's trade that jieba's general dictionary lacks or cuts apart; a fixed list
# (not the live matter catalog) so that the stored tokens and a query's tokens are always cut alike.
HEAD_FIELDS = ("matter_name", "business_name", "reference", "reporter_organization")
BODY_FIELDS = ("description", "demand", "result")
INDEXED_FIELDS = frozenset({"business_name", "reference", "reporter_organization", "description", "demand", "result",
                            "matter", "matter_id"})


class QueryTooLong(ValueError):
    """A query longer than the filters allow (the pages and the API answer 422 before this)."""


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


@functools.lru_cache(maxsize=50_000)
def _cut(text: str) -> tuple[str, ...]:
    out: list[str] = []
    for piece in cut_for_search(normalize(text), hmm=False):
        out.extend(TOKEN.findall(piece))
    return tuple(out)


def tokens(text: str) -> list[str]:
    """The searchable tokens of `text`, in order (repeats kept: they weigh in the ranking)."""
    return list(_cut(text)) if text else []


def query_tokens(text: str) -> list[str]:
    """A query's tokens: jieba's precise cut (医保卡补办: 医保卡, 补办). A stored text's search-mode cut holds
    each precise word and its shorter words besides, so the fewer, longer words match the same cases and
    intersect fewer postings."""
    out: list[str] = []
    for piece in cut(normalize(text), hmm=False):
        out.extend(TOKEN.findall(piece))
    return list(dict.fromkeys(out))


# --- documents ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Document:
    head: list[str]
    body: list[str]

    def sqlite_row(self, case_id: int) -> tuple[int, str, str]:
        return case_id, " ".join(self.head), " ".join(self.body)

    def tsvector(self) -> str:
        """The tsvector's text form: 'token':1A,5A 'other':2B (tokens are letters and digits, no quote)."""
        positions: dict[str, list[str]] = {}
        for weight, words, offset in (("A", self.head, 0), ("B", self.body, len(self.head))):
            for i, word in enumerate(words, start=offset + 1):
                at = positions.setdefault(word, [])
                if len(at) < 256 and i <= MAX_POSITIONS:
                    at.append(f"{i}{weight}")
        return " ".join(f"'{word}':{','.join(at)}" if at else f"'{word}'" for word, at in positions.items())


def document(values: dict[str, Any]) -> Document:
    """The document of a case from its field values (`matter_name`: the matter's name or empty)."""
    return Document(
        head=[t for name in HEAD_FIELDS for t in tokens(values.get(name) or "")],
        body=[t for name in BODY_FIELDS for t in tokens(values.get(name) or "")],
    )


def document_of(case: Any) -> Document:
    values = {name: getattr(case, name, "") for name in (*HEAD_FIELDS[1:], *BODY_FIELDS)}
    values["matter_name"] = case.matter.name if case.matter_id else ""
    return document(values)


# --- the table ---------------------------------------------------------------------------------------------

def create_table(conn: Any) -> None:
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            # No foreign key: a flush (TRUNCATE of the models' tables) would refuse a table it does not know
            # pointing at cases; a deleted case's row goes with it (`unindex`), and queries join on cases.
            cursor.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (case_id bigint PRIMARY KEY, document tsvector NOT NULL)")
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {TABLE}_document ON {TABLE} USING gin (document)")
        else:
            cursor.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5(head, body)")


def drop_table(conn: Any) -> None:
    with conn.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")


def write(conn: Any, docs: Iterable[tuple[int, Document]]) -> int:
    """Writes (replaces) the documents of these cases; how many."""
    rows = list(docs)
    if not rows:
        return 0
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            cursor.executemany(
                f"INSERT INTO {TABLE} (case_id, document) VALUES (%s, %s::tsvector) "  # noqa: S608 -- our table
                "ON CONFLICT (case_id) DO UPDATE SET document = EXCLUDED.document",
                [(pk, doc.tsvector()) for pk, doc in rows],
            )
        else:
            ids = [pk for pk, _ in rows]
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                cursor.execute(f"DELETE FROM {TABLE} WHERE rowid IN ({','.join('%s' for _ in chunk)})", chunk)  # noqa: S608
            cursor.executemany(f"INSERT INTO {TABLE} (rowid, head, body) VALUES (%s, %s, %s)",  # noqa: S608
                               [doc.sqlite_row(pk) for pk, doc in rows])
    return len(rows)


def copy_rows(conn: Any, docs: Iterable[tuple[int, Document]]) -> None:
    """PostgreSQL's COPY of new cases' documents (the bulk loader: demo.bulk.CopyWriter)."""
    with conn.cursor() as cursor, cursor.cursor.copy(f"COPY {TABLE} (case_id, document) FROM STDIN") as copy:
        for pk, doc in docs:
            copy.write_row([pk, doc.tsvector()])


def index_cases(cases: Sequence[Any]) -> int:
    """Index these saved cases (their matters loaded or loadable)."""
    return write(connection, [(case.pk, document_of(case)) for case in cases])


def unindex(case_ids: Sequence[int]) -> None:
    column = "case_id" if connection.vendor == "postgresql" else "rowid"
    with connection.cursor() as cursor:
        for start in range(0, len(case_ids), 500):
            chunk = list(case_ids[start:start + 500])
            cursor.execute(f"DELETE FROM {TABLE} WHERE {column} IN ({','.join('%s' for _ in chunk)})", chunk)  # noqa: S608


SELECT_VALUES = (
    "SELECT c.id, c.reference, c.business_name, c.reporter_organization, c.description, c.demand, c.result, "
    "coalesce(m.name, '') FROM cases_case c LEFT JOIN dispatch_matter m ON m.id = c.matter_id "
    "WHERE c.id > %s ORDER BY c.id LIMIT %s"
)


def rebuild(conn: Any, batch: int = 5000) -> int:
    """Empties the index and indexes every case again (raw SQL: a migration calls it too); how many."""
    with conn.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE}")  # noqa: S608
    total, last = 0, 0
    while True:
        with conn.cursor() as cursor:
            cursor.execute(SELECT_VALUES, [last, batch])
            rows = cursor.fetchall()
        if not rows:
            return total
        docs = []
        for pk, reference, business, organization, description, demand, result, matter in rows:
            docs.append((pk, document({"reference": reference, "business_name": business,
                                       "reporter_organization": organization, "description": description,
                                       "demand": demand, "result": result, "matter_name": matter})))
        if conn.vendor == "postgresql":
            copy_rows(conn, docs)
        else:
            write(conn, docs)
        total += len(rows)
        last = rows[-1][0]


# --- queries -----------------------------------------------------------------------------------------------

@dataclass
class Search:
    """A query as the search runs it: its words' tokens, and the name hashes when the reader may use them."""

    words: list[list[str]]
    names: list[list[str]] = field(default_factory=list)  # per word: its hashes, or [] when not looked up

    @property
    def terms(self) -> list[str]:
        """The tokens to highlight, longest first (医保卡 before 医保)."""
        return sorted({t for word in self.words for t in word}, key=lambda t: (-len(t), t))

    @property
    def all_tokens(self) -> list[str]:
        return list(dict.fromkeys(t for word in self.words for t in word))


def parse(q: str, viewer: User | None) -> Search:
    words = q.split()[:MAX_WORDS]
    names = has_role_for(viewer, Need.CONTACT_DETAILS) if viewer is not None else False
    search = Search(words=[], names=[])
    for word in words:
        search.words.append(query_tokens(word))
        name = normalized(word, NAME_PURPOSE)
        # A masked name (张*) is no name: anonymised cases are not found by it.
        named = names and 2 <= len(name) <= 64 and "*" not in name
        search.names.append(lookup_hashes(name, NAME_PURPOSE) if named else [])
    return search


def _fts_expression(words: Sequence[str]) -> str:
    if connection.vendor == "postgresql":
        return " & ".join(f"'{t}'" for t in words)
    return " ".join(f'"{t}"' for t in words)


def _match_sql(words: Sequence[str], hashes: Sequence[str] = ()) -> tuple[str, list[str]]:
    """The ids of the cases whose document holds all `words`, or (a UNION: one semi-join either way, which
    the index and the hash's b-tree both answer) whose reporter's name hashes to one of `hashes`."""
    parts: list[str] = []
    params: list[str] = []
    if words:
        if connection.vendor == "postgresql":
            parts.append(f"SELECT case_id FROM {TABLE} WHERE document @@ %s::tsquery")  # noqa: S608
        else:
            parts.append(f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s")  # noqa: S608
        params.append(_fts_expression(words))
    if hashes:
        marks = ", ".join("%s" for _ in hashes)
        parts.append(f"SELECT id FROM cases_case WHERE reporter_name_hash IN ({marks})")  # noqa: S608
        params.extend(hashes)
    return " UNION ALL ".join(parts), params


def _all_sql(search: Search) -> tuple[str, list[str]]:
    """The ids of the cases matching every word: one index query for the plain words' tokens, INTERSECT one
    (tokens UNION ALL name hash) per word that may be a name."""
    plain = [t for w, n in zip(search.words, search.names, strict=True) if not n for t in w]
    parts: list[tuple[str, list[str]]] = [_match_sql(plain)] if plain else []
    parts += [_match_sql(w, n) for w, n in zip(search.words, search.names, strict=True) if n]
    sql = " INTERSECT ".join(f"SELECT * FROM ({part}) AS w{i}" for i, (part, _) in enumerate(parts))  # noqa: S608
    return sql, [p for _, params in parts for p in params]


def filter_search(cases: QuerySet[Any], search: Search) -> QuerySet[Any]:
    """The cases matching every word of the search (its tokens, or a reporter's full name when allowed).

    Few matches (at most RANK_LIMIT): their ids are read first and the cases filtered by that list, ranked
    (annotation `search_rank`; `order` sorts by it) — a plan that cannot go wrong, whatever the other filters.
    More: the match set stays a subquery, marked `search_many`; lists take it newest first and count it no
    further than COUNT_LIMIT (`capped_count`)."""
    if not any(search.words) and not any(search.names):
        return cases.none()
    sql, params = _all_sql(search)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM ({sql}) AS found LIMIT %s", [*params, RANK_LIMIT + 1])  # noqa: S608
        ids = [row[0] for row in cursor.fetchall()]
    if len(ids) <= RANK_LIMIT:
        cases = cases.filter(pk__in=ids)
        tokens_ = search.all_tokens
        return cases.annotate(search_rank=_rank(tokens_)) if tokens_ else cases
    if connection.vendor == "postgresql":
        cases = cases.alias(search_match=_probe(search)).filter(search_match=True)
    else:
        # SQLite runs an uncorrelated IN (SELECT …) once into a temporary index and looks each case up in it,
        # whereas an FTS5 MATCH per row would read the word's whole posting list each time.
        cases = cases.filter(pk__in=RawSQL(sql, params))  # noqa: S611 -- our SQL, the values bound as parameters
    return cases.annotate(search_many=Value(True))


def _probe(search: Search) -> RawSQL:
    """PostgreSQL: every word matched, tested on each case row as a scalar subquery by the case id (and the
    row's own name hash): a form the planner cannot turn into a join that gathers all the matches first, so a
    list newest first walks the received-time index and stops after its page (or COUNT_LIMIT)."""
    probe = f'(SELECT 1 FROM {TABLE} s WHERE s.case_id = "cases_case"."id" AND s.document @@ %s::tsquery)'  # noqa: S608
    conditions: list[str] = []
    params: list[str] = []
    for words, hashes in zip(search.words, search.names, strict=True):
        either: list[str] = []
        if words:
            either.append(f"{probe} IS NOT NULL")
            params.append(_fts_expression(words))
        if hashes:
            either.append(f'"cases_case"."reporter_name_hash" IN ({", ".join("%s" for _ in hashes)})')
            params.extend(hashes)
        if either:
            conditions.append("(" + " OR ".join(either) + ")")
    return RawSQL(" AND ".join(conditions), params, output_field=BooleanField())  # noqa: S611 -- values bound


def capped_count(cases: QuerySet[Any], limit: int | None = None) -> tuple[int, bool]:
    """How many cases a list shows, counted no further than COUNT_LIMIT (or `limit`), and whether that is a
    floor: an exact count of a list visits every row it holds (a center's million cases, 550 ms; 社保's
    125,000 matches, 0.6 s) while its page needs a few; the pages say "1000 件以上", the API `count_capped`."""
    limit = COUNT_LIMIT if limit is None else limit
    # A search with many matches newest first on SQLite, as the list: it walks the received-time index and looks
    # each case up in the index by id until it has enough, rather than gathering every match first. PostgreSQL
    # counts as fast unordered for the whole district and a center (18–27 ms for 社保 at a million cases), and
    # for a department 2.5× faster: it starts from the department's orders (165–213 ms, ordered 535 ms).
    many = "search_many" in cases.query.annotations and connection.vendor == "sqlite"
    found = (cases.order_by("-received_at") if many else cases.order_by())[:limit + 1].count()
    return min(found, limit), found > limit


def _rank(words: Sequence[str]) -> RawSQL:
    expression = _fts_expression(words)
    if connection.vendor == "postgresql":
        return RawSQL(  # noqa: S611 -- our SQL, the query bound as a parameter
            f"COALESCE((SELECT ts_rank(s.document, %s::tsquery) FROM {TABLE} s "  # noqa: S608
            'WHERE s.case_id = "cases_case"."id"), 0)',
            [expression],
        )
    return RawSQL(  # noqa: S611 -- our SQL, the query bound as a parameter
        f"COALESCE((SELECT -bm25({TABLE}, 2.0, 1.0) FROM {TABLE} "  # noqa: S608
        f'WHERE {TABLE} MATCH %s AND rowid = "cases_case"."id"), 0)',
        [expression],
    )


def order(cases: QuerySet[Any]) -> QuerySet[Any]:
    """Best match first when the search ranked, then newest first (the ledger's and the API's order)."""
    if "search_rank" in cases.query.annotations:
        return cases.order_by("-search_rank", "-received_at", "-id")
    return cases.order_by("-received_at", "-id")


def newest_first(cases: QuerySet[Any]) -> bool:
    """Whether `order` put `cases` newest first (received time, then id): a list a keyset can page."""
    return "search_rank" not in cases.query.annotations


def highlight(text: str, terms: Sequence[str], width: int | None = None) -> SafeString:
    """`text` escaped, with each occurrence of a term (longest first, case folded) in <mark>; with `width`,
    only that many characters around the first match (… where cut)."""
    text = text or ""
    pattern = re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)), re.IGNORECASE) if terms else None
    if width is not None and len(text) > width:
        first = pattern.search(text) if pattern else None
        start = max(0, min(first.start() - width // 4, len(text) - width)) if first else 0
        text = ("…" if start else "") + text[start:start + width] + ("…" if start + width < len(text) else "")
    if pattern is None:
        return mark_safe(escape(text))  # noqa: S308 -- escaped
    out: list[str] = []
    last = 0
    for found in pattern.finditer(text):
        out.append(escape(text[last:found.start()]))
        out.append(f"<mark>{escape(found.group())}</mark>")
        last = found.end()
    out.append(escape(text[last:]))
    return mark_safe("".join(out))  # noqa: S308 -- every piece escaped


# --- keeping the index true ----------------------------------------------------------------------------------

def case_saved(sender: Any, instance: Any, created: bool = False, update_fields: Any = None, raw: bool = False,
               **kwargs: Any) -> None:
    """post_save of Case: every save that may have changed an indexed field writes the case's document, in
    the same transaction (a rolled-back change leaves the index as it was)."""
    if raw or (update_fields is not None and not INDEXED_FIELDS & set(update_fields)):
        return
    index_cases([instance])


def case_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    unindex([instance.pk])


def matter_saving(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    """pre_save of Matter: remember the name it had, so that a rename reindexes its cases (and no other save)."""
    if instance.pk and not raw:
        instance._name_before = type(instance).objects.filter(pk=instance.pk).values_list("name", flat=True).first()


def matter_saved(sender: Any, instance: Any, created: bool = False, raw: bool = False, **kwargs: Any) -> None:
    """post_save of Matter: a renamed matter's cases are found by the new name, not the old one."""
    before = getattr(instance, "_name_before", None)
    if created or raw or before is None or before == instance.name:
        return
    from banchengshi.cases.models import Case

    cases = Case.objects.filter(matter=instance).select_related("matter").order_by("pk")
    batch: list[Any] = []
    for case in cases.iterator(chunk_size=2000):
        batch.append(case)
        if len(batch) == 2000:
            index_cases(batch)
            batch = []
    index_cases(batch)
