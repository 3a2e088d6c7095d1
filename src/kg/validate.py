"""Validating release graphs against the SHACL shapes of ``ontology/shapes.ttl``.

The core is pure: :func:`validate_graph` takes triples or quads and returns one readable line
per violation; :func:`check` raises :class:`kg.errors.ValidationError` with those lines.
:func:`validate_store` reads each release's named graph out of a store (through the store's
own SPARQL engine, never rdflib's) and validates it the same way.

Each release graph is validated on its own, with no inference, merged with what the shapes
need of the ontology (``ontology/kg.ttl``): its class hierarchy (so ``sh:class`` accepts
subclasses) and its concept schemes (so a shape can require a concept of
``kg:AgreementTypes``).

Two engines run the same shapes file:

* ``"sparql"`` (the default, and what :func:`check` and :func:`validate_store` use): the
  shapes compiled once into SPARQL queries (:mod:`kg._shacl_sparql`), run by pyoxigraph on a
  small in-memory store holding each release in a named graph of its own, with those
  axioms. Each query runs once for all the releases given together (:func:`check_batch`;
  a build validates each worker's chunk of 8 releases so): parsing and planning the
  18 queries (the property shapes that check the same focus nodes are one query), most of
  the cost for one release alone (about 9.5 ms of CPU for a generated release of about
  470 quads), is paid once per chunk, which brings a release to about 4 ms: about 1 ms
  loading its N-Quads (parsed strictly, IRIs checked), about 1 ms the personal-data
  pre-scan (one pass of Python ``re`` over the values the query would test; it runs only
  on a match: see :mod:`kg._shacl_sparql`), about 2 ms the queries. pySHACL takes about
  60-65 ms a release.
* ``"pyshacl"``: pySHACL, the reference. The test suite checks that both engines give the
  same lines on the golden releases and on hundreds of broken graphs
  (``tests/test_validate_equivalence.py``). pySHACL is given the ontology merged into the
  data rather than as ``ont_graph`` (pySHACL only "inoculates" the RDFS/OWL axioms of an
  ``ont_graph``, not the SKOS concepts of its schemes), and two of its costs are avoided
  (see :class:`_WorkGraph` and :func:`_flatten`).

A line names the release (its ``kg:sourceFile``, else its graph), the focus node's kind and
label, the fact (the SHACL result path) and the shape's message::

    000_6ab.txt: agreement 'MOU between A and B': kg:party: a signed agreement needs at least
    two parties

The personal-data shape (:data:`PERSONAL_DATA_SHAPE`: no literal may look like an e-mail
address or a phone number) is checked unless ``include_contacts`` says the user opted in.

Example::

    >>> from rdflib import Graph, Literal, URIRef
    >>> from kg.namespace import FOAF, RDF
    >>> g = Graph()
    >>> p = URIRef("https://example.org/person/x")
    >>> _ = g.add((p, RDF.type, FOAF.Person))
    >>> validate_graph(g, release="r.txt")
    ["r.txt: person 'x': foaf:name: a person needs exactly one non-empty foaf:name"]
"""

from __future__ import annotations

import typing
from collections.abc import Iterable, Sequence
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
import pyshacl
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import SH, NamespaceManager
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.query import Result
from rdflib.term import Node

from ._shacl_sparql import (
    Check,
    InversePath,
    Path,
    Violation,
    compile_shapes,
    find_violations,
)
from .errors import ValidationError
from .mapping import nquads, nquads_to_ntriples, ntriples, ntriples_to_nquads
from .namespace import (
    FOAF,
    KG,
    ONTOLOGY_DIR,
    ONTOLOGY_IRI,
    ORG,
    PREFIXES,
    RDF,
    RDFS,
    SDO,
    SKOS,
)

if TYPE_CHECKING:  # the store is downstream of validation: only its interface is named
    from .store import GraphStore

__all__ = [
    "PERSONAL_DATA_SHAPE",
    "SHAPES_IRI",
    "Engine",
    "check",
    "check_batch",
    "check_nquads",
    "ontology_graph",
    "shapes_graph",
    "validate_graph",
    "validate_store",
]

#: The namespace of the shapes in ``ontology/shapes.ttl``.
SHAPES_IRI = "https://w3id.org/partnership-graph/shapes#"
#: The shape that keeps e-mail addresses and phone numbers out of the graph.
PERSONAL_DATA_SHAPE = URIRef(SHAPES_IRI + "PersonalDataShape")

