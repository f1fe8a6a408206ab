"""Charts as PNG images for the Word files, drawn on the server with matplotlib (Agg: no display).

Chinese labels need a CJK font: Noto Sans CJK SC from Debian's fonts-noto-cjk (installed by .ci/run for
the PDFs already). matplotlib finds it among the system fonts; without it the labels would be empty
boxes, so a missing font is an error, not a silent fallback. matplotlib takes about half a second to
import: only the processes that draw a chart pay for it.
"""

from __future__ import annotations

from functools import cache
from io import BytesIO
from typing import Any

from banchengshi.reports.figures import Bucket

FONT_FAMILY = "Noto Sans CJK SC"
SIZE_INCHES = (6.4, 3.2)
DPI = 110
COLOUR = "#0d6efd"
MAX_BARS = 12


@cache
def _figure_class() -> Any:
    """matplotlib's Figure, set up once: the Agg backend, the CJK font. Figures are made without pyplot
    (no global state per chart), so threads of one web process may draw at once."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager
    from matplotlib.figure import Figure

    try:
        font_manager.findfont(font_manager.FontProperties(family=FONT_FAMILY), fallback_to_default=False)
    except ValueError as exc:
        raise RuntimeError(f"缺少中文字体 {FONT_FAMILY}：请安装 fonts-noto-cjk（apt-get install fonts-noto-cjk）") from exc
    matplotlib.rcParams["font.family"] = FONT_FAMILY
    matplotlib.rcParams["axes.unicode_minus"] = False
    return Figure


def _new(title: str) -> tuple[Any, Any]:
    figure = _figure_class()(figsize=SIZE_INCHES)
    axes = figure.subplots()
    axes.set_title(title)
    return figure, axes


def _png(figure: Any) -> bytes:
    out = BytesIO()
    figure.tight_layout()
    figure.savefig(out, format="png", dpi=DPI)
    return out.getvalue()


def _empty(axes: Any) -> None:
    axes.text(0.5, 0.5, "暂无数据", ha="center", va="center", fontsize=14, color="#6c757d")
    axes.set_axis_off()


def bar_chart(title: str, buckets: list[Bucket], *, horizontal: bool = False) -> bytes:
    """One bar per bucket (the largest MAX_BARS), its count written on it."""
    figure, axes = _new(title)
    shown = buckets[:MAX_BARS]
    if not any(b.count for b in shown):
        _empty(axes)
        return _png(figure)
    labels, counts = [b.label for b in shown], [b.count for b in shown]
    if horizontal:
        bars = axes.barh(labels[::-1], counts[::-1], color=COLOUR)
        axes.set_xlabel("件数")
    else:
        bars = axes.bar(labels, counts, color=COLOUR)
        axes.set_ylabel("件数")
        axes.tick_params(axis="x", labelrotation=30 if len(labels) > 4 else 0)
    axes.bar_label(bars, padding=2)
    axes.spines[["top", "right"]].set_visible(False)
    return _png(figure)


def line_chart(title: str, buckets: list[Bucket]) -> bytes:
    """Counts over time (the buckets in their order: months)."""
    figure, axes = _new(title)
    if not any(b.count for b in buckets):
        _empty(axes)
        return _png(figure)
    labels, counts = [b.label for b in buckets], [b.count for b in buckets]
    axes.plot(labels, counts, marker="o", color=COLOUR)
    for x, y in zip(labels, counts, strict=True):
        axes.annotate(str(y), (x, y), textcoords="offset points", xytext=(0, 6), ha="center")
    axes.set_ylabel("件数")
    axes.set_ylim(bottom=0, top=max(counts) * 1.2 + 1)
    axes.tick_params(axis="x", labelrotation=30 if len(labels) > 6 else 0)
    axes.spines[["top", "right"]].set_visible(False)
    return _png(figure)
