"""Compiling the SHACL shapes of ``ontology/shapes.ttl`` into SPARQL queries for pyoxigraph.

:func:`compile_shapes` reads a shapes graph (rdflib) and returns one :class:`Check` per
targeted node shape and SPARQL constraint, and one for all the property shapes that check
the same focus nodes: a ``SELECT`` whose solutions are those shapes' violations, binding
``?this`` (the focus node), when the result names one ``?value`` and ``?path``, and, when
the check covers several shapes, ``?source``, the number of the shape (its
:attr:`Check.sources`). The property shapes of one node shape go together so that the focus
nodes are found once and the values matched in one pass: a release has hundreds of evidence
nodes, checked by nine property shapes. :func:`find_violations` runs the checks on a
``pyoxigraph.Store``
holding one data graph (in its default graph) and returns :class:`Violation` records, the
same fields a pySHACL report gives (focus node, path, value, source shape, message).
Compiled ``by_graph``, the checks instead validate every named graph of the store as a
data graph of its own, in one run, and each record names its graph: most of a check's cost
is pyoxigraph parsing and planning its query, which a run over many graphs pays once.

Only the SHACL Core features the project's shapes use are compiled: targets ``sh:targetClass``
(with ``rdfs:subClassOf*``), ``sh:targetNode`` and ``sh:targetObjectsOf``; paths that are an
IRI or an ``sh:inversePath`` of one; ``sh:minCount``, ``sh:maxCount``, ``sh:datatype``,
``sh:class``, ``sh:nodeKind``, ``sh:pattern``, ``sh:minLength``, ``sh:minInclusive``,
``sh:maxInclusive``, ``sh:hasValue``, ``sh:lessThanOrEquals``, ``sh:node``, ``sh:not``; and
SPARQL-based constraints (``sh:sparql`` with ``sh:select``, ``$this`` and ``sh:prefixes``) on
node shapes. Any other term of the SHACL namespace in the shapes graph (``sh:in``,
``sh:or``, ``sh:severity``, sequence paths ...) makes :func:`compile_shapes` raise
:class:`UnsupportedShapeError`: a constraint the compiler does not know is never passed.

How each part maps to SPARQL:

* the focus nodes of a shape are a ``SELECT DISTINCT ?this`` sub-query over its targets; a
  property shape reached through ``sh:property`` gets the targets of every shape reaching it
  (by SHACL, the results are those of validating it once per such focus node);
* value constraints become one Boolean expression on a value node, true when the node
  conforms; a check keeps the values for which ``COALESCE(expression, false)`` is false, so
  an expression error (comparing a string with a number, casting an ill-formed literal) is
  a violation, never a silent pass;
* ``sh:minCount``/``sh:maxCount`` count the distinct values per focus node (``GROUP BY``),
  ``sh:hasValue`` is a ``NOT EXISTS`` (how the property shapes of one check share the focus
  nodes: :meth:`_Compiler._property_check`);
* ``sh:node``/``sh:not`` test the value against the nested shape's own violation pattern
  (``NOT EXISTS``/``EXISTS``);
* ``by_graph``: every triple pattern is matched in ``GRAPH ?focusGraph`` and every
  sub-query projects (and groups by) that variable. Not simply ``GRAPH ?g { check }``:
  oxigraph (0.5) leaves ``?g`` unbound by a sub-query inside ``GRAPH ?g``, and evaluates
  that sub-query over every graph;
* a SPARQL constraint's ``SELECT`` gets the shape's focus pattern as the first element of
  its ``WHERE`` group, which binds ``$this`` (the same variable as ``?this`` in SPARQL). That
  equals SHACL's pre-binding for queries without ``MINUS``, ``VALUES``, ``SERVICE`` or
  sub-queries, which are refused.

``REGEX`` (in ``sh:pattern`` and in SPARQL constraints) runs Python's ``re.search`` through a
custom function (:data:`REGEX_FUNCTION`): oxigraph's own ``REGEX`` has no lookarounds, which
the phone-number pattern uses, and fails on them without an error a ``FILTER`` could see.
pySHACL (through rdflib) evaluates the same patterns with ``re``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import Node

__all__ = [
    "GRAPH_VARIABLE",
    "REGEX_FUNCTION",
    "Check",
    "InversePath",
    "Source",
    "UnsupportedShapeError",
    "Violation",
    "compile_shapes",
    "find_violations",
    "from_ox",
]

#: The custom SPARQL function standing for ``REGEX`` in compiled queries (Python ``re``).
REGEX_FUNCTION = "urn:kg:shacl-sparql:regex"


class UnsupportedShapeError(ValueError):
    """The shapes graph uses a SHACL feature the compiler does not compile."""


class InversePath(NamedTuple):
    """The SHACL path ``[ sh:inversePath predicate ]``."""

    predicate: URIRef


#: The variable naming the graph a solution is in, when checks run per graph (``by_graph``).
GRAPH_VARIABLE = "?focusGraph"

#: A pyoxigraph RDF term.
OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
#: A compiled SHACL path: a predicate, or the inverse of one.
Path = URIRef | InversePath


class Violation(NamedTuple):
    """One validation result, with the fields of a SHACL report's ``sh:ValidationResult``,
    and the named graph it was found in when the checks ran per graph (``by_graph``)."""

    focus: Node
    path: Path | None
    value: Node | None
    shape: Node
    message: str
    graph: Node | None = None


class Source(NamedTuple):
    """What a violation found by a check reports: its source shape, message and path."""

    #: the source shape (a property shape, or the node shape of a SPARQL constraint)
    shape: Node
    #: the result message (the constraint's or shape's ``sh:message``)
    message: str
    #: the result path when the query binds no ``?path``
    path: Path | None


@dataclass(frozen=True)
class Check:
    """One compiled query: a node shape, a SPARQL constraint, or the property shapes that
    share one focus pattern.

    :ivar query: a ``SELECT`` binding ``?this``, and ``?value``/``?path`` when known, once
        per violation; with more than one source, ``?source`` too: the number of the source
        the violation is of
    :ivar sources: what the violations report (:class:`Source`), one per shape checked
    :ivar needs: when set, the query can only have solutions if this pattern matches the
        text of some term of the data (see :func:`_needed_match`), so it is not run when
        none does
    :ivar candidates: with :attr:`needs`, a ``SELECT DISTINCT`` of the terms the query
        tests against that pattern (:func:`_candidates`): the query has solutions only if
        the text of one of them matches
    """

    query: str
    sources: tuple[Source, ...]
    needs: re.Pattern[str] | None = None
    candidates: str | None = None


_SHACL = "http://www.w3.org/ns/shacl#"
#: SHACL terms the compiler reads, as predicates of the shapes graph; any other is refused.
_KNOWN = frozenset(
    {
        SH.targetClass,
        SH.targetNode,
        SH.targetObjectsOf,
        SH.property,
        SH.path,
        SH.inversePath,
        SH.name,
        SH.description,
        SH.message,
        SH.deactivated,
        SH.minCount,
        SH.maxCount,
        SH.datatype,
        SH["class"],
        SH.nodeKind,
        SH.pattern,
        SH.minLength,
        SH.minInclusive,
        SH.maxInclusive,
        SH.hasValue,
        SH.lessThanOrEquals,
        SH.node,
        SH["not"],
        SH.sparql,
        SH.select,
        SH.prefixes,
        SH.declare,
        SH.prefix,
        SH.namespace,
    }
)
_TARGETS = (SH.targetClass, SH.targetNode, SH.targetObjectsOf)
#: Datatypes whose lexical forms oxigraph checks by casting (``xsd:integer(STR(?v))``).
_CASTABLE = frozenset(
    {
        XSD.integer,
        XSD.decimal,
        XSD.float,
        XSD.double,
        XSD.boolean,
        XSD.date,
        XSD.dateTime,
        XSD.time,
        XSD.duration,
    }
)
_NODE_KINDS: dict[Node, str] = {
    SH.IRI: "isIRI({0})",
    SH.BlankNode: "isBlank({0})",
    SH.Literal: "isLiteral({0})",
    SH.BlankNodeOrIRI: "(isBlank({0}) || isIRI({0}))",
    SH.BlankNodeOrLiteral: "(isBlank({0}) || isLiteral({0}))",
    SH.IRIOrLiteral: "(isIRI({0}) || isLiteral({0}))",
}
#: Keywords under which joining the focus pattern differs from SHACL's pre-binding of $this.
_NOT_PREBINDABLE = re.compile(r"\b(MINUS|VALUES|SERVICE)\b|\$(shapesGraph|currentShape|PATH)\b")
_STRING_OR_REGEX = re.compile(r""""(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|\bREGEX\s*\(""", re.I)


