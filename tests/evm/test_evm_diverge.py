"""Design vectors replayed on the bytecode: each case lands under a named rule, the rules say
what the tool measured, and docs/divergence.md is the tool's current output."""
import re
from pathlib import Path

import pytest

from reference.conformance.cases import VECTORS_DIR
from reference.evm.diverge import RULES, divergence_report, render_markdown

pytestmark = pytest.mark.evm
DOC = Path(__file__).parents[2] / "docs" / "divergence.md"
REGENERATE = ('kalypso conform --adapter ".venv/bin/python -m reference.evm.adapter" --vectors vectors/design '
              '--divergence docs/divergence.md')


def design_vectors() -> Path:
    return VECTORS_DIR / "design" if (VECTORS_DIR / "design").is_dir() else VECTORS_DIR


@pytest.fixture(scope="module")
def report(build):
    return divergence_report(design_vectors(), build=build)


def by_case(report):
    return {r.case: r for r in report.results}


def test_every_case_is_classified_under_a_named_rule(report):
    assert len(report.results) > 300
    unknown = {r.rule for r in report.results} - set(RULES) - {"agrees"}
    assert not unknown
    assert report.counts()["agrees"] > 50  # the translation is faithful where the rules coincide


def test_known_departures_are_found_where_the_solidity_puts_them(report):
    cases = by_case(report)
    proof = cases["tasks/submit_proof/ok"]
    assert proof.rule == "price/prover-paid-quote" and proof.op == "submit_proof"
    assert "p0-rewards USDC: design +130, chain +50" in proof.detail  # paid its quote (50), not the engine's price
    assert cases["slashing/discard_task/ok"].rule == "slashing/discard-to-treasury"
    assert cases["asks/cancel_ask/ok"].rule == "cancel/only-after-expiry"
    assert cases["tasks/assign_task/at_price_bounds"].rule == "expiry-boundary"
    assert cases["tasks/submit_proof/full_lifecycle"].rule == "market-activation-delay"
    assert cases["tasks/assign_task/wrong_engine"].rule == "agrees"


def test_the_committed_report_is_the_tools_output(report):
    table = lambda text: text[text.index("| rule |"):]
    assert DOC.is_file(), f"docs/divergence.md is missing: run `{REGENERATE}`"
    assert table(render_markdown(report, "x")) == table(DOC.read_text()), f"docs/divergence.md is stale: run `{REGENERATE}`"
    for rule in re.findall(r"^\| `([^`]+)` \| \d+ \|", DOC.read_text(), re.M):
        assert rule == "agrees" or rule in RULES
