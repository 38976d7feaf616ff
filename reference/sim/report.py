"""Markdown tables of the experiments."""
from __future__ import annotations

COMPARISON_HEADERS = ("Protocol", "Setting", "Mean time to proof (s)", "p99 (s)", "Matching delay (s)",
                      "Price / max_price", "Mean price", "Utilisation", "Wasted work", "Missed", "Slashed",
                      "Top prover share", "HHI", "Provers earning")
CENSORSHIP_HEADERS = ("Protocol", "Coalition", "Target asks", "Not proven by deadline", "Baseline (no coalition)", "Coalition stake slashed")
AUTO_CANCEL_HEADERS = ("Setting", "Useful utilisation", "Utilisation", "Missed", "Mean time to proof (s)", "p99 (s)", "Quotes re-posted")


RACE_WIDTH_HEADERS = ("Setting", "Mean time to proof (s)", "p99 (s)", "Utilisation", "Wasted work", "Missed", "Top prover share")


def pct(x: float) -> str:
    return f"{x:.1%}"


def comparison_rows(results):
    for r in results.comparison:
        yield (r.protocol, r.setting, f"{r.mean_time:.1f}", f"{r.p99_time:.0f}", f"{r.mean_match_delay:.1f}",
               f"{r.price_ratio:.3f}", f"{r.mean_price:,.0f}", pct(r.utilisation), pct(r.wasted),
               pct(r.missed), pct(r.slashed / r.asks), pct(r.top_share), f"{r.hhi:.3f}", f"{r.earning_provers:.1f}")


def censorship_rows(results):
    baseline = {r.protocol: r.censored for r in results.censorship if r.runs[0].coalition == 0}
    for r in results.censorship:
        yield (r.protocol, f"{r.runs[0].coalition:.0%}", f"{r.target_asks:.0f}", pct(r.censored),
               pct(baseline.get(r.protocol, 0.0)), f"{r.coalition_slashed:,.0f}")


def auto_cancel_rows(results):
    for r in results.auto_cancel:
        yield (r.setting, pct(r.useful_utilisation), pct(r.utilisation), pct(r.missed), f"{r.mean_time:.1f}",
               f"{r.p99_time:.0f}", f"{r.requotes:.0f}")


def race_width_rows(results):
    for r in results.race_width:
        yield (r.setting, f"{r.mean_time:.1f}", f"{r.p99_time:.0f}", pct(r.utilisation), pct(r.wasted), pct(r.missed),
               pct(r.top_share))


def table(headers, rows) -> str:
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(out)


def results_markdown(results, command: str, figures) -> str:
    b = results.budget
    runs = results.runs
    lines = [
        "# Market simulation results",
        "",
        f"Command: `{command}`  ",
        f"Budget: {b.asks} asks, {b.provers} provers, seeds {list(b.seeds)}, loads {list(b.loads)}, "
        f"coalitions {[f'{c:.0%}' for c in b.coalitions]}; {len(runs)} runs, "
        f"{sum(r.spec_ops for r in runs):,} spec operations applied, {sum(r.spec_rejections for r in runs)} rejected.",
        "",
        "Every number is a mean over the seeds. Times in simulated seconds; price as a share of the ask's max_price.",
        "",
        "## Protocol comparison",
        "",
        table(COMPARISON_HEADERS, comparison_rows(results)),
        "",
        "## Censorship of one requester",
        "",
        table(CENSORSHIP_HEADERS, censorship_rows(results)),
        "",
        "## Auto-cancel across markets",
        "",
        table(AUTO_CANCEL_HEADERS, auto_cancel_rows(results)),
        "",
        "## Proof race: how many racers per ask",
        "",
        table(RACE_WIDTH_HEADERS, race_width_rows(results)),
        "",
    ]
    lines += [f"![{f.stem}]({f.name})" for f in figures]
    return "\n".join(lines) + "\n"
