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


def test_unavailable_module_is_reported(monkeypatch):
    monkeypatch.setitem(bench.BENCHES, "ghost", ("reference.ghost.bench", "run_ghost_bench", "Ghost"))
    assert bench.run_bench("ghost").startswith("Not available: `reference.ghost.bench` has not landed")


def test_a_section_heading_of_the_area_is_dropped(monkeypatch):
    import types

    module = types.ModuleType("fake_bench")
    module.section = lambda quick=False: f"## Fast path\n\nquick={quick}"
    monkeypatch.setitem(__import__("sys").modules, "fake_bench", module)
    monkeypatch.setitem(bench.BENCHES, "fake", ("fake_bench", "section", "Fake"))
    assert bench.run_bench("fake", quick=True) == "quick=True"
