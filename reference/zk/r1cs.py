"""Rank-1 constraint systems over Fr, a small circuit builder and its witness generator.

Signal layout (circom's): index 0 is the constant one, then the public outputs, then the public
inputs (together the ``n_public`` public signals, indices 1..n_public), then the private inputs,
then internal signals. A constraint holds when ``<A, w> * <B, w> == <C, w>`` (mod r).
"""
from __future__ import annotations

from typing import Iterable, Mapping, Sequence

import attrs

from reference.zk.field import R, check_scalar

Terms = tuple[tuple[int, int], ...]


class CircuitError(ValueError):
    """A circuit is malformed or used with the wrong inputs."""


class UnsatisfiedConstraint(CircuitError):
    """A witness violates a constraint."""

    def __init__(self, index: int):
        super().__init__(f"witness: constraint {index} is not satisfied")
        self.index = index


def _normalize(terms: Iterable[tuple[int, int]]) -> Terms:
    acc: dict[int, int] = {}
    for var, coeff in terms:
        acc[var] = (acc.get(var, 0) + coeff) % R
    return tuple(sorted((v, c) for v, c in acc.items() if c))


def evaluate(terms: Terms, witness: Sequence[int]) -> int:
    """<terms, witness> mod r."""
    return sum(c * witness[v] for v, c in terms) % R


@attrs.frozen
class Constraint:
    a: Terms
    b: Terms
    c: Terms


@attrs.frozen
class R1CS:
    n_vars: int
    n_public: int
    constraints: tuple[Constraint, ...]

    def __attrs_post_init__(self):
        for label in ("n_vars", "n_public"):
            value = getattr(self, label)
            if not isinstance(value, int) or isinstance(value, bool):
                raise CircuitError(f"r1cs.{label}: expected an integer, got {type(value).__name__}")
        if not isinstance(self.constraints, tuple):
            raise CircuitError("r1cs.constraints: expected a tuple of constraints")
        if self.n_vars < 1 or not 0 <= self.n_public < self.n_vars:
            raise CircuitError(f"r1cs: need 0 <= n_public < n_vars, got {self.n_public}, {self.n_vars}")
        for i, con in enumerate(self.constraints):
            for label in ("a", "b", "c"):
                for var, coeff in getattr(con, label):
                    if not 0 <= var < self.n_vars:
                        raise CircuitError(f"r1cs: constraint {i}.{label} uses signal {var} >= n_vars")
                    check_scalar(f"constraint {i}.{label} coefficient", coeff)

    def check_witness(self, witness: Sequence[int]) -> None:
        """Raise unless ``witness`` has n_vars field elements, w[0] == 1 and all constraints hold."""
        if len(witness) != self.n_vars:
            raise CircuitError(f"witness: {len(witness)} values, circuit has {self.n_vars} signals")
        for i, v in enumerate(witness):
            check_scalar(f"witness[{i}]", v)
        if witness[0] != 1:
            raise CircuitError("witness[0]: the constant signal must be 1")
        for i, con in enumerate(self.constraints):
            if evaluate(con.a, witness) * evaluate(con.b, witness) % R != evaluate(con.c, witness):
                raise UnsatisfiedConstraint(i)

    def public_signals(self, witness: Sequence[int]) -> list[int]:
        return list(witness[1 : self.n_public + 1])


class Lc:
    """A linear combination of builder signals: {signal: coefficient}."""

    __slots__ = ("terms",)

    def __init__(self, terms: Mapping[int, int]):
        self.terms = {v: c % R for v, c in terms.items() if c % R}

    @staticmethod
    def of(value: "Lc | int") -> "Lc":
        if isinstance(value, Lc):
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            return Lc({0: value})
        raise CircuitError(f"linear combination: cannot use {type(value).__name__}")

    def __add__(self, other):
        out = dict(self.terms)
        for v, c in Lc.of(other).terms.items():
            out[v] = out.get(v, 0) + c
        return Lc(out)

    __radd__ = __add__

    def __neg__(self):
        return Lc({v: -c for v, c in self.terms.items()})

    def __sub__(self, other):
        return self + (-Lc.of(other))

    def __rsub__(self, other):
        return Lc.of(other) - self

    def __mul__(self, k: int):
        if not isinstance(k, int) or isinstance(k, bool):
            raise CircuitError("linear combination: can only scale by an int (use builder.mul)")
        return Lc({v: c * k for v, c in self.terms.items()})

    __rmul__ = __mul__


