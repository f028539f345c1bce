"""The overview charts as SVG images (matplotlib, Agg backend, no pyplot state).

Four charts over a chosen period, one bar or point per day (per week when the period is
longer than 92 days), so staff see the trend rather than read a table:
- conversations per day, stacked by role;
- contact requests, inside and outside opening hours, with the share outside;
- danger routings (112 and 113);
- the fallback rate: the share of visitor messages the assistant did not understand.
"""
from __future__ import annotations

import datetime as dt
import io
import threading
from collections.abc import Callable, Sequence

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import MaxNLocator, PercentFormatter  # noqa: E402

from web.staff.queries import DayStats  # noqa: E402

ROLE_LABELS = {"family": "Naaste", "professional": "Professional", "individual": "Zelf betrokken",
               "unknown": "Onbekend"}
ROLE_COLOURS = {"family": "#1f6f8b", "professional": "#e09f3e", "individual": "#7a4ea3",
                "unknown": "#b0b0b0"}
CHARTS = ("per-dag", "contact", "gevaar", "fallback")
_lock = threading.Lock()  # matplotlib's font cache and text layout are not thread-safe

matplotlib.rcParams.update({"svg.fonttype": "none", "font.size": 10,
                            "font.family": "DejaVu Sans", "svg.hashsalt": "lse"})


def _bucket(stats: Sequence[DayStats]) -> tuple[list[str], list[DayStats]]:
    """Days, or weeks (Monday) for a long period; labels as d-m."""
    if len(stats) <= 92:
        return [f"{s.day.day}-{s.day.month}" for s in stats], list(stats)
    weeks: dict[dt.date, DayStats] = {}
    for s in stats:
        monday = s.day - dt.timedelta(days=s.day.weekday())
        week = weeks.setdefault(monday, DayStats(monday))
        for role, count in s.by_role.items():
            week.by_role[role] += count
        week.add_counts(s)
    ordered = [weeks[day] for day in sorted(weeks)]
    return [f"wk {w.day.isocalendar()[1]}" for w in ordered], ordered


def _figure() -> tuple[Figure, matplotlib.axes.Axes]:
    figure = Figure(figsize=(8.0, 3.2), dpi=100)
    axes = figure.add_subplot(1, 1, 1)
    axes.spines["top"].set_visible(False)
    axes.spines["right"].set_visible(False)
    axes.grid(axis="y", color="#e5e5e5")
    axes.set_axisbelow(True)
    return figure, axes


def _ticks(axes, labels: list[str]) -> None:
    step = max(1, len(labels) // 16)
    positions = list(range(0, len(labels), step))
    axes.set_xticks(positions)
    axes.set_xticklabels([labels[i] for i in positions], rotation=45, ha="right", fontsize=8)
    axes.set_xlim(-0.7, max(len(labels) - 0.3, 0.7))


def _counts(axes, highest: float) -> None:
    """A count axis from 0, whole numbers, and room above the highest bar (also when empty)."""
    axes.set_ylim(0, max(1.0, highest * 1.25))  # room for the legend
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))


def _svg(figure: Figure, title: str) -> bytes:
    figure.suptitle(title, x=0.01, ha="left", fontsize=11, fontweight="bold")
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    return out.getvalue()


def per_day(stats: Sequence[DayStats]) -> bytes:
    labels, buckets = _bucket(stats)
    figure, axes = _figure()
    bottom = [0] * len(buckets)
    for role in ("family", "professional", "individual", "unknown"):
        values = [b.by_role[role] for b in buckets]
        axes.bar(range(len(buckets)), values, bottom=bottom, label=ROLE_LABELS[role],
                 color=ROLE_COLOURS[role], width=0.8)
        bottom = [low + value for low, value in zip(bottom, values, strict=False)]
    _counts(axes, max(bottom, default=0))
    axes.set_ylabel("gesprekken")
    axes.legend(loc="upper left", fontsize=8, frameon=False, ncol=4)
    _ticks(axes, labels)
    total = sum(bottom)
    return _svg(figure, f"Gesprekken per {'dag' if len(stats) <= 92 else 'week'} naar rol "
                        f"({total} in totaal)")


