"""Small pictures of coverage: where in time and across outlets an answer's articles lie, and what
the archive holds week by week. Matplotlib Figures built without pyplot (safe in a server's worker
threads), for the web chat's plot components."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from qa.types import ArticleInfo, Citation, Passage

if TYPE_CHECKING:
    from matplotlib.figure import Figure

TOP_OUTLETS = 6
MAX_BARS = 40
"""More weeks with articles than this are drawn as months."""
NAME_CHARS = 26
JITTER = 0.12
"""How far apart, in rows, articles of one outlet on one day are drawn."""
CITED = "#d97706"
RETRIEVED = "#9ca3af"


def _figure(width: float, height: float) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=100, layout="constrained")


def _numbers(days: Any) -> Any:
    """Days as matplotlib's date numbers."""
    from matplotlib.dates import date2num

    return date2num(days)  # type: ignore[no-untyped-call]


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def coverage_figure(passages: Sequence[Passage], citations: Sequence[Citation]) -> Figure | None:
    """The retrieved articles on a timeline, one row per outlet, the cited ones filled; None when
    no retrieved article has a date."""
    cited = {(c.title, c.published) for c in citations}
    articles: dict[str, tuple[date, str, bool]] = {}
    for passage in passages:
        meta = passage.metadata
        day = _day(str(meta.get("published", "")))
        if day is not None:
            title = str(meta.get("title", ""))
            outlet = str(meta.get("source", "")) or "(no outlet)"
            articles[passage.article_id] = (day, outlet, (title, day.isoformat()) in cited)
    if not articles:
        return None
    from matplotlib.dates import AutoDateLocator, DateFormatter

    outlets = sorted({outlet for _, outlet, _ in articles.values()})
    figure = _figure(5.2, 0.6 + 0.32 * len(outlets))
    axes = figure.add_subplot()
    placed: Counter[tuple[date, str]] = Counter()
    points_of: dict[bool, list[tuple[date, float]]] = {False: [], True: []}
    for day, outlet, is_cited in articles.values():
        offset = JITTER * placed[(day, outlet)]
        placed[(day, outlet)] += 1
        points_of[is_cited].append((day, outlets.index(outlet) + offset))
    for is_cited in (False, True):
        points = points_of[is_cited]
        if points:
            axes.scatter(
                _numbers([p[0] for p in points]),
                [p[1] for p in points],
                s=60 if is_cited else 36,
                c=CITED if is_cited else "white",
                edgecolors=CITED if is_cited else RETRIEVED,
                linewidths=1.5,
                label="cited" if is_cited else "retrieved",
                zorder=3 if is_cited else 2,
            )
    axes.set_yticks(range(len(outlets)), [_short(o) for o in outlets], fontsize=8)
    axes.set_ylim(-0.6, len(outlets) - 0.4)
    days = [day for day, _, _ in articles.values()]
    if min(days) == max(days):
        axes.set_xlim(_numbers(min(days) - timedelta(days=3)), _numbers(max(days) + timedelta(days=3)))
    axes.xaxis_date()
    axes.xaxis.set_major_locator(AutoDateLocator(minticks=2, maxticks=6))  # type: ignore[no-untyped-call]
    axes.xaxis.set_major_formatter(DateFormatter("%Y-%m-%d"))  # type: ignore[no-untyped-call]
    axes.tick_params(axis="x", labelsize=8)
    axes.grid(axis="x", alpha=0.3)
    axes.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    axes.set_title("Articles behind this answer, by date and outlet", fontsize=9)
    figure.autofmt_xdate()
    return figure


def _short(name: str) -> str:
    return name if len(name) <= NAME_CHARS else name[: NAME_CHARS - 1].rstrip() + "…"


def corpus_figure(articles: Sequence[ArticleInfo]) -> Figure | None:
    """Articles per week (per month past MAX_BARS weeks), stacked by outlet (the TOP_OUTLETS largest,
    the rest as "other"), one bar per period that has articles, so that one stray date does not
    squeeze the rest; None when no article has a date."""
    dated = [(day, a.source or "(no outlet)") for a in articles if (day := _day(a.published))]
    if not dated:
        return None
    sizes = Counter(outlet for _, outlet in dated)
    top = [outlet for outlet, _ in sizes.most_common(TOP_OUTLETS)]
    weekly = len({day - timedelta(days=day.weekday()) for day, _ in dated}) <= MAX_BARS

    def bucket(day: date) -> date:
        return day - timedelta(days=day.weekday()) if weekly else day.replace(day=1)

    counts = Counter((bucket(day), outlet if outlet in top else "other") for day, outlet in dated)
    periods = sorted({bucket(day) for day, _ in dated})
    figure = _figure(6.4, 2.6)
    axes = figure.add_subplot()
    bottom = [0] * len(periods)
    for outlet in [*top, *(["other"] if len(sizes) > len(top) else [])]:
        heights = [counts[(period, outlet)] for period in periods]
        axes.bar(range(len(periods)), heights, width=0.85, bottom=bottom, label=_short(outlet))
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    step = max(1, len(periods) // 10)
    fmt = "%Y-%m-%d" if weekly else "%Y-%m"
    axes.set_xticks(range(0, len(periods), step), [p.strftime(fmt) for p in periods[::step]], rotation=30, ha="right")
    axes.set_ylabel("articles", fontsize=8)
    axes.tick_params(labelsize=8)
    axes.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    unit = "week" if weekly else "month"
    axes.set_title(f"Articles per {unit} by outlet ({len(dated)} dated of {len(articles)})", fontsize=9)
    return figure
