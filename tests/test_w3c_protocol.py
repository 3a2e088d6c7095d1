"""The W3C SPARQL 1.1 Protocol test suite, run against the app.

``tests/data/w3c-sparql11-protocol/`` holds the suite's manifest and data (W3C test-suite
licences; see its README). For each test the harness loads the ``ut:graphData`` graphs into a
fresh on-disk store (graph name = the ``rdfs:label``), sends each described request to
``/sparql`` (the manifest's ``/sparql/`` paths rewritten) and checks the status class, the
content type for ``mf:expectedFormat`` and the ``mf:expectedBoolean``.

Two modes: ``read-only`` (no update token: every update request must be refused with a 4xx)
and ``update`` (a token is configured and sent as ``Authorization: Bearer``: every test must
pass as written). ``test_w3c_counts`` records the totals as test properties.
"""

from __future__ import annotations

import gc
import json
import shutil
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.collection import Collection
from rdflib.namespace import RDFS

from webapp import close_app, create_app

SUITE = Path(__file__).parent / "data" / "w3c-sparql11-protocol"
MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = rdflib.Namespace("http://www.w3.org/2011/http#")
CNT = rdflib.Namespace("http://www.w3.org/2011/content#")
UT = rdflib.Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
TOKEN = "w3c-protocol-token"
FORMAT_TYPES = {
    "boolean": {"application/sparql-results+json", "application/sparql-results+xml"},
    "tabular": {
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
    },
    "RDF": {"application/rdf+xml", "text/turtle", "application/n-triples", "application/ld+json"},
}