@attrs.frozen
class Circuit:
    """An R1CS with named inputs and the program that computes the remaining signals.

    ``program`` steps are ``("mul", out, a, b)`` (w[out] = <a,w> * <b,w>) and
    ``("lc", out, a)`` (w[out] = <a,w>), run in order after the inputs are placed.
    """

    name: str
    r1cs: R1CS
    public_inputs: tuple[tuple[str, int], ...]
    private_inputs: tuple[tuple[str, int], ...]
    outputs: tuple[tuple[str, int], ...]
    program: tuple[tuple, ...]

    def witness(self, inputs: Mapping[str, int]) -> list[int]:
        """The full witness for ``inputs`` (every input name, nothing else), checked."""
        expected = {name for name, _ in self.public_inputs + self.private_inputs}
        missing = sorted(expected - set(inputs))
        extra = sorted(set(inputs) - expected)
        if missing:
            raise CircuitError(f"inputs: missing {', '.join(missing)}")
        if extra:
            raise CircuitError(f"inputs: unknown {', '.join(extra)}")
        w = [0] * self.r1cs.n_vars
        w[0] = 1
        for name, idx in self.public_inputs + self.private_inputs:
            w[idx] = check_scalar(f"inputs.{name}", inputs[name])
        for step in self.program:
            if step[0] == "mul":
                w[step[1]] = evaluate(step[2], w) * evaluate(step[3], w) % R
            else:
                w[step[1]] = evaluate(step[2], w)
        self.r1cs.check_witness(w)
        return w


class CircuitBuilder:
    """Declare inputs, combine signals linearly, and constrain with ``mul`` / ``assert_equal``."""

    def __init__(self, name: str):
        self.name = name
        self._kinds: list[str] = ["one"]
        self._names: dict[int, str] = {}
        self._constraints: list[tuple[Lc, Lc, Lc]] = []
        self._program: list[tuple] = []

    def _new(self, kind: str, name: str | None = None) -> int:
        self._kinds.append(kind)
        idx = len(self._kinds) - 1
        if name is not None:
            if name in self._names.values():
                raise CircuitError(f"builder: signal name {name!r} is declared twice")
            self._names[idx] = name
        return idx

    def public_input(self, name: str) -> Lc:
        return Lc({self._new("public_input", name): 1})

    def private_input(self, name: str) -> Lc:
        return Lc({self._new("private_input", name): 1})

    def mul(self, a: Lc | int, b: Lc | int) -> Lc:
        """A new signal constrained to a * b."""
        a, b = Lc.of(a), Lc.of(b)
        out = self._new("internal")
        self._program.append(("mul", out, a, b))
        self._constraints.append((a, b, Lc({out: 1})))
        return Lc({out: 1})

    def assert_equal(self, a: Lc | int, b: Lc | int) -> None:
        """Constrain (a - b) * 1 == 0."""
        self._constraints.append((Lc.of(a) - b, Lc.of(1), Lc({})))

    def assert_boolean(self, a: Lc) -> None:
        """Constrain a * (a - 1) == 0."""
        self._constraints.append((a, a - 1, Lc({})))

    def output(self, name: str, value: Lc | int) -> Lc:
        """A public output signal constrained to equal ``value``."""
        value = Lc.of(value)
        out = self._new("output", name)
        self._program.append(("lc", out, value))
        self._constraints.append((value, Lc.of(1), Lc({out: 1})))
        return Lc({out: 1})

    def build(self) -> Circuit:
        order = {"one": 0, "output": 1, "public_input": 2, "private_input": 3, "internal": 4}
        old = sorted(range(len(self._kinds)), key=lambda i: (order[self._kinds[i]], i))
        new_index = {o: n for n, o in enumerate(old)}

        def terms(lc: Lc) -> Terms:
            return _normalize((new_index[v], c) for v, c in lc.terms.items())

        constraints = tuple(Constraint(terms(a), terms(b), terms(c)) for a, b, c in self._constraints)
        n_public = sum(1 for k in self._kinds if k in ("output", "public_input"))
        program = tuple(
            (s[0], new_index[s[1]], *(terms(x) for x in s[2:])) for s in self._program
        )

        def named(kind: str):
            return tuple((self._names[i], new_index[i]) for i in old if self._kinds[i] == kind)

        return Circuit(
            name=self.name,
            r1cs=R1CS(n_vars=len(self._kinds), n_public=n_public, constraints=constraints),
            public_inputs=named("public_input"),
            private_inputs=named("private_input"),
            outputs=named("output"),
            program=program,
        )


CIRCUIT_FORMAT_VERSION = 1


def _terms_to_json(terms: Terms) -> list:
    return [[v, str(c)] for v, c in terms]


