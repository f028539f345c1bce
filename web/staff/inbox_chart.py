"""The overview's chart of how well the assistant understands, per week (web/staff/inbox.py):
left, the share of visitor messages in the inbox by reason and the share of labelled messages
that staff corrected; right, the intents the assistant chose that staff corrected most."""
from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, PercentFormatter

from web.staff import charts
from web.staff.inbox import REASONS, Quality

COLOURS = {"fallback": "#6a4c93", "low_confidence": "#e09f3e", "role_correction": "#1f6f8b",
           "danger": "#c1121f", "flagged": "#5b6675"}


def quality_chart(stats: Quality) -> bytes:
    figure = Figure(figsize=(8.0, 3.2), dpi=100)
    grid = figure.add_gridspec(1, 2, width_ratios=(3, 2))
    axes = figure.add_subplot(grid[0, 0])
    bars = figure.add_subplot(grid[0, 1])
    for ax in (axes, bars):
        ax.spines["top"].set_visible(False)
        ax.spines["right"].set_visible(False)
        ax.set_axisbelow(True)
    axes.grid(axis="y", color="#e5e5e5")
    x = list(range(len(stats.weeks)))
    highest = 0.0
    for reason, label in REASONS.items():
        shares = [week.share(reason) for week in stats.weeks]
        values = [float("nan") if share is None else share for share in shares]
        highest = max([highest] + [value for value in values if value == value])
        axes.plot(x, values, marker="o", markersize=3, linewidth=1.4, color=COLOURS[reason],
                  label=label)
    corrected = [float("nan") if week.corrected_share is None else week.corrected_share
                 for week in stats.weeks]
    highest = max([highest] + [value for value in corrected if value == value])
    axes.plot(x, corrected, linestyle="--", marker="s", markersize=3, linewidth=1.4,
              color="#111111", label="gecorrigeerd (van beoordeeld)")
    axes.set_ylim(0, min(1.05, max(0.1, highest * 1.3)))
    axes.yaxis.set_major_formatter(PercentFormatter(1.0))
    axes.set_xticks(x)
    axes.set_xticklabels([f"wk {week.monday.isocalendar()[1]}" for week in stats.weeks],
                         fontsize=8)
    axes.set_xlim(-0.5, max(len(x) - 0.5, 0.5))
    axes.legend(loc="upper left", fontsize=7, frameon=False, ncol=2)
    axes.set_ylabel("van de berichten")

    top = list(reversed(stats.top_corrected))
    if top:
        bars.barh(range(len(top)), [count for _, count in top], color="#e76f51")
        bars.set_yticks(range(len(top)))
        bars.set_yticklabels([name for name, _ in top], fontsize=8)
        bars.xaxis.set_major_locator(MaxNLocator(integer=True))
    else:
        bars.set_yticks([])
        bars.set_xticks([])
        bars.text(0.5, 0.5, "nog niets gecorrigeerd", ha="center", va="center",
                  transform=bars.transAxes, color="#5b6675", fontsize=9)
    bars.set_title("vaakst gecorrigeerd", fontsize=9, loc="left")
    queued = sum(sum(week.reasons.values()) for week in stats.weeks)
    labelled = sum(week.labelled for week in stats.weeks)
    fixed = sum(week.corrected for week in stats.weeks)
    return charts._svg(figure, f"Begrip per week: {queued} berichten in de inbox, "
                               f"{labelled} beoordeeld, {fixed} gecorrigeerd")


def render(stats: Quality) -> bytes:
    with charts._lock:
        return quality_chart(stats)
