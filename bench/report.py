"""The results table (Markdown, printed and put in docs/performance.md), the JSON and the chart."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# The table lives in docs/performance.md (the README links to it); names kept for the tests.
README = ROOT / "docs" / "performance.md"
README_START = "<!-- bench:start -->"
README_END = "<!-- bench:end -->"
README_CHART = ROOT / "docs" / "bench-latest.svg"

# A visitor's pause between an answer and the next message, ± 50% at random: 1 to 3 s.
# Real visitors read the answer and type, which takes longer; shorter pauses make the load
# heavier than real, not lighter.
DEFAULT_THINK_MS = 2000.0

# The targets for a 2-core machine. Measured here, never asserted in tests.
TARGETS = {
    "p95_at_10_ms": 50.0,
    "p95_at_10_vs_starter": 0.5,
    "messages_per_second": 100.0,
    "cold_start_seconds": 20.0,
    "train_seconds": 120.0,
    "rss_mb": 1024.0,
}


def phase_label(phase: str, think_ms: float) -> str:
    if phase == "saturation":
        return "no pauses (saturation)"
    if not think_ms:
        return "visitors without pauses"
    low, high = think_ms * 0.5 / 1000, think_ms * 1.5 / 1000
    return f"visitors pausing {low:g}–{high:g} s"


def _level(result: dict[str, Any] | None, concurrency: int,
           phase: str = "visitors") -> dict[str, Any] | None:
    if not result:
        return None
    for level in result.get("levels", []):
        if level["concurrency"] == concurrency and level.get("phase", "visitors") == phase:
            return level
    return None


def _best_rate(result: dict[str, Any] | None) -> float | None:
    """The most messages per second of a level without errors, from the levels without
    pauses (the visitors' levels only show the load they bring)."""
    levels = (result or {}).get("levels", [])
    saturated = [lvl for lvl in levels if lvl.get("phase") == "saturation"] or levels
    rates = [lvl["messages_per_second"] for lvl in saturated
             if lvl.get("messages_per_second") is not None and lvl.get("errors", 0) == 0]
    return max(rates) if rates else None


def evaluate_targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    lse = results["assistants"].get("lse")
    starter = results["assistants"].get("starter")
    at10 = _level(lse, 10)
    starter10 = _level(starter, 10)
    p95 = at10["p95_ms"] if at10 else None
    ratio = (p95 / starter10["p95_ms"]) if (p95 and starter10 and starter10["p95_ms"]) else None
    rate = _best_rate(lse)
    rows = [
        ("p95 per message at 10 conversations of visitors", f"≤ {TARGETS['p95_at_10_ms']:.0f} ms", p95,
         p95 is not None and p95 <= TARGETS["p95_at_10_ms"]),
        ("p95 at 10 conversations ÷ starter's", f"≤ {TARGETS['p95_at_10_vs_starter']}", ratio,
         ratio is not None and ratio <= TARGETS["p95_at_10_vs_starter"]),
        ("messages per second, one replica (best level without pauses and without errors)",
         f"≥ {TARGETS['messages_per_second']:.0f}", rate,
         rate is not None and rate >= TARGETS["messages_per_second"]),
        ("cold start", f"≤ {TARGETS['cold_start_seconds']:.0f} s",
         (lse or {}).get("cold_start_seconds"), None),
        ("training from scratch", f"≤ {TARGETS['train_seconds']:.0f} s",
         (lse or {}).get("train_seconds"), None),
        ("Rasa server resident memory (peak)", f"≤ {TARGETS['rss_mb']:.0f} MB",
         ((lse or {}).get("rss_mb") or {}).get("peak"), None),
    ]
    limits = {3: TARGETS["cold_start_seconds"], 4: TARGETS["train_seconds"], 5: TARGETS["rss_mb"]}
    out = []
    for index, (name, target, value, met) in enumerate(rows):
        if index in limits:
            met = value is not None and value <= limits[index]
        out.append({"name": name, "target": target,
                    "value": None if value is None else round(value, 3), "met": met})
    return out


def _fmt(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "–"
    return f"{value:,.{digits}f}"


def _ratio(ours: float | None, theirs: float | None) -> str:
    if ours is None or theirs in (None, 0):
        return "–"
    return f"{ours / theirs:.2f}×"


def markdown_table(results: dict[str, Any]) -> str:
    assistants = results["assistants"]
    lse = assistants.get("lse")
    starter = assistants.get("starter")
    settings = results["settings"]
    think = settings.get("think_ms") or 0
    plan = ([("visitors", c) for c in settings["levels"]]
            + [("saturation", c) for c in settings.get("saturate", [])])
    rows: list[tuple[str, float | None, float | None, int]] = []
    errors_rows: dict[str, tuple[dict[str, Any] | None, dict[str, Any] | None]] = {}
    for phase, concurrency in plan:
        ours, theirs = _level(lse, concurrency, phase) or {}, _level(starter, concurrency, phase) or {}
        label = (f"{concurrency} conversation{'s' if concurrency != 1 else ''}, "
                 f"{phase_label(phase, think)}")
        for key, name in (("p50_ms", "p50"), ("p95_ms", "p95"), ("p99_ms", "p99")):
            rows.append((f"{label}: {name} per message (ms)", ours.get(key), theirs.get(key), 1))
        rows.append((f"{label}: messages per second", ours.get("messages_per_second"),
                     theirs.get("messages_per_second"), 1))
        errors_rows[f"{label}: errors / messages"] = (_level(lse, concurrency, phase),
                                                      _level(starter, concurrency, phase))
        rows.append((f"{label}: errors / messages", None, None, 0))
    rows.append(("cold start: process start to first answer (s)",
                 (lse or {}).get("cold_start_seconds"), (starter or {}).get("cold_start_seconds"), 1))
    rows.append(("`rasa train` from scratch (s)", (lse or {}).get("train_seconds"),
                 (starter or {}).get("train_seconds"), 1))
    rows.append(("Rasa server resident memory, peak (MB)", ((lse or {}).get("rss_mb") or {}).get("peak"),
                 ((starter or {}).get("rss_mb") or {}).get("peak"), 0))

    lines = ["| measure | LSE | starter (`rasa init`) | LSE ÷ starter |", "|---|--:|--:|--:|"]
    def cell(level: dict[str, Any] | None) -> str:
        return f"{level['errors']} / {level['messages']}" if level else "–"

    for name, ours_value, theirs_value, digits in rows:
        if name in errors_rows:
            ours_level, theirs_level = errors_rows[name]
            lines.append(f"| {name} | {cell(ours_level)} | {cell(theirs_level)} | |")
            continue
        lines.append(f"| {name} | {_fmt(ours_value, digits)} | {_fmt(theirs_value, digits)} | "
                     f"{_ratio(ours_value, theirs_value) if starter else '–'} |")

    lines += ["", "| target (2 cores) | limit | measured | met |", "|---|---|--:|---|"]
    for target in results.get("targets", []):
        value = target["value"]
        shown = "–" if value is None else (f"{value:.2f}" if value < 10 else f"{value:,.1f}")
        met = "–" if value is None else ("yes" if target["met"] else "**no**")
        lines.append(f"| {target['name']} | {target['target']} | {shown} | {met} |")
    return "\n".join(lines)


def machine_line(results: dict[str, Any]) -> str:
    machine = results["machine"]
    settings = results["settings"]
    think = settings.get("think_ms") or 0
    return (f"Measured {results['started'][:16].replace('T', ' ')} UTC on {machine['cpu']}, "
            f"{machine['cores']} cores, {machine['memory_gb']} GB RAM, {machine['os']}; "
            f"Python {machine['python']}, Rasa {machine['rasa']}; load average at the start "
            f"{' / '.join(str(x) for x in machine['load_average_at_start'])}. "
            f"Visitors: {settings['seconds_per_level']:.0f} s per level, "
            + ("no pause between messages" if not think else
               f"each visitor pauses {think * 0.5 / 1000:g}–{think * 1.5 / 1000:g} s (at random) "
               "between an answer and the next message")
            + (f"; without pauses (saturation: each sends the next message as soon as the "
               f"answer is in): {settings.get('seconds_per_saturation_level', 0):.0f} s per level"
               if settings.get("saturate") else "")
            + f". NLU/policy config `{settings['config']}`, {settings['sanic_workers']} Sanic worker(s).")


def chart(results: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [name for name in ("lse", "starter") if name in results["assistants"]]
    labels = {"lse": "LSE", "starter": "starter (rasa init)"}
    colours = {"lse": ("#1f6f8b", "#4aa3c2", "#9fd3e6"), "starter": ("#9c4a1a", "#d17a3f", "#efbf94")}
    settings = results["settings"]
    levels = ([("visitors", c) for c in settings["levels"]]
              + [("saturation", c) for c in settings.get("saturate", [])])
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.4))
    width = 0.8 / (3 * len(names))
    for a, name in enumerate(names):
        result = results["assistants"][name]
        for p, key in enumerate(("p50_ms", "p95_ms", "p99_ms")):
            xs = [i + (a * 3 + p) * width - 0.4 + width / 2 for i in range(len(levels))]
            ys = [(_level(result, c, phase) or {}).get(key) or 0 for phase, c in levels]
            left.bar(xs, ys, width, color=colours[name][p], label=f"{labels[name]} {key[:3]}")
        xs = [i + a * 0.8 / len(names) - 0.4 + 0.4 / len(names) for i in range(len(levels))]
        ys = [(_level(result, c, phase) or {}).get("messages_per_second") or 0
              for phase, c in levels]
        right.bar(xs, ys, 0.8 / len(names), color=colours[name][0], label=labels[name])
    for axis in (left, right):
        axis.set_xticks(range(len(levels)))
        axis.set_xticklabels([str(c) if phase == "visitors" else f"{c}\nno pauses"
                              for phase, c in levels])
        axis.set_xlabel("concurrent conversations (visitors pausing between messages, "
                        "or no pauses)", fontsize=8)
        axis.grid(axis="y", alpha=0.3)
    left.set_ylabel("latency per message (ms, log scale)")
    left.set_yscale("log")
    left.legend(fontsize=7, ncol=2)
    right.set_ylabel("messages per second")
    right.axhline(TARGETS["messages_per_second"], color="grey", linestyle="--", linewidth=1)
    right.legend(fontsize=8)
    left.axhline(TARGETS["p95_at_10_ms"], color="grey", linestyle="--", linewidth=1)
    machine = results["machine"]
    fig.suptitle(f"REST benchmark, {machine['cores']} cores ({machine['cpu'][:40]}), "
                 f"{results['started'][:10]}", fontsize=10)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def write(results: dict[str, Any], out_dir: Path, readme: bool) -> dict[str, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = results["started"].replace(":", "").replace("-", "")[:15]
    kind = results.get("kind", "bench")
    json_path = out_dir / f"{kind}-{stamp}.json"
    json_path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    shutil.copyfile(json_path, out_dir / f"{kind}-latest.json")
    paths = {"json": json_path}
    if kind == "bench":
        chart_path = out_dir / f"bench-{stamp}.svg"
        chart(results, chart_path)
        shutil.copyfile(chart_path, out_dir / "bench-latest.svg")
        paths["chart"] = chart_path
        if readme:
            update_readme(results, chart_path)
            paths["readme"] = README
    return paths


def update_readme(results: dict[str, Any], chart_path: Path) -> None:
    text = README.read_text(encoding="utf-8")
    if README_START not in text or README_END not in text:
        raise RuntimeError(f"{README.name} has no {README_START} ... {README_END} block")
    shutil.copyfile(chart_path, README_CHART)
    block = "\n".join([
        README_START,
        machine_line(results),
        "",
        markdown_table(results),
        "",
        f"![benchmark chart]({README_CHART.name})",
        README_END,
    ])
    pattern = re.compile(re.escape(README_START) + ".*?" + re.escape(README_END), re.S)
    README.write_text(pattern.sub(lambda _m: block, text, count=1), encoding="utf-8")
