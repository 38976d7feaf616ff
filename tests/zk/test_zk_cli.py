import json

from kalypso.cli import main
from reference.zk.binfile import write_wtns
from reference.zk.circuits import cubic_circuit


def test_cli_setup_prove_verify_on_json_circuit(tmp_path, capsys):
    circuit_path = tmp_path / "cubic.json"
    assert main(["zk", "export", "circuit", "cubic", "--param", "repetitions=2", "--out", str(circuit_path)]) == 0
    (tmp_path / "in.json").write_text(json.dumps({"x": "3"}))
    assert main(["zk", "setup", str(circuit_path), "--seed", "cli", "--out", str(tmp_path / "keys")]) == 0
    assert "INSECURE" in capsys.readouterr().err
    assert main(["zk", "prove", str(circuit_path), "--zkey", str(tmp_path / "keys" / "circuit.zkey"),
                 "--inputs", str(tmp_path / "in.json"), "--seed", "b", "--out", str(tmp_path / "out")]) == 0
    verify = ["zk", "verify", "--vk", str(tmp_path / "keys" / "verification_key.json"), "--proof", str(tmp_path / "out" / "proof.json")]
    assert main(verify + ["--public", str(tmp_path / "out" / "public.json")]) == 0
    public = json.loads((tmp_path / "out" / "public.json").read_text())
    assert public == [str(cubic_circuit(2).witness({"x": 3})[1])]
    (tmp_path / "bad.json").write_text(json.dumps([str(int(public[0]) + 1)]))
    assert main(verify + ["--public", str(tmp_path / "bad.json")]) == 1
    (tmp_path / "bad_in.json").write_text(json.dumps({"x": "three"}))
    capsys.readouterr()
    assert main(["zk", "prove", str(circuit_path), "--zkey", str(tmp_path / "keys" / "circuit.zkey"),
                 "--inputs", str(tmp_path / "bad_in.json"), "--seed", "b", "--out", str(tmp_path / "o2")]) == 2
    assert "inputs.x" in capsys.readouterr().err
    assert main(["zk", "export", "market", "--public", str(tmp_path / "out" / "public.json"),
                 "--proof", str(tmp_path / "out" / "proof.json")]) == 0
    assert len(bytes.fromhex(json.loads(capsys.readouterr().out)["proof_hex"])) == 256


def test_cli_proves_circom_r1cs_with_wtns_and_reports_errors(tmp_path, capsys):
    r1cs = tmp_path / "c.r1cs"
    assert main(["zk", "export", "circuit", "cubic", "--out", str(r1cs)]) == 0
    (tmp_path / "w.wtns").write_bytes(write_wtns(cubic_circuit().witness({"x": 5})))
    assert main(["zk", "setup", str(r1cs), "--seed", "s", "--out", str(tmp_path / "k")]) == 0
    prove = ["zk", "prove", str(r1cs), "--zkey", str(tmp_path / "k" / "circuit.zkey"), "--wtns", str(tmp_path / "w.wtns"),
             "--seed", "b", "--out", str(tmp_path / "o")]
    assert main(prove) == 0
    assert main(["zk", "verify", "--vk", str(tmp_path / "k" / "verification_key.json"),
                 "--public", str(tmp_path / "o" / "public.json"), "--proof", str(tmp_path / "o" / "proof.json")]) == 0
    capsys.readouterr()
    assert main(prove + ["--backend", "tpu"]) == 2
    assert "unknown name 'tpu'" in capsys.readouterr().err
    (tmp_path / "w.wtns").write_bytes(write_wtns([1, 2, 3, 4, 5]))
    assert main(prove) == 2
    assert "constraint" in capsys.readouterr().err