def compile_shapes(shapes: Graph, *, by_graph: bool = False) -> tuple[Check, ...]:
    """Compile every active targeted shape of ``shapes`` into checks.

    :param by_graph: validate every named graph of the store, each as a data graph of its
        own, in one run of each check (instead of the default graph): every triple pattern
        is matched inside ``GRAPH ?focusGraph``, every sub-query projects and groups by it,
        and each solution binds it (:attr:`Violation.graph`). A run over many small graphs
        costs about what one graph does, as parsing the queries is most of it. Each graph
        must hold what the shapes need of the ontology (its class hierarchy) itself.

    :raises UnsupportedShapeError: when the graph uses a SHACL term not listed in the module
        docstring, a path other than an IRI or an inverse IRI, a constraint without a
        ``sh:message``, or a SPARQL query that cannot take ``$this`` by a join
    """
    unknown = sorted(
        {str(p) for p in shapes.predicates() if str(p).startswith(_SHACL) and p not in _KNOWN}
    )
    if unknown:
        raise UnsupportedShapeError(f"SHACL terms the compiler does not support: {unknown}")
    return tuple(_Compiler(shapes, by_graph).checks())


def find_violations(store: ox.Store, checks: tuple[Check, ...]) -> list[Violation]:
    """Run ``checks`` on the default graph of ``store``; one record per solution.

    A check with :attr:`Check.needs` runs only when that pattern matches the text of one of
    its :attr:`Check.candidates`: one pass of Python's ``re`` over them instead of a query
    calling back into Python for every triple (the personal-data scan: about 2 ms a release).
    """
    found = []
    graph = ox.Variable(GRAPH_VARIABLE[1:])
    for check in checks:
        if check.needs is not None and check.candidates is not None:
            candidates = store.query(check.candidates)
            assert isinstance(candidates, ox.QuerySolutions)
            texts = (row[0].value for row in candidates if row[0] is not None)
            if not any(check.needs.search(text) for text in texts):
                continue
        solutions = store.query(check.query, custom_functions=_FUNCTIONS)
        assert isinstance(solutions, ox.QuerySolutions)
        by_graph = graph in solutions.variables
        merged = len(check.sources) > 1  # then ?source numbers the source of each row
        for row in solutions:
            path, value = row["path"], row["value"]
            source = check.sources[int(row["source"].value) if merged else 0]
            found.append(
                Violation(
                    from_ox(row["this"]),
                    URIRef(path.value) if isinstance(path, ox.NamedNode) else source.path,
                    None if value is None else from_ox(value),
                    source.shape,
                    source.message,
                    from_ox(row[graph]) if by_graph else None,
                )
            )
    return found


