"""Run the npm tools installed by ``make node`` (snarkjs 0.7.6, circom2) from node_modules/.bin."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
BIN = REPO_ROOT / "node_modules" / ".bin"


class NodeToolError(RuntimeError):
    """A node tool is missing or failed."""


def missing_reason() -> str | None:
    """Why the node tools cannot run here, or None when they can."""
    if shutil.which("node") is None:
        return "node is not installed"
    for tool in ("snarkjs", "circom2"):
        if not (BIN / tool).exists():
            return f"node_modules/.bin/{tool} is missing (run `make node`)"
    return None


def run_tool(tool: str, *args: str | Path, cwd: Path | None = None) -> str:
    """Run ``tool`` with ``args``; return stdout, raise NodeToolError with its output on failure."""
    reason = missing_reason()
    if reason:
        raise NodeToolError(reason)
    proc = subprocess.run([str(BIN / tool), *map(str, args)], cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0 or "[ERROR]" in proc.stdout:
        raise NodeToolError(f"{tool} {' '.join(map(str, args))} failed:\n{proc.stdout}\n{proc.stderr}")
    return proc.stdout


def snarkjs(*args: str | Path, cwd: Path | None = None) -> str:
    return run_tool("snarkjs", *args, cwd=cwd)


def snarkjs_verify(vk: Path, public: Path, proof: Path) -> bool:
    """True iff ``snarkjs groth16 verify`` accepts (exit 0 and OK); False if it rejects."""
    reason = missing_reason()
    if reason:
        raise NodeToolError(reason)
    proc = subprocess.run([str(BIN / "snarkjs"), "groth16", "verify", str(vk), str(public), str(proof)],
                          capture_output=True, text=True)
    return proc.returncode == 0 and "OK!" in proc.stdout


def prepare_ptau(power: int, workdir: Path, entropy: str) -> Path:
    """A phase-2-ready powers-of-tau file of 2^power (one deterministic contribution)."""
    workdir.mkdir(parents=True, exist_ok=True)
    p0, p1, out = workdir / f"pot{power}_0.ptau", workdir / f"pot{power}_1.ptau", workdir / f"pot{power}.ptau"
    snarkjs("powersoftau", "new", "bn128", str(power), p0)
    snarkjs("powersoftau", "contribute", p0, p1, "--name=kalypso", f"-e={entropy}")
    snarkjs("powersoftau", "prepare", "phase2", p1, out)
    return out


def circom_compile(source: Path, outdir: Path) -> tuple[Path, Path]:
    """Compile ``source`` with circom2 (--O2, circomlib on the include path);
    return (.r1cs path, witness-generator .wasm path)."""
    outdir.mkdir(parents=True, exist_ok=True)
    run_tool("circom2", Path(source).resolve(), "--r1cs", "--wasm", "--O2", "-l", "node_modules",
             "-o", Path(outdir).resolve(), cwd=REPO_ROOT)
    stem = source.stem
    return outdir / f"{stem}.r1cs", outdir / f"{stem}_js" / f"{stem}.wasm"
