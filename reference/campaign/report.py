"""A campaign's report, from its directory alone: findings de-duplicated by the rule they break
(the smallest trace kept), coverage over time (distinct coverage items against elapsed time,
plotted), throughput per worker. Written as report.md, report.html and coverage.png."""
from __future__ import annotations

import html
from collections import defaultdict
from pathlib import Path

import attrs

from reference.campaign import store


@attrs.frozen
class Summary:
    manifest: dict
    results: int
    skipped: tuple[str, ...]
    findings: tuple[dict, ...]  # {rule, count, key, trace, size}
    coverage: tuple[tuple[float, int], ...]  # (seconds since the first result, distinct items)
    workers: tuple[tuple[str, int, float], ...]  # (worker, tasks, busy seconds)
    span: float


def summarize(out: Path) -> Summary:
    manifest = store.read_manifest(out)
    loaded = store.load_results(out, manifest["kind"], manifest["version"])
    lines = sorted(loaded.lines, key=lambda line: (line["index"], line["key"]))
    by_rule: dict[str, dict] = {}
    for line in lines:
        finding = line["result"].get("finding")
        if not isinstance(finding, dict):
            continue
        rule = str(finding.get("rule", "?"))
        size = finding.get("size", 0) if isinstance(finding.get("size", 0), int) else 0
        kept = by_rule.get(rule)
        if kept is None or size < kept["size"]:
            by_rule[rule] = {"rule": rule, "count": (kept or {}).get("count", 0), "key": line["key"],
                             "trace": str(finding.get("trace", "")), "size": size}
        by_rule[rule]["count"] += 1
    timed = sorted(lines, key=lambda line: (line["meta"].get("finished", 0), line["index"]))
    first = timed[0]["meta"].get("finished", 0) - timed[0]["meta"].get("seconds", 0) if timed else 0
    seen, coverage = set(), []
    for line in timed:
        seen.update(str(c) for c in line["result"].get("coverage", ()))
        coverage.append((line["meta"].get("finished", 0) - first, len(seen)))
    per_worker = defaultdict(lambda: [0, 0.0])
    for line in lines:
        w = per_worker[str(line["meta"].get("worker", "?"))]
        w[0] += 1
        w[1] += float(line["meta"].get("seconds", 0.0))
    span = coverage[-1][0] if coverage else 0.0
    return Summary(manifest, len(lines), loaded.skipped, tuple(sorted(by_rule.values(), key=lambda f: f["rule"])),
                   tuple(coverage), tuple((w, n, s) for w, (n, s) in sorted(per_worker.items())), span)


def plot_coverage(summary: Summary, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.2))
    xs = [t for t, _ in summary.coverage] or [0]
    ys = [n for _, n in summary.coverage] or [0]
    ax.step(xs, ys, where="post")
    ax.set_xlabel("seconds since the first task started (pauses between runs included)")
    ax.set_ylabel("distinct coverage items")
    ax.set_title(f"{summary.manifest['kind']} campaign: coverage over time")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def _rows(summary: Summary):
    workers = [(w, str(n), f"{s:.1f}", f"{n / s:.2f}" if s else "-") for w, n, s in summary.workers]
    findings = [(f["rule"], str(f["count"]), f["key"], str(f["size"])) for f in summary.findings]
    return workers, findings


def markdown(summary: Summary) -> str:
    m = summary.manifest
    workers, findings = _rows(summary)
    out = [f"# Campaign: {m['kind']}", "",
           f"Seed {m['seed']}, parameters `{m['params']}`, project version `{m['version']}`.", "",
           f"{summary.results} results, {len(summary.findings)} distinct findings "
           f"({sum(f['count'] for f in summary.findings)} results with a finding), "
           f"{summary.coverage[-1][1] if summary.coverage else 0} coverage items, {summary.span:.1f}s from first to last result.", ""]
    if summary.skipped:
        out += ["## Skipped lines (corrupt, never merged)", ""] + [f"- {s}" for s in summary.skipped] + [""]
    out += ["## Findings (one per rule, smallest trace kept)", ""]
    if findings:
        out += ["| rule | results | smallest at | size |", "|---|---|---|---|"] + [f"| {' | '.join(r)} |" for r in findings] + [""]
        for f in summary.findings:
            out += [f"### {f['rule']}", "", f"From task `{f['key']}`:", "", "```", f["trace"][:4000], "```", ""]
    else:
        out += ["None.", ""]
    out += ["## Coverage over time", "", "![coverage](coverage.png)", "",
            "## Throughput per worker", "", "| worker | tasks | busy seconds | tasks per busy second |", "|---|---|---|---|"]
    out += [f"| {' | '.join(r)} |" for r in workers] + [""]
    return "\n".join(out)


def _table(headers, rows) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def html_report(summary: Summary) -> str:
    m = summary.manifest
    workers, findings = _rows(summary)
    parts = [f"<h1>Campaign: {html.escape(m['kind'])}</h1>",
             f"<p>Seed {m['seed']}, parameters <code>{html.escape(str(m['params']))}</code>, version <code>{html.escape(m['version'])}</code>; "
             f"{summary.results} results, {len(summary.findings)} distinct findings.</p>"]
    if summary.skipped:
        parts.append("<h2>Skipped lines (corrupt, never merged)</h2><ul>" + "".join(f"<li>{html.escape(s)}</li>" for s in summary.skipped) + "</ul>")
    parts.append("<h2>Findings</h2>" + (_table(("rule", "results", "smallest at", "size"), findings) if findings else "<p>None.</p>"))
    parts += [f"<h3>{html.escape(f['rule'])}</h3><pre>{html.escape(f['trace'][:4000])}</pre>" for f in summary.findings]
    parts.append('<h2>Coverage over time</h2><img src="coverage.png" alt="coverage over time">')
    parts.append("<h2>Throughput per worker</h2>" + _table(("worker", "tasks", "busy seconds", "tasks per busy second"), workers))
    return "<!doctype html><meta charset=utf-8><title>campaign</title>" + "\n".join(parts) + "\n"


def write_report(out: Path) -> list[Path]:
    out = Path(out)
    summary = summarize(out)
    plot = plot_coverage(summary, out / "coverage.png")
    md = out / "report.md"
    md.write_text(markdown(summary))
    page = out / "report.html"
    page.write_text(html_report(summary))
    return [md, page, plot]
