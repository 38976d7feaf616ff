"""`kalypso bench` refreshes the sections it runs and keeps the others."""
from kalypso.commands import bench


def test_sections_are_refreshed_or_preserved(tmp_path, monkeypatch):
    out = tmp_path / "benchmarks.md"
    out.write_text(bench.render({"zk": "old zk numbers", "sim": "old sim numbers"},
                                {"date": "d", "command": "c", "cpus": "2", "cpu": "x", "python": "3", "commit": "c"}))
    monkeypatch.setattr(bench, "run_bench", lambda name, quick=False: f"new {name} numbers")
    from kalypso.cli import main

    assert main(["bench", "--only", "sim", "--out", str(out)]) == 0
    text = out.read_text()
    assert "old zk numbers" in text and "new sim numbers" in text and "old sim numbers" not in text
    assert "kalypso bench --only sim" in text or "kalypso bench" in text


def test_a_missing_area_keeps_its_previous_results(tmp_path, monkeypatch):
    out = tmp_path / "benchmarks.md"
    out.write_text(bench.render({"engine": "engine numbers"},
                                {"date": "d", "command": "c", "cpus": "2", "cpu": "x", "python": "3", "commit": "c"}))
    monkeypatch.setattr(bench, "run_bench", lambda name, quick=False: "Not available: gone")
    from kalypso.cli import main

    assert main(["bench", "--only", "engine", "--out", str(out)]) == 0
    assert "engine numbers" in out.read_text()


def test_a_missing_dependency_is_reported(monkeypatch):
    def ghost(quick):
        raise ModuleNotFoundError("No module named 'ghostlib'")

    monkeypatch.setitem(bench.BENCHES, "ghost", (ghost, "Ghost"))
    assert bench.run_bench("ghost") == "Not available: No module named 'ghostlib'."


def test_a_section_heading_of_the_area_is_dropped(monkeypatch):
    monkeypatch.setitem(bench.BENCHES, "fake", (lambda quick: f"## Fast path\n\nquick={quick}", "Fake"))
    assert bench.run_bench("fake", quick=True) == "quick=True"