#: What a focus node is called in messages, by type; the first type that matches wins.
_KINDS: tuple[tuple[URIRef, str], ...] = (
    (KG.Agreement, "agreement"),
    (KG.Signing, "signing"),
    (KG.Witnessing, "witnessing"),
    (KG.Evidence, "evidence"),
    (KG.Release, "release"),
    (KG.Speech, "speech"),
    (KG.ContactPoint, "media contact"),
    (KG.Technology, "technology"),
    (FOAF.Person, "person"),
    (ORG.Organization, "organisation"),
    (ORG.Membership, "post"),
    (ORG.Role, "role"),
    (SKOS.Concept, "area"),
    (SDO.Place, "place"),
)
_LABELS = (RDFS.label, SKOS.prefLabel, FOAF.name, SDO.name)
_MAX_SHOWN = 120

Quadlike = tuple[Node, Node, Node, Node | None]


@cache
def ontology_graph() -> Graph:
    """The ontology ``ontology/kg.ttl``, parsed once.

    :raises FileNotFoundError: when the ontology file is missing
    """
    return Graph().parse(ONTOLOGY_DIR / "kg.ttl", format="turtle")


@cache
def _ontology_axioms() -> tuple[tuple[Node, Node, Node], ...]:
    """What the shapes need of the ontology: the class hierarchy and the concept schemes.

    ``rdfs:subClassOf`` lets ``sh:class`` accept subclasses; ``skos:inScheme`` (with the
    concepts' types) lets a shape require a concept of ``kg:AgreementTypes``. The rest of
    ``kg.ttl`` (labels, comments, property axioms) only slows the whole-graph scans down.
    """
    ontology = ontology_graph()
    wanted = (RDFS.subClassOf, SKOS.inScheme)
    kept = [t for t in ontology if t[1] in wanted]
    concepts = {s for s, p, _ in kept if p == SKOS.inScheme}
    kept += [(c, RDF.type, t) for c in concepts for t in ontology.objects(c, RDF.type)]
    return tuple(sorted(kept))


@cache
def shapes_graph(include_contacts: bool = False, *, flat: bool = True) -> Graph:
    """The shapes of ``ontology/shapes.ttl``, parsed once per variant.

    :param include_contacts: the user opted in to keeping contact details, so
        :data:`PERSONAL_DATA_SHAPE` is deactivated (``sh:deactivated true``)
    :param flat: give each property shape of a targeted node shape that node shape's
        targets (see :func:`_flatten`); the results are the same, in about half the time
    :raises FileNotFoundError: when the shapes file is missing
    """
    graph = Graph().parse(ONTOLOGY_DIR / "shapes.ttl", format="turtle")
    if include_contacts:
        graph.add((PERSONAL_DATA_SHAPE, SH.deactivated, Literal(True)))
    if flat:
        _flatten(graph)
    return graph


_TARGETS = (SH.targetClass, SH.targetNode, SH.targetObjectsOf, SH.targetSubjectsOf)


def _flatten(shapes: Graph) -> None:
    """Move ``S sh:property P`` to ``P``'s own targets, for every targeted node shape ``S``.

    By SHACL (sections 2.1.3 and 4.8.2) a property shape reached through ``sh:property``
    from a shape with targets validates exactly the focus nodes it would validate with
    those targets of its own, and its results name the same focus node and source shape.
    pySHACL, however, evaluates a nested property shape once per focus node, paying its
    set-up each time (about 0.1 ms; a release has hundreds of evidence nodes); a targeted
    property shape is evaluated once for all of them. Shapes reached only through
    ``sh:node``/``sh:not`` (no targets of their own) are left as they are.
    """
    for shape in set(shapes.subjects(SH.property, None)):
        targets = [(p, o) for p in _TARGETS for o in shapes.objects(shape, p)]
        if not targets or shapes.value(shape, SH.deactivated) == Literal(True):
            continue
        for prop in list(shapes.objects(shape, SH.property)):
            for predicate, target in targets:
                shapes.add((prop, predicate, target))
            shapes.remove((shape, SH.property, prop))


@cache
def _namespaces() -> NamespaceManager:
    manager = NamespaceManager(Graph(), bind_namespaces="none")
    for prefix, iri in PREFIXES.items():
        manager.bind(prefix, iri)
    manager.bind("kgsh", SHAPES_IRI)
    return manager


#: The validation engines: shapes compiled to SPARQL (pyoxigraph), or pySHACL.
Engine = typing.Literal["sparql", "pyshacl"]


