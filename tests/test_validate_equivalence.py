"""The shapes compiled to SPARQL (kg._shacl_sparql) against pySHACL, the reference.

``validate_graph(..., engine="sparql")`` must give exactly the lines of
``engine="pyshacl"`` (release, focus node, path, message and the value found) on:

* the golden releases (``tests/cases``, ``data/releases``), which conform;
* graphs made from the hand-made MOU of ``test_validate`` by dropping one triple,
  duplicating one, or replacing one object by each of a list of wrong values (ill-typed and
  out-of-range literals, strings, IRIs of the wrong class, contact details ...), with and
  without the contacts opt-in: the first of them breaking each constraint and a regular
  sample of the rest (:data:`STRIDE`; all of them with ``KG_EQUIVALENCE_STRIDE=1``);
* random combinations of those mutations (hypothesis).

The broken graphs are checked to trigger every ``sh:message`` of ``ontology/shapes.ttl``, so
each compiled check is compared at least once on a graph it flags. Last, the compiler
refuses shapes it cannot compile.

Two known differences, both where pySHACL departs from SHACL and the graph fails anyway (on
the datatype of the same value), are allowed and tested on their own:

* ``sh:lessThanOrEquals`` on values that cannot be compared (an ill-typed date, a date
  against a number): SHACL makes that a violation, and so does the compiled check; pySHACL
  (through rdflib's literal ordering) passes it;
* an ill-typed or decimal ``kg:startOffset``/``kg:endOffset``: pySHACL crashes in
  ``kgsh:SpansMatchText`` (rdflib's arithmetic on such literals), the compiled check reports.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node
from test_validate import TEXT, ev, mou_facts

from kg._shacl_sparql import UnsupportedShapeError, Violation, compile_shapes
from kg.extract import extract
from kg.mapping import Quad, map_release
from kg.namespace import FOAF, KG, ORG, RDF, SDO, SKOS, XSD
from kg.sources import read_release
from kg.validate import shapes_graph, validate_graph

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = sorted((ROOT / "tests" / "cases").glob("*/release.txt")) + sorted(
    (ROOT / "data" / "releases").glob("*.txt")
)
BASE = "https://w3id.org/partnership-graph/id/"

#: Wrong objects tried in place of each triple's object.
WRONG: tuple[Node, ...] = (
    Literal(""),
    Literal("Dr Someone"),
    Literal("abc", datatype=XSD.integer),
    Literal(-1),
    Literal(7),
    Literal("1.5", datatype=XSD.decimal),
    Literal("2020-01-01", datatype=XSD.date),
    Literal("2024-02-30", datatype=XSD.date),
    Literal("three years", datatype=XSD.duration),
    Literal("P2Y", datatype=XSD.duration),
    Literal("x", lang="en"),
    Literal("Tel: +852 2629 6633"),
    Literal("press@example.org"),
    Literal("6ab1" * 16 + "0"),
    URIRef("mailto:press@example.org"),
    URIRef(BASE + "org/alpha-health-agency"),
    URIRef(BASE + "person/liza-to"),
    KG.Signed,
    KG.MemorandumOfUnderstanding,
    KG.Release,
)

#: Wrong types tried in place of each node's type.
CLASSES: tuple[Node, ...] = (
    KG.Signing,
    KG.Witnessing,
    KG.Release,
    ORG.Organization,
    FOAF.Person,
    SKOS.Concept,
)


def lines(quads: list[Quad], *, include_contacts: bool = False) -> tuple[list[str], list[str]]:
    """The lines of both engines for ``quads``."""
    compiled = validate_graph(quads, include_contacts=include_contacts)
    with warnings.catch_warnings():  # rdflib ordering literals of different types
        warnings.simplefilter("ignore", DeprecationWarning)
        reference = validate_graph(quads, include_contacts=include_contacts, engine="pyshacl")
    return compiled, reference


@cache
def ordering_messages() -> frozenset[str]:
    """The messages of the ``sh:lessThanOrEquals`` shapes."""
    shapes = shapes_graph(flat=False)
    return frozenset(
        str(m)
        for shape in shapes.subjects(SH.lessThanOrEquals)
        for m in shapes.objects(shape, SH.message)
    )


def difference(quads: list[Quad]) -> str | None:
    """How the engines differ on ``quads`` beyond the known differences, else None."""
    try:
        compiled, reference = lines(quads)
    except (RecursionError, TypeError):  # pySHACL's crash on ill-typed offsets
        return None if validate_graph(quads) else "pySHACL crashed, the compiled check passed"
    missing = sorted(set(reference) - set(compiled))
    extra = [
        line
        for line in sorted(set(compiled) - set(reference))
        if not (
            reference and any(line.split(": ", 3)[-1].startswith(m) for m in ordering_messages())
        )
    ]
    if missing or extra:
        return f"only pySHACL: {missing}\n  only compiled: {extra}"
    return None


@cache
def mou() -> tuple[Quad, ...]:
    """The MOU of ``test_validate``, with an alias for Liza To (a person's skos:altLabel)."""
    facts = mou_facts()
    liza = facts.person("liza-to")
    assert liza is not None
    liza.aliases, liza.alias_evidence = ["To Liza"], {"To Liza": ev("Dr Liza To")}
    return tuple(map_release(facts, text=TEXT))


def mutations(quads: tuple[Quad, ...]) -> Iterator[tuple[str, list[Quad]]]:
    """Single-triple mutations of ``quads``, named: each triple dropped; for the first triple
    of each (subject type, predicate), the triple duplicated with another object, and its
    object replaced by each wrong one (a type by each of a few classes)."""
    graph = quads[0][3]
    types = {s: o for s, p, o, _ in quads if p == RDF.type}
    seen: set[tuple[Node | None, Node]] = set()
    for i, (s, p, o, _) in enumerate(quads):
        rest = [*quads[:i], *quads[i + 1 :]]
        yield f"drop {s} {p} {o}", rest
        if (types.get(s), p) in seen:
            continue
        seen.add((types.get(s), p))
        yield f"duplicate {s} {p} {o}", [*quads, (s, p, _other(o), graph)]
        wrongs = CLASSES if p == RDF.type else WRONG
        for wrong in wrongs:
            if wrong != o:
                yield f"replace {s} {p} by {wrong!r}", [*rest, (s, p, wrong, graph)]


def _other(o: Node) -> Node:
    """A second object like ``o``, to break a maximum count."""
    if isinstance(o, Literal):
        return Literal(str(o) + "1", datatype=o.datatype, lang=o.language)
    return URIRef(str(o) + "-other")


@pytest.mark.parametrize("path", GOLDEN, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_golden_releases_conform_on_both_engines(path: Path) -> None:
    doc = read_release(path)
    quads = map_release(extract(doc), text=doc.text)
    assert lines(quads) == ([], [])


#: pySHACL (about 90 ms a graph) checks every STRIDE-th single mutation, besides the first
#: that breaks each constraint; KG_EQUIVALENCE_STRIDE=1 compares all of them (3 minutes)
STRIDE = int(os.environ.get("KG_EQUIVALENCE_STRIDE", "6"))


def test_single_mutations_give_the_same_lines() -> None:
    """The mutations break every constraint of the shapes file (checked on all of them with
    the compiled engine), and both engines agree on the first mutation breaking each
    constraint and on every STRIDE-th other one, so no compiled check goes uncompared."""
    candidates = list(mutations(mou()))
    assert len(candidates) > 1000
    messages = {str(m) for m in shapes_graph(flat=False).objects(None, SH.message)}
    first: dict[str, int] = {}
    for i, (_, quads) in enumerate(candidates):
        for line in validate_graph(quads):
            for message in messages:
                if message in line:
                    first.setdefault(message, i)
    assert not messages - first.keys(), f"no mutation triggers {sorted(messages - first.keys())}"
    chosen = sorted(set(first.values()) | set(range(0, len(candidates), STRIDE)))
    disagreements = []
    for i in chosen:
        name, quads = candidates[i]
        differs = difference(quads)
        if differs:
            disagreements.append(f"{name}:\n  {differs}")
    assert not disagreements, f"{len(disagreements)} of {len(chosen)}:\n" + "\n".join(disagreements)


def test_contact_opt_in_gives_the_same_lines() -> None:
    graph = mou()[0][3]
    subject = URIRef(BASE + "org/beta-science-park")
    for leaked in (Literal("+852 2629 6633"), Literal("a@b.org"), URIRef("tel:+85226296633")):
        quads = [*mou(), (subject, SDO.email, leaked, graph)]
        for opted_in in (False, True):
            compiled, reference = lines(quads, include_contacts=opted_in)
            assert compiled == reference
            assert bool(compiled) is not opted_in


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_combined_mutations_give_the_same_lines(data: st.DataObject) -> None:
    quads = list(mou())
    for _ in range(data.draw(st.integers(2, 5), label="mutations")):
        candidates = list(mutations(tuple(quads)))
        _, quads = data.draw(st.sampled_from(candidates), label="mutation")
    assert difference(quads) is None


def test_incomparable_bounds_are_violations() -> None:
    """A start date that cannot be compared with the end date breaks sh:lessThanOrEquals
    (SHACL 4.5.4); pySHACL only reports the ill-typed date."""
    agreement = URIRef(BASE + "agreement/001-test-mou")
    graph = mou()[0][3]
    quads = [q for q in mou() if q[1] != SDO.startDate]
    quads.append((agreement, SDO.startDate, Literal("2024-02-30", datatype=XSD.date), graph))
    compiled, reference = lines(quads)
    ordering = [line for line in compiled if "the start date is after the end date" in line]
    assert ordering
    assert sorted(set(compiled) - set(ordering)) == reference


SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <https://example.org/> .
ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property ex:P .
ex:P sh:message "m" ; {constraint} .
"""


@pytest.mark.parametrize(
    "constraint",
    [
        "sh:path ex:p ; sh:in ( ex:a ex:b )",
        "sh:path ex:p ; sh:or ( [ sh:datatype ex:d ] )",
        "sh:path ex:p ; sh:severity sh:Warning",
        "sh:path ex:p ; sh:maxLength 3",
        "sh:path ex:p ; sh:datatype <http://www.w3.org/2001/XMLSchema#anyURI>",
        "sh:path ex:p ; sh:nodeKind ex:NoKind",
        "sh:path ( ex:p ex:q ) ; sh:minCount 1",
        "sh:path [ sh:zeroOrMorePath ex:p ] ; sh:minCount 1",
        "sh:path ex:p ; sh:minCount 1, 2",
    ],
)
def test_unsupported_constraints_are_refused(constraint: str) -> None:
    shapes = Graph().parse(data=SHAPES.replace("{constraint}", constraint), format="turtle")
    with pytest.raises(UnsupportedShapeError):
        compile_shapes(shapes)


@pytest.mark.parametrize(
    "select",
    [
        "SELECT $this WHERE { $this ex:p ?x MINUS { ?x ex:q ?y } }",
        "SELECT $this WHERE { { SELECT ?x WHERE { ?x ex:p ?y } } }",
        "SELECT $this WHERE { VALUES ?x { 1 } }",
    ],
)
def test_sparql_constraints_that_need_pre_binding_are_refused(select: str) -> None:
    shapes = Graph().parse(
        data=SHAPES.replace('ex:P sh:message "m" ; {constraint} .', "")
        + f'ex:S sh:sparql [ sh:message "m" ; sh:select "{select}" ] .',
        format="turtle",
    )
    with pytest.raises(UnsupportedShapeError):
        compile_shapes(shapes)


@pytest.mark.parametrize(
    "select",
    [
        "SELECT $this WHERE { $this ex:p ?x } GROUP BY $this",
        "SELECT $this WHERE { $this ex:p ?focusGraph }",
    ],
)
def test_sparql_constraints_that_cannot_run_by_graph_are_refused(select: str) -> None:
    """Grouping would mix graphs, and the graph variable is the compiler's own: refused in
    the per-graph form only."""
    shapes = Graph().parse(
        data=SHAPES.replace('ex:P sh:message "m" ; {constraint} .', "")
        + f'ex:S sh:sparql [ sh:message "m" ; sh:select "{select}" ] .',
        format="turtle",
    )
    assert compile_shapes(shapes)
    with pytest.raises(UnsupportedShapeError, match="by graph"):
        compile_shapes(shapes, by_graph=True)


def test_a_constraint_without_message_is_refused() -> None:
    shapes = Graph().parse(
        data=SHAPES.replace('sh:message "m" ; {constraint}', "sh:path ex:p ; sh:minCount 1"),
        format="turtle",
    )
    with pytest.raises(UnsupportedShapeError, match="no sh:message"):
        compile_shapes(shapes)


def test_one_run_over_many_graphs_equals_one_run_per_graph() -> None:
    """The build validates many releases in one run of the checks, each in its own named
    graph (``by_graph``). On every fourth single mutation, all in one run, each graph gets
    exactly what the checks compiled for the default graph find when it is alone."""
    from kg import validate
    from kg._shacl_sparql import find_violations
    from kg.mapping import ntriples, ntriples_to_nquads

    texts = [ntriples(quads) for _, quads in list(mutations(mou()))[::4]]
    graphs = [URIRef(f"urn:test:graph:{n}") for n in range(len(texts))]
    together = validate._compiled_violations(
        [(g, ntriples_to_nquads(t, g).encode()) for g, t in zip(graphs, texts, strict=True)],
        False,
    )
    alone_checks = compile_shapes(shapes_graph(flat=False))
    axioms = validate._ontology_text()
    differing = []
    for number, (text, found) in enumerate(zip(texts, together, strict=True)):
        store = ox.Store()
        store.load((axioms + text).encode(), format=ox.RdfFormat.N_TRIPLES)
        alone = find_violations(store, alone_checks)
        if _results(found) != _results(alone):
            differing.append(number)
    assert sum(map(bool, together)) > len(texts) // 2, "most mutations break a shape"
    assert not differing, f"{len(differing)} of {len(texts)} graphs differ: {differing[:10]}"


def _results(found: list[Violation]) -> set[tuple[object, ...]]:
    """Violations without their shape (a blank node, named anew each time the shapes file
    is parsed) and graph."""
    return {(v.focus, v.path, v.value, v.message) for v in found}


@pytest.mark.parametrize("by_graph", [False, True])
def test_the_personal_data_query_has_a_pre_scan(by_graph: bool) -> None:
    """The personal-data constraint (one REGEX over every term) runs only when some term's
    text matches its pattern, in both compiled forms: without the pre-scan it is most of
    the cost of validating a release."""
    checks = compile_shapes(shapes_graph(flat=False), by_graph=by_graph)
    scans = [c for c in checks if c.needs is not None]
    assert len(scans) == 1
    assert scans[0].needs is not None
    assert scans[0].needs.search("press@example.org")
    assert not any(scans[0].needs.search(str(term)) for quad in mou() for term in quad[:3])
