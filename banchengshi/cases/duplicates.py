"""Repeats and duplicates (重复诉求): which open or recent cases a report tells again.

A report is compared, by the TF-IDF cosine of its words and character bigrams (lib.textsim), with a
bounded set of candidates: the cases still open and those closed in the last DUPLICATE_RECENT_DAYS, never
a merged one, at most DUPLICATE_CANDIDATES of them — its own center's or matter's most recent first, then
the most recent of the rest. Each candidate's features are cut once and stored (CaseText), so a check
reads a few thousand small rows and does NumPy arithmetic; it does not grow with the number of cases.

The same reporter (the phone's lookup hash) telling a problem again is a repeat at a lower score
(SAME_REPORTER_THRESHOLD) than different reporters telling the same problem (THRESHOLD): the thresholds
are calibrated on the pairs in cases/tests/duplicate_pairs.py (same problem told differently vs
different problems of one matter).

Links (CaseLink) are written after registration by a job (`link_duplicates_task`), never in the
request that registers; the registration page asks `similar_to_text` live, as the clerk types. Several
different reporters linked on one problem within DUPLICATE_CLUSTER_DAYS make a cluster: a possible
联席会议 topic (安康办法第十四条).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from huey.contrib.djhuey import db_task

from banchengshi.cases.choices import CaseStatus, LinkKind
from banchengshi.cases.models import PHONE_PURPOSE, Case, CaseLink, CaseText
from banchengshi.lib import textsim
from banchengshi.lib.pii import lookup_hashes

THRESHOLD = 0.33  # different reporters, the same problem: precision 1.0, recall 0.84 on the calibration pairs
SAME_REPORTER_THRESHOLD = 0.22  # the same reporter again: recall 1.0 on those pairs (a wrong guess costs a click)
MAX_LINKS = 5  # per new report: the best few are enough to merge
ENDED = (CaseStatus.CLOSED, CaseStatus.VISITED, CaseStatus.NOT_ACCEPTED, CaseStatus.RESOLVED_ON_SITE)


@dataclass(frozen=True)
class Match:
    case_id: int
    score: float
    same_reporter: bool

    @property
    def kind(self) -> str:
        return LinkKind.SAME_REPORTER if self.same_reporter else LinkKind.SIMILAR


def case_text(case: Case) -> str:
    return f"{case.description}\n{case.demand}"


def open_or_recent(now: datetime) -> Q:
    """Cases a repeat may join: not ended, or ended (closed) within DUPLICATE_RECENT_DAYS; never merged."""
    recent = now - timedelta(days=settings.DUPLICATE_RECENT_DAYS)
    still_open = ~Q(status__in=[*ENDED, CaseStatus.MERGED])
    closed_lately = Q(status__in=ENDED) & (Q(closed_at__gte=recent) | Q(closed_at__isnull=True, received_at__gte=recent))
    return still_open | closed_lately


Candidate = tuple[int, str, bytes | None]  # id, phone hash, stored features (None: not stored yet)


def candidates(*, center_id: int | None, matter_id: int | None, before: datetime | None, exclude: int | None,
               now: datetime) -> list[Candidate]:
    """The cases to compare with, with their stored features (one join), bounded: the center's or matter's
    most recent first, then the most recent of the rest."""
    limit = settings.DUPLICATE_CANDIDATES
    pool = Case.objects.filter(open_or_recent(now))
    if before is not None:
        pool = pool.filter(received_at__lte=before)
    if exclude is not None:
        pool = pool.exclude(pk=exclude)
    near = Q(center_id=center_id) if center_id else Q(pk__in=[])
    if matter_id:
        near |= Q(matter_id=matter_id)
    columns = ("pk", "reporter_phone_hash", "text__features", "text__version")
    rows = list(pool.filter(near).order_by("-received_at").values_list(*columns)[:limit])
    if len(rows) < limit:
        rows += list(pool.exclude(near).order_by("-received_at").values_list(*columns)[: limit - len(rows)])
    return [(pk, phone_hash, bytes(data) if data is not None and version == textsim.VERSION else None)
            for pk, phone_hash, data, version in rows]


def stored_features(ids: list[int]) -> dict[int, bytes]:
    """The stored features (`textsim.pack`) of these cases; those missing (or of an older version) are cut
    now and stored, so each case is cut once."""
    found = {pk: bytes(data) for pk, data in
             CaseText.objects.filter(case_id__in=ids, version=textsim.VERSION).values_list("case_id", "features")}
    missing = [pk for pk in ids if pk not in found]
    if missing:
        rows = []
        for pk, description, demand in Case.objects.filter(pk__in=missing).values_list("pk", "description", "demand"):
            found[pk] = textsim.pack(textsim.features(f"{description}\n{demand}"))
            rows.append(CaseText(case_id=pk, features=found[pk], version=textsim.VERSION))
        CaseText.objects.filter(case_id__in=missing).delete()
        CaseText.objects.bulk_create(rows, ignore_conflicts=True)
    return found


def find_similar(text: str, *, phone_hashes: list[str], center_id: int | None, matter_id: int | None,
                 before: datetime | None = None, exclude: int | None = None, limit: int = MAX_LINKS) -> list[Match]:
    """The open or recent cases `text` tells again, best first: the same reporter's above
    SAME_REPORTER_THRESHOLD, anyone's above THRESHOLD."""
    query = textsim.features(text)
    if not len(query[0]):
        return []
    pool = candidates(center_id=center_id, matter_id=matter_id, before=before, exclude=exclude, now=timezone.now())
    if not pool:
        return []
    computed = stored_features([pk for pk, _, data in pool if data is None])
    scores = textsim.cosines_packed(query, [data if data is not None else computed[pk] for pk, _, data in pool])
    own = {h for h in phone_hashes if h}
    matches = []
    for (pk, phone_hash, _), score in zip(pool, scores.tolist(), strict=True):
        same = bool(phone_hash) and phone_hash in own
        if score >= (SAME_REPORTER_THRESHOLD if same else THRESHOLD):
            matches.append(Match(pk, round(score, 3), same))
    matches.sort(key=lambda m: (-m.score, -m.case_id))
    return matches[:limit]


