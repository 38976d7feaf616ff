import json
from pathlib import Path

import pytest

from reference.zk.curve import Z1, add, eq, g1_from_affine, multiply
from reference.zk.field import R
from reference.zk.vectors import DEFAULT_OUTDIR, GENERATORS, generate_zk_vectors


def load(name: str) -> dict:
    return json.loads((DEFAULT_OUTDIR / name).read_text())


def test_committed_vectors_equal_a_fresh_generation(tmp_path: Path):
    generate_zk_vectors(tmp_path)
    for name in GENERATORS:
        assert (tmp_path / name).read_text() == (DEFAULT_OUTDIR / name).read_text(), f"vectors/zk/{name} is stale"


def test_vector_documents_match_their_schema():
    import jsonschema

    schema = load("schema.json")
    for name, file_schema in schema["files"].items():
        jsonschema.validate(load(name), file_schema)
    broken = load("msm.json")
    broken["cases"][0]["scalars"] = [5]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema["files"]["msm.json"])
    assert set(schema["files"]) == set(GENERATORS) - {"schema.json"}


def test_groth16_vectors_pin_accept_and_reject():
    for case in load("groth16.json")["cases"]:
        assert [c["expected"] for c in case["verify"]] == [True, False, False], case["name"]
        assert len(bytes.fromhex(case["market"]["proof_hex"])) == 256


def test_msm_vectors_replay_against_naive_g1():
    for case in load("msm.json")["cases"]:
        if case["group"] != "g1":
            continue
        acc = Z1
        for (x, y), s in zip(case["points"], case["scalars"]):
            acc = add(acc, multiply(g1_from_affine(int(x), int(y)), int(s)))
        assert eq(acc, g1_from_affine(*map(int, case["expected"]))), case["label"]


def test_field_vectors_replay():
    for case in load("field.json")["cases"]:
        a = int(case["a"])
        b = int(case.get("b", 0))
        got = {"add": (a + b) % R, "sub": (a - b) % R, "mul": a * b % R, "inv": pow(a, R - 2, R)}[case["op"]]
        assert str(got) == case["expected"]