def validate_graph(
    data: Graph | Iterable[Quadlike],
    *,
    release: str | None = None,
    include_contacts: bool = False,
    engine: Engine = "sparql",
) -> list[str]:
    """Validate release graphs against the shapes; one line per violation, sorted.

    :param data: one release graph (an rdflib ``Graph``), a ``Dataset`` whose named graphs
        are releases (the ontology's own graph is skipped), or quads ``(s, p, o, g)`` as
        :func:`kg.mapping.map_release` returns them (grouped by ``g``)
    :param release: the name to give the release in messages (default: its
        ``kg:sourceFile``, else its graph IRI)
    :param include_contacts: the user opted in to keeping contact details: skip the
        personal-data shape
    :param engine: ``"sparql"`` (compiled shapes, fast) or ``"pyshacl"`` (the reference);
        both give the same lines
    :returns: the violations, empty when the data conforms
    """
    messages: set[str] = set()
    releases = _release_triples(data)
    if engine == "pyshacl":
        results = [
            _pyshacl_violations(_work_graph(triples), shapes_graph(include_contacts))
            for _, triples in releases
        ]
    else:
        runs = [URIRef(f"{_RUN_GRAPH}{number}") for number in range(len(releases))]
        results = _compiled_violations(
            [
                (run, nquads(t, run).encode("utf-8"))
                for run, (_, t) in zip(runs, releases, strict=True)
            ],
            include_contacts,
        )
    for (name, triples), found in zip(releases, results, strict=True):
        work = _work_graph(triples) if found else Graph()
        messages.update(_lines(found, work, release or _release_name(work, name)))
    return sorted(messages)


def check(
    data: Graph | Iterable[Quadlike],
    *,
    release: str | None = None,
    include_contacts: bool = False,
) -> None:
    """Like :func:`validate_graph` (compiled shapes), but raise when there is any violation.

    :raises ValidationError: listing every violation (``.messages``)
    """
    messages = validate_graph(data, release=release, include_contacts=include_contacts)
    if messages:
        raise ValidationError(messages)


def check_nquads(
    data: bytes, graph: URIRef, *, release: str, include_contacts: bool = False
) -> None:
    """:func:`check` for one release graph given as N-Quads in ``graph``
    (:func:`kg.mapping.nquads`, UTF-8), as a build has it ready for the store: the data is
    loaded as it is, no terms converted.

    :raises ValidationError: listing every violation (``.messages``)
    """
    error = check_batch([(release, graph, data)], include_contacts=include_contacts)[0]
    if error is not None:
        raise error


def check_batch(
    releases: Sequence[tuple[str, URIRef, bytes]], *, include_contacts: bool = False
) -> list[ValidationError | None]:
    """:func:`check_nquads` for many release graphs at once, each validated on its own but
    all in one run of the compiled checks (much cheaper per release than one run each).

    :param releases: (release name for messages, graph, N-Quads in that graph) triples
    :returns: for each release in order, the error listing its violations, or ``None``
    """
    results = _compiled_violations([(g, data) for _, g, data in releases], include_contacts)
    errors: list[ValidationError | None] = []
    for (release, graph, data), found in zip(releases, results, strict=True):
        if found:
            work = _work_graph(_triples(data, graph))
            errors.append(ValidationError(sorted(set(_lines(found, work, release)))))
        else:
            errors.append(None)
    return errors


def validate_store(store: GraphStore, *, include_contacts: bool = False) -> list[str]:
    """Validate every release graph in ``store``, each on its own; one line per violation.

    Graph names come from ``SELECT DISTINCT ?g``; each graph's triples from a ``CONSTRUCT``
    through the store's own engine, as N-Triples, loaded into an in-memory pyoxigraph store
    and checked with the compiled shapes (the ``"sparql"`` engine: the same lines as pySHACL,
    see the module docstring, at a few milliseconds a release). The ontology's graph is
    skipped.

    :param store: an open store
    :param include_contacts: skip the personal-data shape
    :returns: the violations of all graphs, sorted
    :raises StoreError: when the store cannot be read
    """
    _, rows = store.select(
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } FILTER(isIRI(?g)) } ORDER BY ?g"
    )
    names = [name for (name,) in rows if name is not None and URIRef(name) != ONTOLOGY_IRI]
    messages: set[str] = set()
    for start in range(0, len(names), _BATCH):
        batch = [URIRef(name) for name in names[start : start + _BATCH]]
        graphs = [(name, _graph_nquads(store, name)) for name in batch]
        for (name, data), found in zip(
            graphs, _compiled_violations(graphs, include_contacts), strict=True
        ):
            if found:
                graph = _work_graph(_triples(data, name))
                messages.update(_lines(found, graph, _release_name(graph, name)))
    return sorted(messages)


