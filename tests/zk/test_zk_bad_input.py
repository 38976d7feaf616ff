"""Hostile zk files and arguments: a typed error and exit 2, fast, whatever the header claims."""
import json
import resource
import struct
import time

import pytest

from kalypso.cli import main
from reference.zk.binfile import BinFormatError, read_r1cs, read_r1cs_arrays, write_r1cs
from reference.zk.circuits import cubic_circuit
from reference.zk.field import R
from reference.zk.r1cs import circuit_to_json


def _r1cs(n_wires: int, n_constraints: int, constraint_bytes: bytes = b"", labels: bytes | None = None) -> bytes:
    header = struct.pack("<I", 32) + R.to_bytes(32, "little") + struct.pack("<IIIIQI", n_wires, 1, 0, 1, n_wires, n_constraints)
    sections = [(1, header), (2, constraint_bytes)] + ([(3, labels)] if labels is not None else [])
    out = [b"r1cs", struct.pack("<II", 1, len(sections))]
    for kind, body in sections:
        out += [struct.pack("<IQ", kind, len(body)), body]
    return b"".join(out)


@pytest.fixture
def bounded():
    """Fail if the test takes more than 20 s of CPU or 1 GiB more address space (restored after)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    vm = next(int(line.split()[1]) * 1024 for line in open("/proc/self/status") if line.startswith("VmSize:"))
    resource.setrlimit(resource.RLIMIT_AS, (vm + (1 << 30), hard))
    start = time.process_time()
    yield
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
    assert time.process_time() - start < 20


@pytest.mark.parametrize("n_wires", [1 << 24, (1 << 32) - 1])
def test_setup_refuses_r1cs_whose_header_claims_more_wires_than_the_file_holds(tmp_path, capsys, bounded, n_wires):
    path = tmp_path / "hostile.r1cs"
    path.write_bytes(_r1cs(n_wires, 0))
    assert len(path.read_bytes()) <= 100
    assert main(["zk", "setup", str(path), "--seed", "s", "--out", str(tmp_path / "k")]) == 2
    err = capsys.readouterr().err
    assert "BinFormatError" in err and "wires" in err and "Traceback" not in err
    assert not (tmp_path / "k").exists()


def test_r1cs_reader_bounds_every_count_by_the_bytes_present():
    with pytest.raises(BinFormatError, match="constraints declared"):
        read_r1cs_arrays(_r1cs(4, 1 << 30))
    with pytest.raises(BinFormatError, match="truncated"):  # one constraint whose A claims 2^31 terms
        read_r1cs_arrays(_r1cs(4, 1, struct.pack("<III", 1 << 31, 0, 0)))
    with pytest.raises(BinFormatError, match="labels"):
        read_r1cs_arrays(_r1cs(1 << 24, 0, labels=bytes(16)))
    term = struct.pack("<I", 9) + (1).to_bytes(32, "little")
    with pytest.raises(BinFormatError, match="wire 9"):
        read_r1cs_arrays(_r1cs(4, 1, struct.pack("<I", 1) + term + struct.pack("<II", 0, 0), labels=bytes(32)))


def test_vectorised_r1cs_reader_gives_the_written_circuit():
    circuit = cubic_circuit(3)
    assert read_r1cs(write_r1cs(circuit.r1cs, n_outputs=1)).r1cs == circuit.r1cs


@pytest.mark.parametrize("n_vars", ["5", [5], None, True, -1, 10**9, 1.5])
def test_circuit_json_with_ill_typed_or_unbounded_n_vars_is_a_typed_error(tmp_path, capsys, n_vars):
    doc = circuit_to_json(cubic_circuit(1))
    doc["n_vars"] = n_vars
    path = tmp_path / "c.json"
    path.write_text(json.dumps(doc))
    assert main(["zk", "setup", str(path), "--seed", "s", "--out", str(tmp_path / "k")]) == 2
    err = capsys.readouterr().err
    assert "CircuitError" in err and "n_vars" in err and "Traceback" not in err


@pytest.mark.parametrize("key, value", [("constraints", {"a": 1}), ("program", "mul"), ("private_inputs", None), ("name", 7)])
def test_circuit_json_with_ill_typed_lists_is_a_typed_error(tmp_path, capsys, key, value):
    doc = circuit_to_json(cubic_circuit(1))
    doc[key] = value
    path = tmp_path / "c.json"
    path.write_text(json.dumps(doc))
    assert main(["zk", "setup", str(path), "--seed", "s", "--out", str(tmp_path / "k")]) == 2
    assert f"circuit.{key}" in capsys.readouterr().err


@pytest.mark.parametrize("param, needle", [
    ("depth=3", "param.depth"), ("iterations=0", "param.iterations"), ("iterations=99999999", "constraints"),
    ("iterations=x", "NAME=INT"), ("iterations", "NAME=INT"),
])
def test_export_rejects_unknown_or_unbounded_params(tmp_path, capsys, bounded, param, needle):
    assert main(["zk", "export", "circuit", "mimc", "--param", param, "--out", str(tmp_path / "c.json")]) == 2
    err = capsys.readouterr().err
    assert "CircuitError" in err and needle in err and "Traceback" not in err