def contact(stats: Sequence[DayStats]) -> bytes:
    labels, buckets = _bucket(stats)
    figure, axes = _figure()
    opened = [b.contact_open for b in buckets]
    closed = [b.contact_closed for b in buckets]
    axes.bar(range(len(buckets)), opened, label="tijdens openingstijd", color="#2a9d8f", width=0.8)
    axes.bar(range(len(buckets)), closed, bottom=opened, label="buiten openingstijd",
             color="#e76f51", width=0.8)
    _counts(axes, max((o + c for o, c in zip(opened, closed, strict=False)), default=0) * 1.1)
    axes.set_ylabel("contactverzoeken")
    share_axes = axes.twinx()
    shares = [(c / (o + c)) if (o + c) else float("nan")
              for o, c in zip(opened, closed, strict=False)]
    share_axes.plot(range(len(buckets)), shares, color="#264653", marker="o", markersize=3,
                    linewidth=1.5, label="aandeel buiten openingstijd")
    share_axes.set_ylim(0, 1.35)  # 100% stays below the legend
    share_axes.set_yticks([0, 0.25, 0.5, 0.75, 1.0])
    share_axes.yaxis.set_major_formatter(PercentFormatter(1.0))
    share_axes.spines["top"].set_visible(False)
    handles = axes.get_legend_handles_labels()
    more = share_axes.get_legend_handles_labels()
    axes.legend(handles[0] + more[0], handles[1] + more[1], loc="upper left", fontsize=8,
                frameon=False, ncol=3)
    _ticks(axes, labels)
    total_open, total_closed = sum(opened), sum(closed)
    share = (100 * total_closed / (total_open + total_closed)) if (total_open + total_closed) else 0
    return _svg(figure, f"Contactverzoeken: {share:.0f}% buiten openingstijd "
                        f"({total_closed} van {total_open + total_closed})")


def danger(stats: Sequence[DayStats]) -> bytes:
    labels, buckets = _bucket(stats)
    figure, axes = _figure()
    x = list(range(len(buckets)))
    axes.bar([i - 0.2 for i in x], [b.danger_112 for b in buckets], width=0.4, color="#c1121f",
             label="112 (acuut gevaar)")
    axes.bar([i + 0.2 for i in x], [b.danger_113 for b in buckets], width=0.4, color="#669bbc",
             label="113 (zelfdoding)")
    _counts(axes, max([b.danger_112 for b in buckets] + [b.danger_113 for b in buckets] + [0]))
    axes.set_ylabel("doorverwijzingen")
    axes.legend(loc="upper left", fontsize=8, frameon=False, ncol=2)
    _ticks(axes, labels)
    return _svg(figure, f"Doorverwijzingen bij gevaar: {sum(b.danger_112 for b in buckets)}× 112, "
                        f"{sum(b.danger_113 for b in buckets)}× 113")


def fallback(stats: Sequence[DayStats]) -> bytes:
    labels, buckets = _bucket(stats)
    figure, axes = _figure()
    rates = [(b.fallbacks / b.user_messages) if b.user_messages else float("nan") for b in buckets]
    axes.plot(range(len(buckets)), rates, color="#6a4c93", marker="o", markersize=3, linewidth=1.5)
    axes.fill_between(range(len(buckets)), [0 if r != r else r for r in rates], color="#6a4c93",
                      alpha=0.12)
    axes.set_ylim(0, min(1.05, max([r for r in rates if r == r] + [0.1]) * 1.2))
    axes.yaxis.set_major_formatter(PercentFormatter(1.0))
    axes.set_ylabel("niet begrepen")
    _ticks(axes, labels)
    messages = sum(b.user_messages for b in buckets)
    total = sum(b.fallbacks for b in buckets)
    rate = 100 * total / messages if messages else 0
    return _svg(figure, f"Fallback-percentage: {rate:.1f}% van {messages} berichten niet begrepen")


RENDERERS: dict[str, Callable[[Sequence[DayStats]], bytes]] = {
    "per-dag": per_day, "contact": contact, "gevaar": danger, "fallback": fallback}


def render(name: str, stats: Sequence[DayStats]) -> bytes:
    with _lock:
        return RENDERERS[name](stats)