def _graph_nquads(store: GraphStore, graph: URIRef) -> bytes:
    """One named graph of the store, as N-Quads in that graph."""
    construct = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {graph.n3()} {{ ?s ?p ?o }} }}"
    text = store.query(construct, "ntriples").decode("utf-8")
    return ntriples_to_nquads(text, graph).encode("utf-8")


#: How many release graphs :func:`validate_store` validates in one run of the checks.
_BATCH = 16
#: The graphs the releases of one run of the checks are loaded into, numbered from 0.
_RUN_GRAPH = "urn:kg:validate:release:"


@cache
def _checks(include_contacts: bool) -> tuple[Check, ...]:
    """The shapes file compiled to SPARQL (one run checks every graph), once per variant."""
    return compile_shapes(shapes_graph(include_contacts, flat=False), by_graph=True)


@cache
def _ontology_text() -> str:
    """:func:`_ontology_axioms` as N-Triples."""
    return ntriples(_ontology_axioms())


def _compiled_violations(
    graphs: Sequence[tuple[URIRef, bytes]], include_contacts: bool
) -> list[list[Violation]]:
    """The compiled shapes' violations in release graphs, each given as N-Quads whose lines
    are all in its graph, for each graph in order.

    The graphs go into a fresh in-memory pyoxigraph store, each with the ontology axioms,
    and each check runs once over all of them (``by_graph``). Graphs of the same name (two
    files giving one release id) are validated in separate runs.
    """
    axioms = _ontology_text().encode("utf-8")
    found: list[list[Violation]] = [[] for _ in graphs]
    pending = list(enumerate(graphs))
    while pending:
        run: dict[str, int] = {}
        later = []
        for number, (graph, _) in pending:
            if str(graph) in run:
                later.append((number, graphs[number]))
            else:
                run[str(graph)] = number
        store = ox.Store()
        store.load(b"".join(graphs[n][1] for n in run.values()), format=ox.RdfFormat.N_QUADS)
        for name in run:
            store.load(axioms, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(name))
        for violation in find_violations(store, _checks(include_contacts)):
            found[run[str(violation.graph)]].append(violation._replace(graph=None))
        pending = later
    return found


def _triples(data: bytes, graph: URIRef) -> Graph:
    """The triples of N-Quads whose lines are all in ``graph``."""
    return Graph().parse(data=nquads_to_ntriples(data.decode("utf-8"), graph), format="nt")


def _release_triples(
    data: Graph | Iterable[Quadlike],
) -> list[tuple[str, list[tuple[Node, Node, Node]]]]:
    """Split the input into (graph name, triples) pairs, skipping the ontology's graph."""
    if isinstance(data, Dataset):
        return [
            (str(context.identifier), list(context))
            for context in data.graphs()
            if context.identifier != ONTOLOGY_IRI and len(context) > 0
        ]
    if isinstance(data, Graph):
        return [(str(data.identifier), list(data))]
    grouped: dict[Node | None, list[tuple[Node, Node, Node]]] = {}
    for s, p, o, *rest in data:
        grouped.setdefault(rest[0] if rest else None, []).append((s, p, o))
    return [
        (str(g) if g is not None else "default graph", triples)
        for g, triples in grouped.items()
        if g != ONTOLOGY_IRI
    ]


def _work_graph(triples: Iterable[tuple[Node, Node, Node]]) -> Graph:
    """A release's triples (literals :func:`_as_stored`) with the ontology axioms merged."""
    work = _WorkGraph()
    for triple in _ontology_axioms():
        work.add(triple)
    for s, p, o in triples:
        work.add((s, p, _as_stored(o)))
    return work


def _release_name(graph: Graph, fallback: str) -> str:
    """The release's ``kg:sourceFile``, else ``fallback`` (usually the graph IRI)."""
    sources = sorted(
        str(source)
        for release in graph.subjects(RDF.type, KG.Release)
        for source in graph.objects(release, KG.sourceFile)
    )
    return sources[0] if sources else fallback


class _WorkGraph(Graph):
    """The in-memory graph pySHACL validates, parsing each SPARQL query text only once.

    pySHACL hands rdflib the same query text for every focus node of a SPARQL constraint
    (the focus node goes in ``initBindings``), and rdflib parses it every time: about 6 to
    40 ms a parse, most of a release's validation time. Only this private graph is
    affected; the store's queries never go through rdflib.
    """

    def query(self, query_object: Any, *args: Any, **kwargs: Any) -> Result:
        if isinstance(query_object, str):
            query_object = _prepared(query_object)
        return super().query(query_object, *args, **kwargs)


@lru_cache(maxsize=128)
def _prepared(text: str) -> Query:
    return prepareQuery(text)


