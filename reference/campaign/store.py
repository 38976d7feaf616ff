"""A campaign's directory: `manifest.json` (what the campaign is), `results.jsonl` (one line per
finished task, appended as it finishes) and `merged.json` (the results in task order, one per key).

A line is `{"key", "index", "kind", "result", "meta"}`; `meta` (worker, seconds, finish time,
version) describes the run, `result` is the task's deterministic answer. Reading the lines back
skips and reports every line that is not such an object (a torn last line of a killed campaign,
an edited line, a line of another project version) and every repeated key: nothing is merged
twice and nothing unreadable is merged.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Mapping

import attrs

from reference.campaign.tasks import CampaignError
from spec import jsonsafe
from spec.errors import BadFile, MalformedJSON

MANIFEST, RESULTS, MERGED = "manifest.json", "results.jsonl", "merged.json"
LINE_FIELDS = ("key", "index", "kind", "result", "meta")
MAX_LINE = 16 * 1024 * 1024


@attrs.frozen
class Loaded:
    """The readable lines (first per key, file order), and what was skipped and why."""

    lines: tuple[dict, ...]
    skipped: tuple[str, ...]

    @property
    def keys(self) -> set[str]:
        return {line["key"] for line in self.lines}


def manifest_of(kind: str, seed: int, params: Mapping, version: str) -> dict:
    return {"kind": kind, "seed": seed, "params": dict(params), "version": version}


def open_campaign(out: Path, manifest: dict) -> None:
    """Create `out` with `manifest`, or check that the campaign already there is this one."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise CampaignError("--out", f"{out} exists and is not a directory")
    path = out / MANIFEST
    if path.exists():
        existing = read_manifest(out)
        for field in ("kind", "seed", "params", "version"):
            if existing.get(field) != manifest[field]:
                raise CampaignError(str(path), f"this directory holds a campaign with {field} = {existing.get(field)!r}, "
                                    f"not {manifest[field]!r}: resume it with the same arguments and code, or use a new --out")
        return
    try:
        out.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(manifest, sort_keys=True, indent=1) + "\n")
    except OSError as exc:
        raise CampaignError("--out", f"cannot write {path}: {exc.strerror or exc}") from None


def read_manifest(out: Path) -> dict:
    path = Path(out) / MANIFEST
    if not path.exists() and not path.is_symlink():
        raise CampaignError(str(path), "no campaign here (manifest.json is missing)")
    try:
        data = jsonsafe.load_path(path, str(path), max_bytes=MAX_LINE)
    except (BadFile, MalformedJSON) as exc:
        raise CampaignError(str(path), f"corrupt campaign manifest: {exc.rule}") from None
    if not isinstance(data, dict) or not isinstance(data.get("kind"), str) or not isinstance(data.get("params"), dict) \
            or not isinstance(data.get("seed"), int) or not isinstance(data.get("version"), str):
        raise CampaignError(str(path), "corrupt campaign manifest: needs kind (string), seed (integer), params (object), version (string)")
    return data


def _problem(line: dict, kind: str, version: str | None) -> str | None:
    if not isinstance(line, dict):
        return "not a JSON object"
    missing = [f for f in LINE_FIELDS if f not in line]
    if missing:
        return f"missing {', '.join(missing)}"
    if not isinstance(line["key"], str) or not isinstance(line["index"], int) or isinstance(line["index"], bool):
        return "key must be a string and index an integer"
    if line["kind"] != kind:
        return f"kind {line['kind']!r} in a {kind} campaign"
    if not isinstance(line["result"], dict) or not isinstance(line["meta"], dict):
        return "result and meta must be objects"
    meta, result = line["meta"], line["result"]
    if not isinstance(meta.get("worker"), str) or not all(
            isinstance(meta.get(f), (int, float)) and not isinstance(meta.get(f), bool) for f in ("seconds", "finished")):
        return "meta needs worker (a string), seconds and finished (numbers)"
    if not isinstance(result.get("coverage", []), list) or not isinstance(result.get("finding", {}), dict):
        return "result coverage must be a list and finding an object"
    if version is not None and meta.get("version") != version:
        return f"computed by project version {line['meta'].get('version')!r}, the campaign's is {version!r}"
    return None


def load_results(out: Path, kind: str, version: str | None = None) -> Loaded:
    """Every well-formed line of `out/results.jsonl` (of `version`, when given), first per key; the
    rest reported in `skipped`."""
    path = Path(out) / RESULTS
    if not path.exists():
        return Loaded((), ())
    if not path.is_file():
        raise CampaignError(str(path), "is not a regular file")
    lines, skipped, seen = [], [], set()
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise CampaignError(str(path), f"cannot read: {exc.strerror or exc}") from None
    with handle:
        for number, raw in enumerate(_lines(handle), 1):
            if raw is None:
                skipped.append(f"{path}:{number}: line longer than {MAX_LINE} bytes")
                continue
            if not raw.strip():
                continue
            try:  # bounded: too deep a nesting is refused before parsing, whatever the recursion limit
                line = jsonsafe.loads(raw, f"{path}:{number}", max_bytes=MAX_LINE, surrogates=True)
            except MalformedJSON as exc:
                skipped.append(f"{path}:{number}: {exc.rule}")
                continue
            problem = _problem(line, kind, version)
            if problem:
                skipped.append(f"{path}:{number}: {problem}")
            elif line["key"] in seen:
                skipped.append(f"{path}:{number}: key {line['key']!r} already has a result (kept the first)")
            else:
                seen.add(line["key"])
                lines.append(line)
    return Loaded(tuple(lines), tuple(skipped))


def _lines(handle):
    """The file's lines, each read with at most MAX_LINE + 1 bytes in memory; a longer line is
    read through to its end and given as None."""
    while True:
        raw = handle.readline(MAX_LINE + 1)
        if not raw:
            return
        if len(raw) > MAX_LINE:
            while raw and not raw.endswith(b"\n"):
                raw = handle.readline(MAX_LINE + 1)
            yield None
        else:
            yield raw


class Appender:
    """Appends result lines to `results.jsonl`, each flushed as it is written; a torn last line
    left by a killed campaign is closed with a newline first so the next line stays readable."""

    def __init__(self, out: Path):
        self.path = Path(out) / RESULTS
        try:
            torn = self.path.exists() and self.path.stat().st_size > 0 and self._last_byte() != b"\n"
            self.handle = self.path.open("a", encoding="utf-8")
        except OSError as exc:
            raise CampaignError(str(self.path), f"cannot append: {exc.strerror or exc}") from None
        if torn:
            self.handle.write("\n")

    def _last_byte(self) -> bytes:
        with self.path.open("rb") as f:
            f.seek(-1, os.SEEK_END)
            return f.read(1)

    def write(self, line: dict) -> None:
        self.handle.write(json.dumps(line, sort_keys=True) + "\n")
        self.handle.flush()

    def close(self) -> None:
        self.handle.close()


def merged(lines) -> list[dict]:
    """The deterministic part of the results: `{key, index, result}` in task order."""
    return [{"key": line["key"], "index": line["index"], "result": line["result"]}
            for line in sorted(lines, key=lambda line: (line["index"], line["key"]))]


def write_merged(out: Path, lines) -> Path:
    path = Path(out) / MERGED
    scratch = path.with_suffix(".json.tmp")
    scratch.write_text(json.dumps(merged(lines), sort_keys=True, indent=1) + "\n")
    os.replace(scratch, path)  # a kill mid-write leaves the previous merge whole
    return path