def from_ox(term: OxTerm) -> Node:
    """A pyoxigraph term as an rdflib term."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = URIRef(term.datatype.value)
        return Literal(term.value, datatype=None if datatype == XSD.string else datatype)
    raise TypeError(f"not an RDF term: {term!r}")


@lru_cache(maxsize=64)
def _compiled(pattern: str, flags: str) -> re.Pattern[str]:
    bits = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE}
    value = 0
    for flag in flags:
        if flag not in bits:
            raise ValueError(f"unsupported regular expression flag {flag!r}")
        value |= bits[flag]
    return re.compile(pattern, value)


_TRUE, _FALSE = ox.Literal(True), ox.Literal(False)


def _regex(text: ox.Literal, pattern: ox.Literal, flags: ox.Literal | None = None) -> ox.Literal:
    """``REGEX(text, pattern[, flags])`` by Python's ``re.search``."""
    return (
        _TRUE
        if _search(text.value, pattern.value, "" if flags is None else flags.value)
        else _FALSE
    )


@lru_cache(maxsize=65536)
def _search(text: str, pattern: str, flags: str) -> bool:
    """``re.search``, remembered: most values recur from release to release (offsets,
    dates, IRIs of classes and concepts), and a pattern may be costly to search."""
    return _compiled(pattern, flags).search(text) is not None


_FUNCTIONS: dict[ox.NamedNode, Callable[..., OxTerm | None]] = {
    ox.NamedNode(REGEX_FUNCTION): _regex
}


