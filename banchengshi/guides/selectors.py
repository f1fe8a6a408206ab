"""Who may read, edit and review which guide, and finding guides by the reporter's words."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from banchengshi.accounts.access import Need, has_role_for
from banchengshi.accounts.models import Unit, User
from banchengshi.dispatch import routing
from banchengshi.dispatch.search import find_matters
from banchengshi.guides.content import GuideContent
from banchengshi.guides.models import Guide, GuideVersion, VersionStatus
from banchengshi.lib.errors import ActionForbidden
from banchengshi.lib.words import cut_for_search


def may_edit_guide(user: User, guide: Guide) -> bool:
    """A new version: the staff (Need.GUIDE_EDIT) of the department that owns the guide's matter."""
    return has_role_for(user, Need.GUIDE_EDIT) and user.unit_id is not None and user.unit_id == guide.matter.department_id


def may_review_guide(user: User) -> bool:
    return has_role_for(user, Need.GUIDE_REVIEW)


def edit_refusal(user: User, guide: Guide) -> str:
    return "" if may_edit_guide(user, guide) else "只有该事项主管部门的工作人员可以修改办事指南"


def review_refusal(user: User) -> str:
    return "" if may_review_guide(user) else "只有政务服务办可以审核发布办事指南"


def reads_guides(user: User) -> bool:
    """The workbench's 办事指南 pages: whoever reads cases, edits or reviews guides."""
    return any(has_role_for(user, need) for need in (Need.VIEW, Need.GUIDE_EDIT, Need.GUIDE_REVIEW))


def guides_for(user: User) -> QuerySet[Guide]:
    if not reads_guides(user):
        raise ActionForbidden("您的角色不使用办事指南")
    return Guide.objects.select_related("matter", "matter__department", "published")


def access_guide(user: User, code: str) -> Guide:
    guide = guides_for(user).filter(matter__code=code).first()
    if guide is None:
        raise Http404("未找到该办事指南")
    return guide


def latest_version(guide: Guide) -> GuideVersion | None:
    return guide.versions.order_by("-number").first()


def pending_versions() -> QuerySet[GuideVersion]:
    return GuideVersion.objects.filter(status=VersionStatus.PENDING).select_related("guide__matter__department", "edited_by")


def content_of(version: GuideVersion) -> GuideContent:
    return GuideContent.from_dict({**{f: getattr(version, f) for f in (
        "title", "conditions", "level", "window", "online_url", "process", "time_limit", "fee", "legal_basis",
        "pitfalls", "phone")}, "materials": version.materials})


def published_guides() -> QuerySet[Guide]:
    """What the public reads: guides with an approved version, of matters in the catalog."""
    return Guide.objects.filter(published__isnull=False, matter__is_active=True).select_related("matter", "published")


def published_guide(code: str) -> Guide | None:
    code = (code or "").strip()[:32]
    return published_guides().filter(matter__code=code).first() if code else None


def find_guides(text: str, *, center: Unit | None = None, limit: int = 8, published_only: bool = True) -> list[Guide]:
    """Guides for the reporter's words, best first: the routing suggester's matters (the text model behind
    `routing.suggester`), then the catalog search (`find_matters`), then the words of the published guides'
    titles and materials (“离职证明” finds 失业保险金申领)."""
    text = (text or "").strip()[:500]
    if not text:
        return []
    pool = published_guides() if published_only else Guide.objects.select_related("matter", "published")
    codes: list[str] = []
    for suggestion in routing.suggester.suggest(text, center, limit=5):
        if suggestion.matter is not None:
            codes.append(suggestion.matter.code)
    codes += [m.code for m in find_matters(text, limit=limit)]
    by_code = {g.matter.code: g for g in pool.filter(matter__code__in=codes)}
    found = [by_code[c] for c in dict.fromkeys(codes) if c in by_code]
    if len(found) < limit:
        found += _by_guide_words(text, pool.exclude(pk__in=[g.pk for g in found]))
    return found[:limit]


def _by_guide_words(text: str, pool: QuerySet[Guide]) -> list[Guide]:
    words = {w.strip() for w in cut_for_search(text) if len(w.strip()) > 1}
    if not words:
        return []
    scored = []
    for guide in pool.filter(published__isnull=False):
        version = guide.published
        assert version is not None
        haystack = "|".join([version.title, *(str(m.get("name", "")) for m in version.materials)])
        score = sum(len(w) for w in words if w in haystack)
        if score >= 2:
            scored.append((-score, guide.matter.code, guide))
    scored.sort(key=lambda row: row[:2])
    return [row[2] for row in scored]
