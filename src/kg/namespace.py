"""The ontology's terms, as a closed namespace.

``ontology/kg.ttl`` is the only source of ``kg:`` IRIs. :class:`KG` lists its terms so a
misspelt term fails at once (``KG.partyy`` raises ``AttributeError``); a test checks that this
list and the ontology file agree. The W3C vocabularies come from rdflib's own closed namespaces.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Namespace, URIRef
from rdflib.namespace import (
    DCTERMS,
    FOAF,
    ORG,
    OWL,
    PROV,
    RDF,
    RDFS,
    SDO,
    SKOS,
    TIME,
    XSD,
    DefinedNamespace,
)

__all__ = [
    "DCTERMS",
    "FOAF",
    "KG",
    "ONTOLOGY_DIR",
    "ONTOLOGY_IRI",
    "ORG",
    "OWL",
    "PREFIXES",
    "PROV",
    "RDF",
    "RDFS",
    "SDO",
    "SKOS",
    "TIME",
    "XSD",
]

#: Where ``kg.ttl`` and ``shapes.ttl`` live (the repository's top-level ``ontology/``).
ONTOLOGY_DIR = Path(__file__).resolve().parents[2] / "ontology"
ONTOLOGY_IRI = URIRef("https://w3id.org/partnership-graph/ontology")


class KG(DefinedNamespace):
    """Terms of ``ontology/kg.ttl``."""

    _NS = Namespace("https://w3id.org/partnership-graph/ontology#")
    _fail = True

    # classes
    Agreement: URIRef
    AgreementStatus: URIRef
    AgreementType: URIRef
    ContactPoint: URIRef
    Evidence: URIRef
    Release: URIRef
    Signing: URIRef
    Speech: URIRef
    Technology: URIRef
    Witnessing: URIRef
    # concept schemes and their concepts
    AgreementStatuses: URIRef
    AgreementTypes: URIRef
    CollaborativeAgreement: URIRef
    CooperationAgreement: URIRef
    FrameworkAgreement: URIRef
    GenericAgreement: URIRef
    LetterOfIntent: URIRef
    MemorandumOfUnderstanding: URIRef
    NotRenewed: URIRef
    Planned: URIRef
    Proposed: URIRef
    Signed: URIRef
    Terminated: URIRef
    # object properties
    agreementType: URIRef
    contactFor: URIRef
    coversArea: URIRef
    hasSigning: URIRef
    hasWitnessing: URIRef
    inCapacity: URIRef
    inRelease: URIRef
    isRenewal: URIRef
    mediaContact: URIRef
    mentionsTechnology: URIRef
    onBehalfOf: URIRef
    party: URIRef
    renews: URIRef
    signedAt: URIRef
    site: URIRef
    speaker: URIRef
    status: URIRef
    # datatype properties
    attestedOn: URIRef
    builtWith: URIRef
    confidence: URIRef
    contentHash: URIRef
    endOffset: URIRef
    exactText: URIRef
    method: URIRef
    sentence: URIRef
    sentenceStart: URIRef
    sourceFile: URIRef
    startOffset: URIRef
    statedCount: URIRef


# rdflib makes a new URIRef on every ``KG.term`` (its metaclass's __getattr__, about half a
# microsecond); mapping looks terms up hundreds of times a release. Each listed term is made
# once here, as a class attribute; a term not listed still goes to __getattr__ and fails.
for _term in KG.__annotations__:
    setattr(KG, _term, KG._NS[_term])

#: Prefixes used in queries, exports and the web app's editor.
PREFIXES: dict[str, str] = {
    "kg": str(KG._NS),
    "org": str(ORG),
    "prov": str(PROV),
    "skos": str(SKOS),
    "schema": str(SDO),
    "dcterms": str(DCTERMS),
    "time": str(TIME),
    "foaf": str(FOAF),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
}