class _Compiler:
    """The compilation of one shapes graph (a fresh variable counter per query)."""

    def __init__(self, shapes: Graph, by_graph: bool = False) -> None:
        self.shapes = shapes
        self.by_graph = by_graph
        self._count = 0

    def checks(self) -> Iterator[Check]:
        """Checks for node shapes with targets, their SPARQL constraints and property shapes,
        and for the shapes their values fail through ``sh:node``.

        pySHACL reports a failed ``sh:node`` twice: on the focus node (with the outer
        shape's message) and, as a result of its own, each result of the nested shape on the
        value node. The second comes from checking the nested shape on the values.
        """
        targets: dict[Node, set[tuple[Node, Node]]] = {}
        for predicate in _TARGETS:
            for shape, target in self.shapes.subject_objects(predicate):
                if not self._active(shape):
                    continue
                targets.setdefault(shape, set()).add((predicate, target))
                for prop in self.shapes.objects(shape, SH.property):
                    if self._active(prop):
                        targets.setdefault(prop, set()).add((predicate, target))
        work: list[tuple[Node, str, tuple[Node, ...]]] = [
            (shape, self._focus_pattern(sorted(targets[shape])), (shape,))
            for shape in sorted(targets, key=str)
        ]
        by_focus: dict[str, list[Node]] = {}  # property shapes, by the focus nodes they check
        while work:
            shape, focus, chain = work.pop(0)
            if self._path(shape) is None:
                yield from self._node_shape_checks(shape, focus)
            else:
                self._refuse_nesting_in(shape)
                by_focus.setdefault(focus, []).append(shape)
            values = self._values_pattern(focus, self._path(shape))
            for nested in sorted(self.shapes.objects(shape, SH.node), key=str):
                if nested in chain:
                    raise UnsupportedShapeError(f"{nested}: a recursive shape")
                if self._active(nested):
                    work.append((nested, values, (*chain, nested)))
                    work += [
                        (prop, values, (*chain, nested, prop))
                        for prop in sorted(self.shapes.objects(nested, SH.property), key=str)
                        if self._active(prop)
                    ]

        for focus, shapes in by_focus.items():
            yield self._property_check(shapes, focus)

    def _node_shape_checks(self, shape: Node, focus: str) -> Iterator[Check]:
        """A node shape's SPARQL constraints, and its value constraints on its focus nodes."""
        if self._cardinality(shape):
            raise UnsupportedShapeError(f"{shape}: sh:minCount/sh:maxCount on a node shape")
        for constraint in sorted(self.shapes.objects(shape, SH.sparql), key=str):
            if self._active(constraint):
                yield self._sparql_check(shape, constraint, focus)
        self._count = 0
        parts = [f"{{ {focus} {missing} }}" for missing in self._has_value(shape, None, "?this")]
        condition = self._value_condition(shape, "?this", "?this")
        if condition:
            parts.append(
                f"{{ {focus} BIND (?this AS ?value) FILTER (!COALESCE({condition}, false)) }}"
            )
        if parts:
            query = f"SELECT {self._keys('?this ?value')} WHERE {{ " + " UNION ".join(parts) + " }"
            yield Check(query, (Source(shape, self._message(shape, shape), None),))

    def _refuse_nesting_in(self, shape: Node) -> None:
        if any(self.shapes.objects(shape, SH.property)):
            raise UnsupportedShapeError(f"{shape}: sh:property on a property shape")
        if any(self.shapes.objects(shape, SH.sparql)):
            raise UnsupportedShapeError(f"{shape}: sh:sparql on a property shape")

    def _property_check(self, shapes: list[Node], focus: str) -> Check:
        """One query for the property shapes whose focus nodes ``focus`` binds: each
        violation binds ``?source``, the number of its shape in ``shapes``.

        Run as one query, the shapes share the focus nodes, found once (``DISTINCT``), and
        the cost of a query: a release has hundreds of evidence nodes, checked by nine
        property shapes. Three kinds of part, each a branch of one ``UNION``:

        * value constraints: one branch per shape matches its values in the whole data and
          keeps those that fail (a group of its own, with the shape's number bound), all
          joined with the focus nodes;
        * ``sh:minCount``/``sh:maxCount``: each shape's count of values per node (a
          ``GROUP BY`` over its values in the whole data), joined to the focus nodes with
          ``OPTIONAL`` (no values: no count, so 0); the nodes with some count out of bounds
          are kept, then paired with each shape's number to give one row per shape broken;
        * ``sh:hasValue``: a branch per value missing, with the focus pattern of its own.
        """
        self._count = 0
        sources: list[Source] = []
        valued, counts, counts_met, counts_failed, missing = [], [], [], [], []
        for number, shape in enumerate(shapes):
            path = self._path(shape)
            assert path is not None
            sources.append(Source(shape, self._message(shape, shape), path))
            tag = f"BIND ({number} AS ?source)"
            missing += [
                f"{{ {focus} {absent} {tag} }}" for absent in self._has_value(shape, path, "?this")
            ]
            condition = self._value_condition(shape, "?value", "?this")
            if condition:
                match = self._match("?this", path, "?value")
                valued.append(f"{{ {match} FILTER (!COALESCE({condition}, false)) {tag} }}")
            counted = self._cardinality(shape)
            if counted:
                value, count = self._fresh(), self._fresh()
                keys = self._keys("?this")
                counts.append(
                    f"OPTIONAL {{ SELECT {keys} (COUNT(DISTINCT {value}) AS {count}) "
                    f"WHERE {{ {self._match('?this', path, value)} }} GROUP BY {keys} }}"
                )
                bounded = f"COALESCE({counted.format(f'COALESCE({count}, 0)')}, false)"
                counts_met.append(bounded)
                counts_failed.append(f"(?source = {number} && !{bounded})")
        nodes = f"{{ SELECT DISTINCT {self._keys('?this')} WHERE {{ {focus} }} }}"
        parts = []
        if valued:
            parts.append(f"{nodes} {' UNION '.join(valued)}")
        if counts:
            failing = (
                f"{{ SELECT * WHERE {{ {nodes} {' '.join(counts)}"
                f" FILTER (!({' && '.join(counts_met)})) }} }}"
            )
            numbers = " ".join(str(n) for n in range(len(shapes)))
            parts.append(
                f"{failing} VALUES ?source {{ {numbers} }} FILTER ({' || '.join(counts_failed)})"
            )
        parts += missing
        branches = " UNION ".join(f"{{ {part} }}" for part in parts) if parts else "FILTER (false)"
        query = f"SELECT {self._keys('?this ?value ?source')} WHERE {{ {branches} }}"
        return Check(query, tuple(sources))

    # -- patterns ---------------------------------------------------------------------------

    def _in_graph(self, pattern: str) -> str:
        """``pattern`` matched in the graph being validated."""
        return f"GRAPH {GRAPH_VARIABLE} {{ {pattern} }}" if self.by_graph else pattern

    def _match(self, subject: str, path: Path, value: str) -> str:
        """The triple pattern of ``path`` from ``subject`` to ``value``."""
        return self._in_graph(_triple(subject, path, value))

    def _keys(self, variables: str) -> str:
        """What a sub-query projects and groups by: ``variables``, and the graph."""
        return f"{GRAPH_VARIABLE} {variables}" if self.by_graph else variables

    def _focus_pattern(self, targets: list[tuple[Node, Node]]) -> str:
        """A pattern binding ``?this`` to the focus nodes of ``targets``, possibly more than
        once (checks group by ``?this`` or their violations are a set, so repeats do not
        matter).

        It binds no other variable but the graph: an anonymous ``[]`` stands for a subject.
        A target node is a focus node in every graph.
        """
        branches = []
        for predicate, target in targets:
            term = _sparql_term(target)
            if predicate == SH.targetClass:
                branches.append(self._in_graph(f"?this <{RDF.type}>/<{RDFS.subClassOf}>* {term} ."))
            elif predicate == SH.targetNode:
                every = (
                    f"{{ SELECT DISTINCT {GRAPH_VARIABLE} WHERE "
                    f"{{ GRAPH {GRAPH_VARIABLE} {{ ?s ?p ?o }} }} }} "
                    if self.by_graph
                    else ""
                )
                branches.append(f"{every}VALUES ?this {{ {term} }}")
            else:
                branches.append(self._in_graph(f"[] {term} ?this ."))
        if len(branches) == 1:
            return branches[0]
        return "{ " + " } UNION { ".join(branches) + " }"

    def _values_pattern(self, focus: str, path: Path | None) -> str:
        """A pattern binding ``?this`` to the values of ``path`` at the nodes ``focus``
        binds."""
        if path is None:
            return focus
        outer = f"{{ SELECT DISTINCT {self._keys('(?this AS ?outer)')} WHERE {{ {focus} }} }}"
        match = self._match("?outer", path, "?this")
        return f"{{ SELECT DISTINCT {self._keys('?this')} WHERE {{ {outer} {match} }} }}"

    # -- parts of shapes ------------------------------------------------------------------

    def _active(self, shape: Node) -> bool:
        return self.shapes.value(shape, SH.deactivated) != Literal(True)

    def _fresh(self) -> str:
        self._count += 1
        return f"?v{self._count}"

    def _path(self, shape: Node) -> Path | None:
        path = self._one(shape, SH.path)
        if path is None or isinstance(path, URIRef):
            return path
        inverse = self.shapes.value(path, SH.inversePath)
        if isinstance(inverse, URIRef) and len(set(self.shapes.predicates(path))) == 1:
            return InversePath(inverse)
        raise UnsupportedShapeError(f"{shape}: only IRI and sh:inversePath paths are supported")

    def _message(self, shape: Node, fallback: Node) -> str:
        messages = sorted(str(m) for m in self.shapes.objects(shape, SH.message))
        if not messages:
            messages = sorted(str(m) for m in self.shapes.objects(fallback, SH.message))
        if not messages:
            raise UnsupportedShapeError(f"{shape}: no sh:message")
        return messages[0]

    def _one(self, shape: Node, predicate: URIRef) -> Node | None:
        values = list(self.shapes.objects(shape, predicate))
        if len(values) > 1:
            raise UnsupportedShapeError(f"{shape}: more than one {predicate}")
        return values[0] if values else None

    def _integer(self, shape: Node, predicate: URIRef) -> int | None:
        value = self._one(shape, predicate)
        if value is None:
            return None
        if not (isinstance(value, Literal) and isinstance(value.value, int)):
            raise UnsupportedShapeError(f"{shape}: {predicate} must be an integer")
        return int(value.value)

    # -- constraints ----------------------------------------------------------------------

    def _cardinality(self, shape: Node) -> str:
        """A condition on a count of values ``{0}``, empty without min/maxCount."""
        tests = []
        low, high = self._integer(shape, SH.minCount), self._integer(shape, SH.maxCount)
        if low is not None:
            tests.append(f"{{0}} >= {low}")
        if high is not None:
            tests.append(f"{{0}} <= {high}")
        return " && ".join(tests)

    def _has_value(self, shape: Node, path: Path | None, focus: str) -> list[str]:
        """Patterns with a solution when a ``sh:hasValue`` is not among the values."""
        patterns = []
        for wanted in sorted(self.shapes.objects(shape, SH.hasValue), key=str):
            term = _sparql_term(wanted)
            if path is None:
                patterns.append(f"FILTER (!sameTerm({focus}, {term}))")
            else:
                patterns.append(f"FILTER NOT EXISTS {{ {self._match(focus, path, term)} }}")
        return patterns

    def _value_condition(self, shape: Node, value: str, focus: str) -> str:
        """An expression true when ``value`` meets every value constraint of ``shape``."""
        shapes = self.shapes
        tests = []
        datatype = self._one(shape, SH.datatype)
        if datatype is not None:
            tests.append(_datatype_test(shape, datatype, value))
        for cls in sorted(shapes.objects(shape, SH["class"]), key=str):
            typed = f"{value} <{RDF.type}>/<{RDFS.subClassOf}>* {_sparql_term(cls)} ."
            tests.append(f"EXISTS {{ {self._in_graph(typed)} }}")
        kind = self._one(shape, SH.nodeKind)
        if kind is not None:
            if kind not in _NODE_KINDS:
                raise UnsupportedShapeError(f"{shape}: unknown sh:nodeKind {kind}")
            tests.append(_NODE_KINDS[kind].format(value))
        pattern = self._one(shape, SH.pattern)
        if pattern is not None:
            tests.append(
                f"(!isBlank({value}) && <{REGEX_FUNCTION}>(STR({value}), {_string(pattern)}))"
            )
        length = self._integer(shape, SH.minLength)
        if length is not None:
            tests.append(f"(!isBlank({value}) && STRLEN(STR({value})) >= {length})")
        for bound, operator in ((SH.minInclusive, ">="), (SH.maxInclusive, "<=")):
            limit = self._one(shape, bound)
            if limit is not None:
                tests.append(f"({value} {operator} {_sparql_term(limit)})")
        for other in sorted(shapes.objects(shape, SH.lessThanOrEquals), key=str):
            compared = self._fresh()
            pair = self._in_graph(f"{focus} {_sparql_term(other)} {compared} .")
            tests.append(
                f"NOT EXISTS {{ {pair} FILTER (!COALESCE({value} <= {compared}, false)) }}"
            )
        for nested in sorted(shapes.objects(shape, SH.node), key=str):
            tests.append(f"NOT EXISTS {{ {self._violation_pattern(nested, value)} }}")
        for negated in sorted(shapes.objects(shape, SH["not"]), key=str):
            tests.append(f"EXISTS {{ {self._violation_pattern(negated, value)} }}")
        return " && ".join(tests)

    def _violation_pattern(self, shape: Node, focus: str) -> str:
        """A group pattern with a solution exactly when ``focus`` does not conform to
        ``shape`` (a shape reached through ``sh:node``, ``sh:not`` or ``sh:property``)."""
        if not self._active(shape):
            return "FILTER (false)"
        if any(True for _ in self.shapes.objects(shape, SH.sparql)):
            raise UnsupportedShapeError(f"{shape}: sh:sparql in a nested shape")
        path = self._path(shape)
        parts = []
        if self._cardinality(shape):
            raise UnsupportedShapeError(f"{shape}: sh:minCount/sh:maxCount in a nested shape")
        parts += self._has_value(shape, path, focus)
        value = focus if path is None else self._fresh()
        condition = self._value_condition(shape, value, focus)
        if condition:
            values = "" if path is None else self._match(focus, path, value)
            parts.append(f"{values} FILTER (!COALESCE({condition}, false))")
        for prop in sorted(self.shapes.objects(shape, SH.property), key=str):
            if path is not None:
                raise UnsupportedShapeError(f"{shape}: sh:property on a property shape")
            parts.append(self._violation_pattern(prop, focus))
        if not parts:
            return "FILTER (false)"
        return " UNION ".join(f"{{ {part} }}" for part in parts)

    def _sparql_check(self, shape: Node, constraint: Node, focus: str) -> Check:
        """A SPARQL-based constraint with the focus pattern joined in to bind ``$this``."""
        select = self._one(constraint, SH.select)
        if select is None:
            raise UnsupportedShapeError(f"{constraint}: a SPARQL constraint without sh:select")
        text = str(select)
        if _NOT_PREBINDABLE.search(text) or len(re.findall(r"\bSELECT\b", text, re.I)) != 1:
            raise UnsupportedShapeError(
                f"{constraint}: MINUS, VALUES, SERVICE, sub-queries and $shapesGraph,"
                " $currentShape, $PATH are not supported"
            )
        opening = re.search(r"\bWHERE\s*\{", text, re.I)
        if opening is None:
            raise UnsupportedShapeError(f"{constraint}: a SELECT without WHERE {{")
        select_text = text
        if self.by_graph:
            text = self._graph_select(constraint, text, opening)
            opening = re.search(r"\bWHERE\s*\{", text, re.I)
            assert opening is not None
        body = text[: opening.end()] + f" {focus} " + text[opening.end() :]
        needs = _needed_match(select_text)
        prefixes = self._prefixes(constraint)
        return Check(
            prefixes + _python_regex(body),
            (Source(shape, self._message(constraint, shape), None),),
            needs,
            prefixes + _candidates(body) if needs is not None else None,
        )

    def _graph_select(self, constraint: Node, text: str, opening: re.Match[str]) -> str:
        """A constraint's ``SELECT`` with its ``WHERE`` group matched in the graph being
        validated, which it also projects."""
        if re.search(rf"\b(GROUP\s+BY|HAVING)\b|[?$]{GRAPH_VARIABLE[1:]}\b", text, re.I):
            raise UnsupportedShapeError(
                f"{constraint}: GROUP BY, HAVING and {GRAPH_VARIABLE} are not supported by graph"
            )
        closing = text.rindex("}")
        inner = text[opening.end() : closing]
        where = (
            f"{text[: opening.end()]} GRAPH {GRAPH_VARIABLE} {{ {inner} }} }}{text[closing + 1 :]}"
        )
        return re.sub(
            r"\bSELECT\s+((?:DISTINCT|REDUCED)\s+)?(?!\*)",
            lambda m: f"{m.group()}{GRAPH_VARIABLE} ",
            where,
            count=1,
            flags=re.I,
        )

    def _prefixes(self, constraint: Node) -> str:
        lines = []
        for declaring in self.shapes.objects(constraint, SH.prefixes):
            for declaration in self.shapes.objects(declaring, SH.declare):
                prefix = self.shapes.value(declaration, SH.prefix)
                namespace = self.shapes.value(declaration, SH.namespace)
                lines.append(f"PREFIX {prefix}: <{namespace}>\n")
        return "".join(sorted(lines))


