"""The ontology (ontology/kg.ttl), its closed namespace and the shapes (ontology/shapes.ttl)."""

from __future__ import annotations

import ast
import inspect
from datetime import date

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import SH, DefinedNamespace

import kg.mapping
from kg import namespace
from kg.facts import (
    AGREEMENT_STATUSES,
    AGREEMENT_TYPES,
    Agreement,
    Area,
    Contact,
    Evidence,
    Organisation,
    OrgFact,
    Person,
    ReleaseFacts,
    ReleaseInfo,
    RoleHolding,
    Signatory,
    Speaker,
    Technology,
    Witness,
)
from kg.mapping import map_release
from kg.namespace import KG, ONTOLOGY_DIR, ONTOLOGY_IRI, OWL, RDF, RDFS, SKOS

KG_NS = str(KG._NS)
#: the W3C (and schema.org) vocabularies the ontology builds on, as rdflib closed namespaces
W3C: dict[str, type[DefinedNamespace]] = {
    "DCTERMS": namespace.DCTERMS,
    "FOAF": namespace.FOAF,
    "ORG": namespace.ORG,
    "OWL": namespace.OWL,
    "PROV": namespace.PROV,
    "RDF": namespace.RDF,
    "RDFS": namespace.RDFS,
    "SDO": namespace.SDO,
    "SKOS": namespace.SKOS,
    "TIME": namespace.TIME,
    "XSD": namespace.XSD,
}


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY_DIR / "kg.ttl", format="turtle")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(ONTOLOGY_DIR / "shapes.ttl", format="turtle")


def kg_terms(ontology: Graph) -> set[URIRef]:
    """The kg: terms the ontology defines (declares a type for)."""
    return {
        s
        for s in ontology.subjects(RDF.type, None)
        if isinstance(s, URIRef) and s.startswith(KG_NS)
    }


def in_w3c(term: URIRef) -> bool:
    """True when ``term`` is a term of one of the closed W3C namespaces."""
    for ns in W3C.values():
        base = str(ns._NS)
        if term.startswith(base) and term[len(base) :] in ns.__annotations__:
            return True
    return False


def test_ontology_parses_and_declares_itself(ontology: Graph) -> None:
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in ontology
    assert len(ontology) > 100


def test_every_kg_term_has_an_english_label_and_comment(ontology: Graph) -> None:
    missing = []
    for term in sorted(kg_terms(ontology)):
        for prop in (RDFS.label, RDFS.comment):
            values = list(ontology.objects(term, prop))
            if not any(isinstance(v, Literal) and v.language == "en" and str(v) for v in values):
                missing.append(f"{term[len(KG_NS) :]} lacks rdfs:{prop.fragment}@en")
    assert missing == []


def test_closed_namespace_lists_exactly_the_ontology_terms(ontology: Graph) -> None:
    listed = {URIRef(KG_NS + name) for name in KG.__annotations__}
    defined = kg_terms(ontology)
    assert sorted(t[len(KG_NS) :] for t in defined - listed) == [], "in kg.ttl, not in KG"
    assert sorted(t[len(KG_NS) :] for t in listed - defined) == [], "in KG, not in kg.ttl"


def test_closed_namespace_refuses_unknown_terms() -> None:
    with pytest.raises(AttributeError):
        _ = KG.partyy


def test_mapping_source_names_only_defined_terms(ontology: Graph) -> None:
    """Every ``KG.x``/``FOAF.x``... attribute in mapping.py exists (closed namespaces)."""
    tree = ast.parse(inspect.getsource(kg.mapping))
    used: set[tuple[str, str]] = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in {"KG", *W3C}
        ):
            used.add((node.value.id, node.attr))
    assert any(ns == "KG" for ns, _ in used)
    defined = kg_terms(ontology)
    bad = []
    for ns_name, attr in sorted(used):
        ns = KG if ns_name == "KG" else W3C[ns_name]
        try:
            term = getattr(ns, attr)
        except AttributeError:
            bad.append(f"{ns_name}.{attr}")
            continue
        if ns_name == "KG" and term not in defined:
            bad.append(f"KG.{attr} (not in kg.ttl)")
    assert bad == []


def rich_facts() -> tuple[ReleaseFacts, str]:
    """Facts of every kind, so that mapping emits every term it can."""
    text = "Alpha and Beta signed an MOU. Dr Ann Lee spoke. AI was named."
    ev = Evidence(0, 5, "Alpha")
    facts = ReleaseFacts(
        ReleaseInfo(
            "r1",
            title="T",
            publisher="alpha",
            published=date(2024, 1, 2),
            url="https://example.org/r1",
            language="en",
            source_file="r1.txt",
            content_hash="0" * 64,
        ),
        organisations=[
            Organisation("alpha", "Alpha", ["A"], [ev], {"A": ev}),
            Organisation("beta", "Beta", [], [ev]),
        ],
        people=[Person("ann-lee", "Ann Lee", "Dr", [ev])],
        roles=[RoleHolding("ann-lee", "Head", "alpha", [ev])],
        agreements=[
            Agreement(
                "r1-mou",
                "mou",
                date=date(2024, 1, 2),
                place="Hong Kong",
                duration="P3Y",
                start_date=date(2024, 1, 2),
                end_date=date(2027, 1, 1),
                parties=["alpha", "beta"],
                signatories=[Signatory("ann-lee", "Head", "alpha", "alpha", [ev])],
                witnesses=[Witness("ann-lee", "Head", "alpha", [ev])],
                areas=[Area("smart clinics", None, [ev])],
                renews="r0-mou",
                evidence=[ev],
            )
        ],
        speakers=[Speaker("ann-lee", "Hello.", [ev])],
        technologies=[Technology("AI", [ev])],
        org_facts=[
            OrgFact("alpha", "founded", "2001", [ev]),
            OrgFact("alpha", "location", "Science Park", [ev]),
            OrgFact("alpha", "count", "13,000 professionals", [ev]),
        ],
        contacts=[Contact("Press Office", "alpha", "+852 1234 5678", "p@example.org", [ev])],
    )
    return facts, text


