"""Every operation and error code the spec registers appears in the committed vectors; the
coverage table in docs/vectors.md and manifest.json agree with the vectors."""
import json

import spec
from reference.conformance.cases import MANIFEST_FILE, VECTORS_DIR, VECTORS_ROOT, load_cases
from reference.conformance.generate import BEGIN, END, coverage_of, coverage_table

DOCS = VECTORS_ROOT.parent / "docs" / "vectors.md"


def _cases():
    return [c.data for c in load_cases(VECTORS_DIR)]


def test_every_operation_is_accepted_somewhere():
    coverage = coverage_of(_cases())
    assert set(spec.OPERATIONS) <= {op for op, n in coverage.accepted.items() if n > 0}


def test_every_error_code_is_raised_somewhere():
    coverage = coverage_of(_cases())
    assert set(spec.ERROR_BY_CODE) <= {code for code, n in coverage.errors.items() if n > 0}
    assert coverage.complete


def test_coverage_requirement_follows_the_registries():
    trimmed = [c for c in _cases() if not any(s["expect"].get("error_code") == "QUOTE_INACTIVE" for s in c["operations"])]
    assert coverage_of(trimmed).missing_errors == ("QUOTE_INACTIVE",)


def test_docs_table_matches_the_vectors():
    cases = _cases()
    text = DOCS.read_text()
    table = text.split(BEGIN, 1)[1].split(END, 1)[0].strip()
    assert table == coverage_table(coverage_of(cases), len(cases)).strip()


def test_manifest_matches_the_vectors():
    manifest = json.loads((VECTORS_DIR / MANIFEST_FILE).read_text())
    cases = _cases()
    coverage = coverage_of(cases)
    assert manifest["cases"] == str(len(cases))
    assert manifest["coverage"]["errors"] == {k: str(v) for k, v in coverage.errors.items()}
