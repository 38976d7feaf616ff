"""The audit report: report/audit.md and a self-contained report/audit.html (PNGs inlined)."""
from __future__ import annotations

import base64
import html
import os
from pathlib import Path

from kalypso.audit.model import SectionResult, Status

MARK = {Status.PASS: "PASS", Status.FAIL: "FAIL", Status.NOT_AVAILABLE: "NOT AVAILABLE"}


def _fmt_seconds(s: float) -> str:
    return f"{s:.2f}" if s < 10 else f"{s:.1f}"


def _cell(value) -> str:
    return "" if value is None else str(value).replace("|", "\\|").replace("\n", " ")


def summary_rows(results: list[SectionResult]):
    for r in results:
        c = r.counts
        yield (r.title, MARK[r.status], str(c[Status.PASS]), str(c[Status.FAIL]), str(c[Status.NOT_AVAILABLE]),
               _fmt_seconds(r.seconds), str(r.seed), r.budget)


SUMMARY_HEADERS = ("Section", "Status", "Passed", "Failed", "Not available", "Time (s)", "Seed", "Budget")
CHECK_HEADERS = ("Check", "Status", "Count", "Time (s)", "Seed", "Detail")


def check_rows(result: SectionResult):
    for c in result.checks:
        yield (c.name, MARK[c.status], _cell(c.count), _fmt_seconds(c.seconds), _cell(c.seed), _cell(c.detail))


def _md_table(headers, rows) -> list[str]:
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    out += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return out


def reproduce(result: SectionResult, profile: str) -> str:
    flag = {"quick": " --quick", "thorough": " --thorough"}.get(profile, "")
    return f"kalypso audit --only {result.name} --seed {result.seed}{flag}"


def trace_heading(check) -> str:
    """A failing check's trace is its counterexample; a passing one's is evidence (a negative
    control's expected counterexample)."""
    return "Counterexample" if check.status == Status.FAIL else "Evidence"


def overall(results: list[SectionResult]) -> Status:
    statuses = {r.status for r in results}
    return Status.FAIL if Status.FAIL in statuses else Status.PASS


def render_markdown(results: list[SectionResult], meta: dict, out_dir: Path) -> str:
    lines = [
        "# Kalypso audit report",
        "",
        f"**Overall: {MARK[overall(results)]}** — profile `{meta['profile']}`, seed `{meta['seed']}`, "
        f"{_fmt_seconds(meta['seconds'])} s wall.",
        "",
        f"Command: `{meta['command']}`  ",
        f"Machine: {meta['cpus']} CPUs ({meta['cpu']}), Python {meta['python']}; commit `{meta['commit']}`; {meta['date']}.",
        "",
        "A check is NOT AVAILABLE when it cannot run on this machine (its reason is given); that is reported, never counted as a pass.",
        "",
        "## Summary",
        "",
        *_md_table(SUMMARY_HEADERS, summary_rows(results)),
    ]
    for r in results:
        lines += ["", f"## {r.title} — {MARK[r.status]}", "",
                  f"Budget: {r.budget}; seed {r.seed}; {_fmt_seconds(r.seconds)} s. Reproduce: `{reproduce(r, meta['profile'])}`", ""]
        lines += [f"- {note}" for note in r.notes]
        if r.notes:
            lines.append("")
        lines += _md_table(CHECK_HEADERS, check_rows(r))
        for table in r.tables:
            lines += ["", f"**{table.title}**", "", *_md_table(table.headers, table.rows)]
        for figure in r.figures:
            rel = os.path.relpath(figure, out_dir)
            lines += ["", f"![{Path(figure).stem}]({rel})"]
        for c in r.checks:
            if c.trace:
                lines += ["", f"### {trace_heading(c)}: {c.name}", "", "```", c.trace.rstrip(), "```"]
    return "\n".join(lines) + "\n"


CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:.6em 0 1.2em;font-size:.92em}th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}
th{background:#f3f3f3}.pass{color:#11772b;font-weight:600}.fail{color:#b00020;font-weight:700}.na{color:#a06000;font-weight:600}
pre{background:#f7f7f7;border:1px solid #ddd;padding:.8em;overflow-x:auto;font-size:.85em}img{max-width:100%;border:1px solid #eee;margin:.5em 0}
code{background:#f3f3f3;padding:0 .2em}
"""

CLASS = {Status.PASS: "pass", Status.FAIL: "fail", Status.NOT_AVAILABLE: "na"}


def _html_table(headers, rows, status_column=None) -> str:
    out = ["<table><tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in headers) + "</tr>"]
    for row in rows:
        cells = []
        for i, value in enumerate(row):
            text = html.escape(str(value))
            if i == status_column:
                status = next(s for s, m in MARK.items() if m == value)
                cells.append(f'<td class="{CLASS[status]}">{text}</td>')
            else:
                cells.append(f"<td>{text}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    return "\n".join(out + ["</table>"])


def _inline_png(path: str) -> str:
    data = base64.b64encode(Path(path).read_bytes()).decode()
    return f'<img alt="{html.escape(Path(path).stem)}" src="data:image/png;base64,{data}">'


def render_html(results: list[SectionResult], meta: dict) -> str:
    status = overall(results)
    parts = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Kalypso audit report</title>",
        f"<style>{CSS}</style></head><body>",
        "<h1>Kalypso audit report</h1>",
        f"<p><b>Overall: <span class='{CLASS[status]}'>{MARK[status]}</span></b> — profile <code>{html.escape(meta['profile'])}</code>, "
        f"seed <code>{meta['seed']}</code>, {_fmt_seconds(meta['seconds'])} s wall.</p>",
        f"<p>Command: <code>{html.escape(meta['command'])}</code><br>Machine: {html.escape(meta['cpus'])} CPUs "
        f"({html.escape(meta['cpu'])}), Python {html.escape(meta['python'])}; commit <code>{html.escape(meta['commit'])}</code>; "
        f"{html.escape(meta['date'])}.</p>",
        "<p>A check is NOT AVAILABLE when it cannot run on this machine (its reason is given); that is reported, never counted as a pass.</p>",
        "<h2>Summary</h2>",
        _html_table(SUMMARY_HEADERS, summary_rows(results), status_column=1),
    ]
    for r in results:
        parts.append(f"<h2>{html.escape(r.title)} — <span class='{CLASS[r.status]}'>{MARK[r.status]}</span></h2>")
        parts.append(f"<p>Budget: {html.escape(r.budget)}; seed {r.seed}; {_fmt_seconds(r.seconds)} s. "
                     f"Reproduce: <code>{html.escape(reproduce(r, meta['profile']))}</code></p>")
        if r.notes:
            parts.append("<ul>" + "".join(f"<li>{html.escape(n)}</li>" for n in r.notes) + "</ul>")
        parts.append(_html_table(CHECK_HEADERS, check_rows(r), status_column=1))
        for table in r.tables:
            parts.append(f"<p><b>{html.escape(table.title)}</b></p>" + _html_table(table.headers, table.rows))
        parts += [_inline_png(f) for f in r.figures if Path(f).exists()]
        for c in r.checks:
            if c.trace:
                parts.append(f"<h3>{trace_heading(c)}: {html.escape(c.name)}</h3><pre>{html.escape(c.trace.rstrip())}</pre>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def write_reports(results: list[SectionResult], meta: dict, out_dir: Path) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    md, page = out_dir / "audit.md", out_dir / "audit.html"
    md.write_text(render_markdown(results, meta, out_dir))
    page.write_text(render_html(results, meta))
    return md, page
