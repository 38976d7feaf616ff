import pytest

from reference.fast import get_backend
from reference.zk.backend import BackendUnavailable, ReferenceBackend
from reference.zk.conformance import backend_mismatches


class ReversedNtt(ReferenceBackend):
    name = "broken"

    def ntt(self, values):
        return list(reversed(super().ntt(values)))

    def msm_g2(self, points, scalars):
        raise RuntimeError("no G2 here")


def test_reference_backend_conforms():
    assert backend_mismatches(ReferenceBackend()) == []


def test_a_broken_backend_is_reported():
    problems = backend_mismatches(ReversedNtt())
    assert any("(ntt, n=64): wrong result" in p for p in problems)
    assert any("g2" in p and "raised RuntimeError" in p for p in problems)
    assert not any("(intt" in p for p in problems)


@pytest.mark.parametrize("name", ["cpu", "gpu"])
def test_fast_backends_conform_when_present(name):
    try:
        backend = get_backend(name)
    except BackendUnavailable as exc:
        pytest.skip(f"backend {name!r} is not available here: {exc}")
    assert backend_mismatches(backend) == []