def _pyshacl_violations(work: Graph, shapes: Graph) -> list[Violation]:
    """Run pySHACL on a release graph already merged with the ontology (validated in place)."""
    conforms, report, _ = pyshacl.validate(
        work,
        shacl_graph=shapes,
        inference="none",
        inplace=True,
        allow_warnings=True,
        allow_infos=True,
        advanced=False,
    )
    if conforms:
        return []
    assert isinstance(report, Graph)
    found = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        if report.value(result, SH.resultSeverity) != SH.Violation:
            continue
        focus = report.value(result, SH.focusNode)
        shape = report.value(result, SH.sourceShape)
        assert focus is not None and shape is not None
        messages = sorted(str(m) for m in report.objects(result, SH.resultMessage))
        found.append(
            Violation(
                focus,
                _report_path(report, report.value(result, SH.resultPath)),
                report.value(result, SH.value),
                shape,
                messages[0] if messages else "breaks " + _short(shape),
            )
        )
    return found


def _as_stored(node: Node) -> Node:
    """A literal as a store would give it back: rebuilt from its lexical form.

    rdflib keeps the Python value a literal was made from (``Literal(0.9,
    datatype=XSD.decimal)`` holds a float), and pySHACL then finds it ill-typed although its
    N-Triples form is a valid ``xsd:decimal``. Rebuilding validates what will be stored.
    """
    if isinstance(node, Literal) and node.datatype is not None:
        return Literal(str(node), datatype=node.datatype)
    return node


def _report_path(report: Graph, path: Node | None) -> Path | None:
    """A result path of a pySHACL report as a compiled path (IRIs and inverse IRIs only)."""
    if path is None or isinstance(path, URIRef):
        return path
    inverse = report.value(path, SH.inversePath)
    if isinstance(inverse, URIRef):
        return InversePath(inverse)
    raise ValueError(f"a result path kg.validate cannot show: {path}")


def _lines(found: list[Violation], data: Graph, release: str) -> list[str]:
    return [_line(violation, data, release) for violation in found]


def _line(violation: Violation, data: Graph, release: str) -> str:
    """``<release>: <kind> '<label>': <path>: <message>[ (found ...)]``."""
    focus, path, value, shape, message, _ = violation
    if shape == PERSONAL_DATA_SHAPE:
        # the shape scans the whole graph from one fixed focus node: name the subject, by
        # its IRI only (its label may be the very literal that leaks the address)
        subjects = sorted(data.subjects(path, value), key=str) if isinstance(path, URIRef) else []
        subject = subjects[0] if subjects else focus
        parts = [release, _describe(data, subject, masked=True)]
    else:
        parts = [release, _describe(data, focus)]
    if path is not None:
        parts.append(_path(path))
    line = ": ".join(parts) + ": " + message
    if value is not None and value != focus and shape != PERSONAL_DATA_SHAPE:
        line += f" (found {_shown(data, value)})"
    return line


def _describe(data: Graph, node: Node | None, *, masked: bool = False) -> str:
    """A focus node as ``kind 'label'`` (``kind <IRI tail>`` when ``masked``)."""
    if node is None:
        return "graph"
    types = set(data.objects(node, RDF.type))
    kind = next((name for cls, name in _KINDS if cls in types), "node")
    if masked:
        return f"{kind} <{_tail(node)}>"
    if KG.Evidence in types:
        text = data.value(node, KG.exactText)
        start, end = data.value(node, KG.startOffset), data.value(node, KG.endOffset)
        label = f"{_clip(str(text)) if text is not None else '?'} [{start}:{end}]"
        return f"{kind} '{label}'"
    return f"{kind} '{_label(data, node)}'"


def _label(data: Graph, node: Node) -> str:
    for predicate in _LABELS:
        value = data.value(node, predicate)
        if value is not None:
            return _clip(str(value))
    return _clip(_tail(node))


def _shown(data: Graph, value: Node) -> str:
    if isinstance(value, Literal):
        return repr(_clip(str(value)))
    return f"'{_label(data, value)}'"


def _path(path: Path) -> str:
    """A SHACL path as text: ``kg:party``, ``^kg:hasSigning``."""
    if isinstance(path, InversePath):
        return "^" + _short(path.predicate)
    return _short(path)


def _short(node: Node | None) -> str:
    if isinstance(node, URIRef):
        try:
            return str(_namespaces().curie(node, generate=False))
        except (KeyError, ValueError):
            return node.n3()
    return "?" if node is None else str(node)


def _tail(node: Node) -> str:
    text = str(node).rstrip("/#")
    return text.rsplit("/", 1)[-1].rsplit("#", 1)[-1] or text


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 3] + "..."