def similar_to_text(text: str, *, phone: str, center_id: int | None, matter_id: int | None) -> list[Match]:
    """For the registration page, before the case exists: what the report being typed may repeat."""
    hashes = lookup_hashes(phone, PHONE_PURPOSE) if phone else []
    return find_similar(text, phone_hashes=hashes, center_id=center_id, matter_id=matter_id)


def link_duplicates(case: Case) -> list[CaseLink]:
    """Store the links of a newly registered case to the earlier cases it may repeat (run by a job)."""
    stored_features([case.pk])
    matches = find_similar(
        case_text(case), phone_hashes=[case.reporter_phone_hash], center_id=case.center_id,
        matter_id=case.matter_id, before=case.received_at, exclude=case.pk,
    )
    now = timezone.now()
    links = [CaseLink(case=case, other_id=m.case_id, kind=m.kind, score=m.score, created_at=now) for m in matches]
    CaseLink.objects.bulk_create(links, ignore_conflicts=True)
    return list(CaseLink.objects.filter(case=case))


@db_task(retries=2, retry_delay=10)
def link_duplicates_task(case_id: int) -> int:
    """The job: link a newly registered case (queued after its registration commits)."""
    case = Case.objects.filter(pk=case_id).first()
    return len(link_duplicates(case)) if case is not None else 0


def link_after_commit(case: Case) -> None:
    """Called by the registration's transaction: the links are found after it commits, by a job, so
    registering never waits for them."""
    transaction.on_commit(lambda: link_duplicates_task(case.pk))


def links_of(case: Case, visible: QuerySet[Case]) -> list[CaseLink]:
    """The case's open links (not dismissed, neither side merged yet), either way, to cases in `visible`
    (the user's scope): a link to a case out of scope is not shown at all, not even its reference."""
    seen = visible.values("pk")
    links = CaseLink.objects.filter(dismissed_at__isnull=True).filter(
        (Q(case=case) & Q(other__in=seen)) | (Q(other=case) & Q(case__in=seen))
    ).exclude(case__status=CaseStatus.MERGED).exclude(other__status=CaseStatus.MERGED).select_related("case", "other")
    return list(links.order_by("-score", "id"))


@dataclass
class Cluster:
    """Different reporters on one problem: a possible 联席会议 topic."""

    cases: list[Case] = field(default_factory=list)
    reporters: int = 0

    @property
    def references(self) -> list[str]:
        return [c.reference for c in self.cases]


def clusters(visible: QuerySet[Case], *, now: datetime | None = None) -> list[Cluster]:
    """Groups of linked cases (not dismissed) received within DUPLICATE_CLUSTER_DAYS, of at least
    DUPLICATE_CLUSTER_REPORTERS different reporters (phone hashes), among the cases in `visible`; the
    biggest first. Merged cases count: merging answers the reporter, not the problem many share."""
    now = now or timezone.now()
    since = now - timedelta(days=settings.DUPLICATE_CLUSTER_DAYS)
    seen = visible.filter(received_at__gte=since).values("pk")
    pairs = CaseLink.objects.filter(dismissed_at__isnull=True, case__in=seen, other__in=seen).values_list("case_id", "other_id")
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        parent[root(a)] = root(b)
    groups: dict[int, list[int]] = {}
    for x in list(parent):
        groups.setdefault(root(x), []).append(x)
    wanted = [ids for ids in groups.values() if len(ids) >= settings.DUPLICATE_CLUSTER_REPORTERS]
    found = Case.objects.filter(pk__in=[pk for ids in wanted for pk in ids]).select_related("center", "matter")
    by_pk = {c.pk: c for c in found}
    result = []
    for ids in wanted:
        cases = sorted((by_pk[pk] for pk in ids), key=lambda c: (c.received_at, c.pk))
        reporters = len({c.reporter_phone_hash or f"#{c.pk}" for c in cases})
        if reporters >= settings.DUPLICATE_CLUSTER_REPORTERS:
            result.append(Cluster(cases, reporters))
    return sorted(result, key=lambda c: (-c.reporters, c.cases[0].received_at))