def _datatype_test(shape: Node, datatype: Node, value: str) -> str:
    """``value`` is a literal of ``datatype`` whose lexical form is valid for it."""
    if datatype == XSD.string:
        return f"(isLiteral({value}) && DATATYPE({value}) = <{XSD.string}>)"
    if datatype in _CASTABLE:
        return (
            f"(isLiteral({value}) && DATATYPE({value}) = <{datatype}>"
            f" && isLiteral(<{datatype}>(STR({value}))))"
        )
    raise UnsupportedShapeError(f"{shape}: sh:datatype {datatype} is not supported")


def _triple(subject: str, path: Path, value: str) -> str:
    if isinstance(path, InversePath):
        return f"{value} <{path.predicate}> {subject} ."
    return f"{subject} <{path}> {value} ."


def _sparql_term(node: Node) -> str:
    if isinstance(node, URIRef | Literal):
        return node.n3()
    raise UnsupportedShapeError(f"a blank node as a constraint parameter: {node}")


def _string(node: Node) -> str:
    if not isinstance(node, Literal):
        raise UnsupportedShapeError(f"not a literal: {node}")
    return Literal(str(node)).n3()


#: ``FILTER REGEX(STR(?v), "pattern"[, "flags"])``: a filter that is nothing but one REGEX
_SOLE_REGEX_FILTER = re.compile(
    r'FILTER\s+REGEX\s*\(\s*STR\s*\(\s*(?P<variable>\?\w+)\s*\)\s*,\s*"(?P<pattern>[^"\\]*)"\s*'
    r'(?:,\s*"(?P<flags>[a-z]*)"\s*)?\)',
    re.I,
)
_STRING = re.compile(r""""(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'""")
#: what can make a solution without the filter above holding for a term of the data
_NOT_A_PLAIN_JOIN = re.compile(
    r"[{}].*[{}]|\b(OPTIONAL|UNION|MINUS|EXISTS|BIND|GRAPH)\b", re.I | re.S
)