@dataclass
class Request:
    """One ``ht:Request`` of a test and the response it expects."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: set[str]
    format: str | None
    boolean: bool | None

    @property
    def is_update(self) -> bool:
        """Whether the request carries a SPARQL update (direct or form-encoded)."""
        content_type = self.headers.get("content-type", "")
        return (
            "sparql-update" in content_type
            or (self.body is not None and self.body.startswith(b"update="))
            or "update=" in self.path
        )


@dataclass
class ProtocolTest:
    """One ``mf:ProtocolTest``: its data graphs and its requests in order."""

    name: str
    graphs: list[tuple[Path, str]] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)

    @property
    def is_update(self) -> bool:
        """An update test (named ``update_*`` or ``bad_update_*`` in the manifest)."""
        return "update" in self.name


def _literal(graph: rdflib.Graph, subject: Any, predicate: Any) -> Any:
    value = graph.value(subject, predicate)
    return value.toPython() if value is not None else None


@cache
def manifest() -> list[ProtocolTest]:
    """The tests of the manifest, in its ``mf:entries`` order."""
    graph = rdflib.Graph().parse(
        SUITE / "manifest.ttl", format="turtle", publicID=SUITE.as_uri() + "/"
    )
    root = next(graph.subjects(MF.entries, None))
    tests = []
    for entry in Collection(graph, graph.value(root, MF.entries)):
        test = ProtocolTest(str(entry).rsplit("#", 1)[-1])
        for data in graph.objects(entry, UT.graphData):
            file = Path(str(graph.value(data, UT.graph)).removeprefix("file://"))
            test.graphs.append((SUITE / file.name, str(graph.value(data, RDFS.label))))
        action = graph.value(entry, MF.action)
        for node in Collection(graph, graph.value(action, HT.requests)):
            headers = {}
            header_list = graph.value(node, HT.headers)
            if header_list is not None:
                for header in Collection(graph, header_list):
                    name = str(graph.value(header, HT.fieldName)).lower()
                    headers[name] = str(graph.value(header, HT.fieldValue))
            body_node = graph.value(node, HT.body)
            body = None
            if body_node is not None:
                encoding = _literal(graph, body_node, CNT.characterEncoding) or "UTF-8"
                body = str(graph.value(body_node, CNT.chars)).encode(encoding)
            response = graph.value(node, HT.resp)
            statuses = {
                str(s).rsplit("StatusCode", 1)[-1]
                for s in graph.objects(response, MF.expectedStatus)
            }
            test.requests.append(
                Request(
                    method=str(graph.value(node, HT.methodName)),
                    path=str(graph.value(node, HT.absolutePath)),
                    headers=headers,
                    body=body,
                    statuses=statuses,
                    format=_literal(graph, response, MF.expectedFormat),
                    boolean=_literal(graph, response, MF.expectedBoolean),
                )
            )
        tests.append(test)
    return tests


_TEMPLATES: dict[tuple[tuple[Path, str], ...], Path] = {}


def _store(test: ProtocolTest, path: Path) -> Path:
    """A fresh store at ``path`` holding the test's graphs: a copy of a store built once per
    distinct set of graphs (creating a RocksDB store costs far more than copying one)."""
    key = tuple(test.graphs)
    if key not in _TEMPLATES:
        template = Path(tempfile.mkdtemp(prefix="w3c-store-")) / "store"
        store = ox.Store(str(template))
        for file, name in test.graphs:
            store.load(path=str(file), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(name))
        store.flush()
        del store
        gc.collect()
        _TEMPLATES[key] = template
    shutil.copytree(_TEMPLATES[key], path)
    return path


@pytest.fixture(scope="module", autouse=True)
def _remove_templates() -> Any:
    yield
    for template in _TEMPLATES.values():
        shutil.rmtree(template.parent, ignore_errors=True)
    _TEMPLATES.clear()


def _boolean(mimetype: str, body: bytes) -> bool | None:
    if mimetype == "application/sparql-results+json":
        value = json.loads(body).get("boolean")
        return bool(value) if value is not None else None
    if mimetype == "application/sparql-results+xml":
        found = ET.fromstring(body).find("{http://www.w3.org/2005/sparql-results#}boolean")
        return found.text == "true" if found is not None else None
    return None


def run_test(test: ProtocolTest, mode: str, tmp_path: Path) -> list[str]:
    """Run one protocol test; the list of what went wrong (empty when it passed)."""
    config = {
        "TESTING": True,
        "KG_STORE": str(_store(test, tmp_path / "store")),
        "KG_QUERY_WORKERS": 1,
    }
    if mode == "update":
        config["KG_UPDATE_TOKEN"] = TOKEN
    app = create_app(config)
    problems: list[str] = []
    try:
        client = app.test_client()
        for number, request in enumerate(test.requests, 1):
            path = "/sparql" + request.path.removeprefix("/sparql/")  # "/sparql/?q" -> "/sparql?q"
            headers = dict(request.headers)
            if mode == "update":
                headers["Authorization"] = f"Bearer {TOKEN}"
            content_type = headers.pop("content-type", None)
            response = client.open(
                path,
                method=request.method,
                data=request.body,
                headers=headers,
                content_type=content_type,
            )
            status_class = f"{str(response.status_code)[0]}xx"
            expected = request.statuses
            if mode == "read-only" and request.is_update:
                expected = {"4xx"}  # refused without a token (REQ-7.2.1 lets a service omit update)
            where = f"request {number} ({request.method} {path})"
            if status_class not in expected:
                problems.append(f"{where}: status {response.status_code}, expected {expected}")
            elif request.format and response.mimetype not in FORMAT_TYPES[request.format]:
                problems.append(f"{where}: content type {response.mimetype} for {request.format}")
            elif (
                request.boolean is not None
                and _boolean(response.mimetype, response.data) is not request.boolean
            ):
                problems.append(
                    f"{where}: boolean is not {request.boolean}: {response.data[:200]!r}"
                )
            response.close()
            if mode == "read-only" and request.is_update:
                break  # the follow-up requests check the refused update's effect
    finally:
        close_app(app)
    return problems


CASES = [(test.name, mode) for test in manifest() for mode in ("read-only", "update")]
#: Outcomes of the cases run so far in this session, so the totals need not run them again.
_OUTCOMES: dict[tuple[str, str], list[str]] = {}


@pytest.mark.parametrize(("name", "mode"), CASES)
def test_w3c_protocol(name: str, mode: str, tmp_path: Path) -> None:
    test = next(t for t in manifest() if t.name == name)
    _OUTCOMES[name, mode] = run_test(test, mode, tmp_path)
    assert _OUTCOMES[name, mode] == []


def test_w3c_counts(tmp_path: Path, record_testsuite_property: Any) -> None:
    """Totals, kept as test properties (``--junitxml``): every test passes in both modes.

    Query tests 20/20 in both modes; update tests 14/14 with a token, and all 14 refused
    (4xx) without one.
    """
    counts: dict[str, list[int]] = {}
    for index, (name, mode) in enumerate(CASES):
        test = next(t for t in manifest() if t.name == name)
        kind = "update" if test.is_update else "query"
        if (name, mode) not in _OUTCOMES:
            folder = tmp_path / str(index)
            folder.mkdir()
            _OUTCOMES[name, mode] = run_test(test, mode, folder)
        passed = not _OUTCOMES[name, mode]
        tally = counts.setdefault(f"{kind} ({mode})", [0, 0])
        tally[0] += passed
        tally[1] += 1
    for key, (passed, total) in counts.items():
        record_testsuite_property(f"w3c {key}", f"{passed}/{total}")
    assert len(manifest()) == 34
    assert {k: v[1] for k, v in counts.items()} == {
        "query (read-only)": 20,
        "query (update)": 20,
        "update (read-only)": 14,
        "update (update)": 14,
    }
    assert all(passed == total for passed, total in counts.values()), counts