def test_cli_prove_batch_loads_the_key_once_and_proves_a_directory(tmp_path, capsys):
    from reference.zk.groth16 import blinding_from_seed
    r1cs = tmp_path / "c.r1cs"
    assert main(["zk", "export", "circuit", "cubic", "--param", "repetitions=2", "--out", str(r1cs)]) == 0
    assert main(["zk", "setup", str(r1cs), "--seed", "s", "--out", str(tmp_path / "k")]) == 0
    wdir = tmp_path / "w"
    wdir.mkdir()
    for x in (2, 3, 4):
        (wdir / f"x{x}.wtns").write_bytes(write_wtns(cubic_circuit(2).witness({"x": x})))
    (wdir / "bad.wtns").write_bytes(write_wtns([1, 2, 3]))
    capsys.readouterr()
    code = main(["zk", "prove-batch", str(r1cs), "--zkey", str(tmp_path / "k" / "circuit.zkey"),
                 "--witnesses", str(wdir), "--seed", "b", "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2 and "3 proofs" in err and "proofs per minute" in err and "bad.wtns" in err and "1 witnesses failed" in err
    for x in (2, 3, 4):
        assert main(["zk", "verify", "--vk", str(tmp_path / "k" / "verification_key.json"),
                     "--public", str(tmp_path / "o" / f"x{x}" / "public.json"),
                     "--proof", str(tmp_path / "o" / f"x{x}" / "proof.json")]) == 0
    capsys.readouterr()
    assert main(["zk", "verify", "--vk", str(tmp_path / "k" / "verification_key.json"), "--proofs", str(tmp_path / "o")]) == 0
    out, err = capsys.readouterr()
    assert out.count("valid") == 3 and "3 proofs verified" in err and "ms per proof" in err
    (tmp_path / "o" / "x2" / "public.json").write_text((tmp_path / "o" / "x3" / "public.json").read_text())
    assert main(["zk", "verify", "--vk", str(tmp_path / "k" / "verification_key.json"), "--proofs", str(tmp_path / "o")]) == 1
    assert "INVALID x2" in capsys.readouterr().out
    # the batch proof equals a single `prove` with the same blinding seed
    assert main(["zk", "prove", str(r1cs), "--zkey", str(tmp_path / "k" / "circuit.zkey"), "--wtns", str(wdir / "x3.wtns"),
                 "--seed", "b/x3", "--backend", "cpu", "--out", str(tmp_path / "single")]) == 0
    assert (tmp_path / "single" / "proof.json").read_text() == (tmp_path / "o" / "x3" / "proof.json").read_text()
    # with precomputed MSM tables the batch's proofs are the same
    capsys.readouterr()
    assert main(["zk", "prove-batch", str(r1cs), "--zkey", str(tmp_path / "k" / "circuit.zkey"), "--witnesses", str(wdir),
                 "--seed", "b", "--out", str(tmp_path / "t"), "--precompute", "64"]) == 2
    for x in (2, 3, 4):
        assert (tmp_path / "t" / f"x{x}" / "proof.json").read_text() == (tmp_path / "o" / f"x{x}" / "proof.json").read_text()
    assert main(["zk", "prove-batch", str(r1cs), "--zkey", str(tmp_path / "k" / "circuit.zkey"), "--witnesses", str(wdir),
                 "--seed", "b", "--out", str(tmp_path / "t"), "--precompute", "-1"]) == 2
    assert "UsageError [--precompute]: must be an integer >= 0" in capsys.readouterr().err


def test_cli_setup_backend_cpu_writes_the_reference_key(tmp_path):
    circuit_path = tmp_path / "cubic.json"
    assert main(["zk", "export", "circuit", "cubic", "--param", "repetitions=2", "--out", str(circuit_path)]) == 0
    for backend in ("reference", "cpu"):
        assert main(["zk", "setup", str(circuit_path), "--seed", "same", "--backend", backend, "--out", str(tmp_path / backend)]) == 0
    for name in ("circuit.zkey", "verification_key.json"):
        assert (tmp_path / "cpu" / name).read_bytes() == (tmp_path / "reference" / name).read_bytes()