def _needed_match(select: str) -> re.Pattern[str] | None:
    """The pattern some term text must match for ``select`` to have any solution, if known.

    That is so when the query's ``WHERE`` is one group of triple patterns (no nested group,
    ``OPTIONAL``, ``UNION``, ``BIND`` ...) with one ``FILTER REGEX(STR(?v), "...")``: every
    solution binds ``?v`` to a term of the data whose text matches. Otherwise ``None``.
    """
    if len(re.findall(r"\bREGEX\s*\(", select, re.I)) != 1:
        return None
    where = re.search(r"\bWHERE\s*\{(.*)\}\s*$", select, re.I | re.S)
    found = _SOLE_REGEX_FILTER.search(select)
    if where is None or found is None:
        return None
    if _NOT_A_PLAIN_JOIN.search(_STRING.sub('""', where.group(1))):
        return None
    return _compiled(found["pattern"], found["flags"] or "")


def _candidates(query: str) -> str:
    """The terms a query that passes :func:`_needed_match` tests against its pattern: the
    query without its ``FILTER REGEX(STR(?v), ...)``, selecting the distinct ``?v``.

    Its ``FILTER`` holds for the whole group, so each solution of the query is a solution of
    this one whose ``?v`` matches: the query has solutions only if a ``?v`` listed here
    matches the pattern.
    """
    found = _SOLE_REGEX_FILTER.search(query)
    assert found is not None
    rest = query[: found.start()] + query[found.end() :]
    return re.sub(
        r"\bSELECT\b.*?\bWHERE\s*\{",
        lambda _: f"SELECT DISTINCT {found['variable']} WHERE {{",
        rest,
        count=1,
        flags=re.I | re.S,
    )


def _python_regex(query: str) -> str:
    """``query`` with each ``REGEX(`` call (outside string literals) made a Python ``re`` one."""
    return _STRING_OR_REGEX.sub(
        lambda m: m.group() if m.group()[0] in "\"'" else f"<{REGEX_FUNCTION}>(", query
    )
