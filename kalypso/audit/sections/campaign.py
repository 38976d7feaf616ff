"""The latest campaigns (`kalypso campaign`): read, never run, from the campaign directories under
`$KALYPSO_CAMPAIGNS` or `<audit out>/campaign/` (one per kind by default). A campaign with
findings fails its check; its findings, one per rule, are listed with their smallest trace."""
from __future__ import annotations

import os
from pathlib import Path

from kalypso.audit.model import Check, NotAvailable, SectionOutput, Status, Table, section

ENV = "KALYPSO_CAMPAIGNS"


def campaign_dirs(root: Path) -> list[Path]:
    """Campaign directories under `root` (or `root` itself), newest results first."""
    from reference.campaign.store import MANIFEST, RESULTS

    found = [root] if (root / MANIFEST).is_file() else sorted(p for p in root.glob("*") if (p / MANIFEST).is_file())
    return sorted(found, key=lambda p: -(p / RESULTS).stat().st_mtime if (p / RESULTS).exists() else 0)


@section("campaign", "Campaigns", cost=1, budgets={"quick": {}, "default": {}, "thorough": {}})
def campaign(ctx) -> SectionOutput:
    from reference.campaign.report import plot_coverage, summarize
    from reference.campaign.tasks import CampaignError

    root = Path(os.environ.get(ENV) or ctx.out_dir / "campaign")
    dirs = campaign_dirs(root) if root.is_dir() else []
    if not dirs:
        raise NotAvailable(f"no campaign under {root}: run `kalypso campaign KIND --budget ...` (or set ${ENV})")
    checks, tables, figures, notes = [], [], [], []
    for path in dirs:
        try:
            s = summarize(path)
        except CampaignError as exc:
            checks.append(Check(f"campaign at {path}", Status.FAIL, detail=str(exc)[:300]))
            continue
        kind = s.manifest["kind"]
        count = sum(f["count"] for f in s.findings)
        checks.append(Check(f"{kind} campaign ({path})", Status.FAIL if s.findings else Status.PASS, count=s.results,
                            seconds=s.span, seed=s.manifest["seed"],
                            detail=f"{s.results} results, {len(s.findings)} distinct findings ({count} results), "
                                   f"{len(s.skipped)} corrupt lines skipped, version {s.manifest['version']}",
                            trace="\n\n".join(f"{f['rule']} (from {f['key']}):\n{f['trace'][:2000]}" for f in s.findings) or None))
        if s.findings:
            tables.append(Table(f"{kind}: findings, one per rule", ("rule", "results", "smallest at", "size"),
                                tuple((f["rule"], str(f["count"]), f["key"], str(f["size"])) for f in s.findings)))
        tables.append(Table(f"{kind}: throughput per worker", ("worker", "tasks", "busy seconds"),
                            tuple((w, str(n), f"{sec:.1f}") for w, n, sec in s.workers)))
        figures.append(str(plot_coverage(s, ctx.out_dir / f"campaign-{kind}-coverage.png")))
        notes.extend(f"{kind}: skipped {line}" for line in s.skipped[:10])
    return SectionOutput(checks=tuple(checks), tables=tuple(tables), figures=tuple(figures), notes=tuple(notes))
