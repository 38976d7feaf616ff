"""`kalypso audit --only campaign` reads the latest campaigns; without one it says so."""
from __future__ import annotations

import json

from kalypso.cli import main
from reference.campaign import store
from reference.campaign.engine import run_campaign
from reference.campaign.tasks import Budget


def test_the_audit_reports_a_campaign_and_its_findings(tmp_path, monkeypatch):
    out = tmp_path / "campaigns" / "sweep"
    run_campaign("sweep", Budget(count=2), 3, out, params={"asks": 30, "provers": 8, "loads": [0.6], "coalitions": [0.0]},
                 serial=True)
    monkeypatch.setenv("KALYPSO_CAMPAIGNS", str(tmp_path / "campaigns"))
    assert main(["audit", "--only", "campaign", "--no-progress", "--out", str(tmp_path / "a")]) == 0
    md = (tmp_path / "a" / "audit.md").read_text()
    assert "## Campaigns — PASS" in md and "sweep campaign" in md and "2 results, 0 distinct findings" in md
    line = json.loads((out / store.RESULTS).read_text().splitlines()[0])
    line.update(key="extra", index=99, result={"coverage": [], "finding": {"rule": "spec rejected X: Y", "trace": "t"}})
    with (out / store.RESULTS).open("a") as f:
        f.write(json.dumps(line) + "\n{torn\n")
    assert main(["audit", "--only", "campaign", "--no-progress", "--out", str(tmp_path / "b")]) == 1
    md = (tmp_path / "b" / "audit.md").read_text()
    assert "## Campaigns — FAIL" in md and "spec rejected X: Y" in md and "1 corrupt lines skipped" in md


def test_no_campaign_is_not_available(tmp_path, monkeypatch):
    monkeypatch.setenv("KALYPSO_CAMPAIGNS", str(tmp_path / "none"))
    main(["audit", "--only", "campaign", "--no-progress", "--out", str(tmp_path / "a")])
    md = (tmp_path / "a" / "audit.md").read_text()
    assert "## Campaigns — NOT AVAILABLE" in md and "run `kalypso campaign KIND" in md
    assert main(["audit", "--only", "campaign", "--strict", "--no-progress", "--out", str(tmp_path / "b")]) != 0