def test_mapped_graph_uses_only_defined_terms(ontology: Graph) -> None:
    """Every predicate and class in mapped output is a kg.ttl term or a W3C term."""
    facts, text = rich_facts()
    quads = map_release(facts, text=text, include_contacts=True)
    defined = kg_terms(ontology)
    terms = {p for _, p, _, _ in quads} | {o for _, p, o, _ in quads if p == RDF.type}
    terms |= {o for _, p, o, _ in quads if p in (KG.agreementType, KG.status)}
    unknown = sorted(
        str(t) for t in terms if not (t in defined if t.startswith(KG_NS) else in_w3c(t))
    )
    assert unknown == []


def test_concept_schemes_have_their_concepts(ontology: Graph) -> None:
    def labels(scheme: URIRef) -> set[str]:
        assert (scheme, RDF.type, SKOS.ConceptScheme) in ontology
        concepts = set(ontology.subjects(SKOS.inScheme, scheme))
        return {str(ontology.value(c, SKOS.prefLabel)) for c in concepts}

    assert labels(KG.AgreementTypes) == set(AGREEMENT_TYPES.values())
    assert labels(KG.AgreementStatuses) == {s.replace("-", " ") for s in AGREEMENT_STATUSES}
    for concept in ontology.subjects(SKOS.inScheme, KG.AgreementTypes):
        assert (concept, RDF.type, KG.AgreementType) in ontology
    for concept in ontology.subjects(SKOS.inScheme, KG.AgreementStatuses):
        assert (concept, RDF.type, KG.AgreementStatus) in ontology


def test_shapes_target_and_require_known_classes(ontology: Graph, shapes: Graph) -> None:
    classes = {s for s in ontology.subjects(RDF.type, OWL.Class)}
    used = set(shapes.objects(None, SH.targetClass)) | set(shapes.objects(None, SH["class"]))
    assert KG.Agreement in used
    unknown = sorted(str(c) for c in used if c not in classes and not in_w3c(c))
    assert unknown == []


def test_shapes_use_only_known_properties(ontology: Graph, shapes: Graph) -> None:
    defined = kg_terms(ontology)
    paths = {p for p in shapes.objects(None, SH.path) if isinstance(p, URIRef)}
    paths |= {p for p in shapes.objects(None, SH.inversePath) if isinstance(p, URIRef)}
    paths |= set(shapes.objects(None, SH.lessThanOrEquals))
    unknown = sorted(
        str(p) for p in paths if not (p in defined if p.startswith(KG_NS) else in_w3c(p))
    )
    assert unknown == []


def test_every_shape_is_documented_and_every_constraint_has_a_message(shapes: Graph) -> None:
    shape_nodes = (
        set(shapes.subjects(RDF.type, SH.NodeShape))
        | set(shapes.subjects(RDF.type, SH.PropertyShape))
        | set(shapes.subjects(SH.path, None))
    )
    problems = []
    for shape in shape_nodes:
        name = shape.n3() if not isinstance(shape, BNode) else f"[{shapes.value(shape, SH.path)}]"
        documented = (
            shapes.value(shape, RDFS.label) is not None
            and shapes.value(shape, RDFS.comment) is not None
        ) or (
            shapes.value(shape, SH.name) is not None
            and shapes.value(shape, SH.description) is not None
        )
        if not documented and not isinstance(shape, BNode):
            problems.append(f"{name}: no label/comment or name/description")
        if isinstance(shape, BNode) and shapes.value(shape, SH.name) is None:
            problems.append(f"{name}: no sh:name")
        constrained = any(
            p.startswith(str(SH._NS)) and p not in _NOT_CONSTRAINTS
            for _, p, _ in shapes.triples((shape, None, None))
        )
        nested = shape in set(shapes.objects(None, SH.node)) | set(shapes.objects(None, SH["not"]))
        if constrained and not nested and shapes.value(shape, SH.message) is None:
            problems.append(f"{name}: constraints without sh:message")
    for constraint in shapes.objects(None, SH.sparql):
        if shapes.value(constraint, SH.message) is None:
            problems.append(f"{constraint.n3()}: SPARQL constraint without sh:message")
        if shapes.value(constraint, RDFS.label) is None:
            problems.append(f"{constraint.n3()}: SPARQL constraint without rdfs:label")
    assert sorted(problems) == []


_NOT_CONSTRAINTS = {
    SH.path,
    SH.name,
    SH.description,
    SH.message,
    SH.targetClass,
    SH.targetNode,
    SH.targetObjectsOf,
    SH.targetSubjectsOf,
    SH.property,
    SH.sparql,
    SH.deactivated,
    SH.severity,
    SH.order,
    SH.group,
}


def test_shapes_graph_is_valid_shacl(shapes: Graph) -> None:
    """The shapes conform to the SHACL-for-SHACL shapes (pySHACL's meta validation)."""
    from pyshacl.entrypoints import meta_validate

    conforms, _, text = meta_validate(shapes, inference="none")
    assert conforms, text
