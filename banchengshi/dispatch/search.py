"""Finding a matter by the words a citizen types (“失业金”, “营业执照 变更”): each catalog entry scored by
the words of the query found in its name and keywords."""

from __future__ import annotations

from banchengshi.dispatch.models import Matter
from banchengshi.lib.words import cut_for_search


def find_matters(text: str, *, limit: int = 8) -> list[Matter]:
    text = (text or "").strip()[:60]
    if not text:
        return []
    words = {w for w in cut_for_search(text) if w.strip() and len(w.strip()) > 1} or {text}
    scored = []
    for matter in Matter.objects.filter(is_active=True).select_related("department"):
        haystack = f"{matter.name}|{matter.keywords}|{matter.department.name}"
        score = sum(len(w) for w in words if w in haystack) + (10 if text in matter.name else 0)
        if score:
            scored.append((-score, len(matter.name), matter.code, matter))
    scored.sort(key=lambda row: row[:3])
    return [row[3] for row in scored[:limit]]
