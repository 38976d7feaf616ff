"""`kalypso simulate` writes a results table and the figures."""
from kalypso.cli import main


def test_simulate_quick_writes_table_and_figures(tmp_path):
    assert main(["simulate", "--quick", "--asks", "60", "--provers", "9", "--no-progress", "--out", str(tmp_path)]) == 0
    table = (tmp_path / "results.md").read_text()
    for heading in ("Protocol comparison", "Censorship of one requester", "Auto-cancel across markets", "racers per ask"):
        assert heading in table
    pngs = sorted(p.name for p in tmp_path.glob("*.png"))
    assert pngs == ["auto_cancel.png", "censorship.png", "price_vs_time.png", "utilisation.png"]
    assert all((tmp_path / p).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in pngs)
    assert all(f"]({p})" in table for p in pngs)