def _terms_from_json(name: str, doc) -> Terms:
    if not isinstance(doc, list):
        raise CircuitError(f"{name}: expected a list of [signal, \"coefficient\"]")
    out = []
    for i, term in enumerate(doc):
        if not (isinstance(term, list) and len(term) == 2 and type(term[0]) is int
                and isinstance(term[1], str) and term[1].isascii() and term[1].isdigit() and len(term[1]) <= 78):
            raise CircuitError(f"{name}[{i}]: expected [signal, \"coefficient\"]")
        out.append((term[0], check_scalar(f"{name}[{i}] coefficient", int(term[1]))))
    return _normalize(out)


def circuit_to_json(circuit: Circuit) -> dict:
    """The project's JSON circuit format (see docs/zk.md)."""
    def step(s):
        return [s[0], s[1], *(_terms_to_json(t) for t in s[2:])]

    return {
        "format_version": CIRCUIT_FORMAT_VERSION,
        "kind": "kalypso.circuit",
        "name": circuit.name,
        "field": str(R),
        "n_vars": circuit.r1cs.n_vars,
        "n_public": circuit.r1cs.n_public,
        "outputs": [list(p) for p in circuit.outputs],
        "public_inputs": [list(p) for p in circuit.public_inputs],
        "private_inputs": [list(p) for p in circuit.private_inputs],
        "constraints": [[_terms_to_json(c.a), _terms_to_json(c.b), _terms_to_json(c.c)] for c in circuit.r1cs.constraints],
        "program": [step(s) for s in circuit.program],
    }


def _json_list(doc: dict, key: str) -> list:
    value = doc.get(key, [])
    if not isinstance(value, list):
        raise CircuitError(f"circuit.{key}: expected a list, got {type(value).__name__}")
    return value


def _json_count(doc: dict, key: str) -> int:
    value = doc.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise CircuitError(f"circuit.{key}: expected a non-negative integer, got {value!r:.40}")
    return value


def circuit_from_json(doc) -> Circuit:
    """A Circuit from the JSON format; every field is type-checked (CircuitError names it).

    ``n_vars`` is bounded by what the file holds: every signal but the constant is an input or
    is computed by one program step, so ``n_vars <= 1 + inputs + program steps``.
    """
    if not isinstance(doc, dict) or doc.get("kind") != "kalypso.circuit":
        raise CircuitError("circuit: kind must be 'kalypso.circuit'")
    if doc.get("format_version") != CIRCUIT_FORMAT_VERSION:
        raise CircuitError(f"circuit.format_version: expected {CIRCUIT_FORMAT_VERSION}, got {doc.get('format_version')!r:.40}")
    if doc.get("field") != str(R):
        raise CircuitError("circuit.field: must be the BN254 scalar field order")
    n_vars, n_public = _json_count(doc, "n_vars"), _json_count(doc, "n_public")
    declared = 1 + sum(len(_json_list(doc, k)) for k in ("public_inputs", "private_inputs", "program"))
    if n_vars > declared:
        raise CircuitError(f"circuit.n_vars: {n_vars} signals but only {declared} are inputs or computed by the program")
    if not isinstance(doc.get("name", ""), str):
        raise CircuitError("circuit.name: expected a string")
    constraints = []
    for i, con in enumerate(_json_list(doc, "constraints")):
        if not isinstance(con, list) or len(con) != 3:
            raise CircuitError(f"circuit.constraints[{i}]: expected [A, B, C]")
        constraints.append(Constraint(*(_terms_from_json(f"constraints[{i}][{j}]", t) for j, t in enumerate(con))))
    r1cs = R1CS(n_vars=n_vars, n_public=n_public, constraints=tuple(constraints))
    program = []
    for i, s in enumerate(_json_list(doc, "program")):
        if not (isinstance(s, list) and s and s[0] in ("mul", "lc") and len(s) == (4 if s[0] == "mul" else 3)
                and type(s[1]) is int and 0 < s[1] < r1cs.n_vars):
            raise CircuitError(f"circuit.program[{i}]: expected [\"mul\", out, A, B] or [\"lc\", out, A]")
        program.append((s[0], s[1], *(_terms_from_json(f"program[{i}]", t) for t in s[2:])))

    def named(key: str):
        out = []
        for i, p in enumerate(_json_list(doc, key)):
            if not (isinstance(p, list) and len(p) == 2 and isinstance(p[0], str) and type(p[1]) is int
                    and 0 < p[1] < r1cs.n_vars):
                raise CircuitError(f"circuit.{key}[{i}]: expected [name, signal]")
            out.append((p[0], p[1]))
        return tuple(out)

    return Circuit(
        name=str(doc.get("name", "")), r1cs=r1cs, public_inputs=named("public_inputs"),
        private_inputs=named("private_inputs"), outputs=named("outputs"), program=tuple(program),
    )
