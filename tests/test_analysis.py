"""The notebook API (kg.analysis, kg.networks) on a hand-made corpus of four releases.

The corpus, as ReleaseFacts mapped by kg.mapping into an on-disk store:

===  ==========  =========================================  ==================================
ag   release     parties                                    dates, term, areas
===  ==========  =========================================  ==================================
ag1  r1 2020-03  Alpha, Beta (MOU)                          signed 2020-03-01, P2Y -> ends
                                                            2022-03-01; Digital health,
                                                            Telemedicine
ag2  r2 2021-06  Alpha, Gamma, Delta (three-party)          signed 2021-06-15, runs
                                                            2021-07-01 .. 2024-06-30;
                                                            Digital health, Genomics
ag3  r3 2023-01  Beta, Gamma                                no date: starts with its release
                                                            2023-01-10, open-ended; Telemedicine
ag4  r4 2024-05  Alpha, Beta (renews ag1)                   signed 2024-05-01, P3Y;
                                                            Digital health
ag5  r4 2024-05  Delta, Epsilon                             signed 2022-09-01, open-ended
ag6  r4 2024-05  Beta, Epsilon                              *planned*: never counted
===  ==========  =========================================  ==================================

Jane Roe is Director of Alpha (r1, restated in r2) and Chief Executive of Alpha (r3); John
Doe signs ag1 for Beta as its Chief Executive Officer; Mary Major chairs Epsilon (r4).
On 2023-06-01 ag1 has expired and ag4 has not started: ag2, ag3 and ag5 are in force.
"""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest
from rdflib import Graph

from kg import analysis as ka
from kg.errors import QueryError
from kg.facts import (
    Agreement,
    Area,
    Organisation,
    Person,
    ReleaseFacts,
    ReleaseInfo,
    RoleHolding,
    Signatory,
    Witness,
)
from kg.mapping import base_iri, graph_iri, map_release
from kg.namespace import ONTOLOGY_DIR, ONTOLOGY_IRI
from kg.networks import add_duration
from kg.store import GraphStore, open_store

CASES = Path(__file__).resolve().parent / "cases"

B = base_iri()
ALPHA, BETA, GAMMA, DELTA, EPSILON = (
    f"{B}org/{k}" for k in ("alpha", "beta", "gamma", "delta", "epsilon")
)
JANE, JOHN, MARY = (f"{B}person/{k}" for k in ("jane-roe", "john-doe", "mary-major"))
AG = {n: f"{B}agreement/ag{n}" for n in range(1, 7)}
DIGITAL, TELE, GENOMICS = (f"{B}area/{k}" for k in ("digital-health", "telemedicine", "genomics"))
AS_OF = date(2023, 6, 1)

ORGS = {
    "alpha": Organisation("alpha", "Alpha Health Authority", aliases=["AHA"]),
    "beta": Organisation("beta", "Beta Science Park"),
    "gamma": Organisation("gamma", "Gamma University"),
    "delta": Organisation("delta", "Delta Foundation"),
    "epsilon": Organisation("epsilon", "Epsilon Hospital"),
}
PEOPLE = {
    "jane-roe": Person("jane-roe", "Jane Roe", "Dr"),
    "john-doe": Person("john-doe", "John Doe", "Mr"),
    "mary-major": Person("mary-major", "Mary Major", "Ms"),
}


def _release(key: str, published: date, orgs: list[str], people: list[str], **kw) -> ReleaseFacts:  # type: ignore[no-untyped-def]
    return ReleaseFacts(
        ReleaseInfo(key=key, title=f"Release {key}", published=published),
        organisations=[ORGS[o] for o in orgs],
        people=[PEOPLE[p] for p in people],
        **kw,
    )


def corpus() -> list[ReleaseFacts]:
    """The four releases of the module docstring."""
    areas = {k: Area(v) for k, v in (("d", "Digital health"), ("t", "Telemedicine"))}
    areas["g"] = Area("Genomics")
    r1 = _release(
        "r1",
        date(2020, 3, 1),
        ["alpha", "beta"],
        ["jane-roe", "john-doe"],
        roles=[RoleHolding("jane-roe", "Director", "alpha")],
        agreements=[
            Agreement(
                "ag1",
                "mou",
                date=date(2020, 3, 1),
                duration="P2Y",
                parties=["alpha", "beta"],
                areas=[areas["d"], areas["t"]],
                signatories=[
                    Signatory("john-doe", "Chief Executive Officer", "beta", "beta"),
                    Signatory("jane-roe", "Director", "alpha", "alpha"),
                ],
            )
        ],
    )
    r2 = _release(
        "r2",
        date(2021, 6, 15),
        ["alpha", "gamma", "delta"],
        ["jane-roe"],
        roles=[RoleHolding("jane-roe", "Director", "alpha")],
        agreements=[
            Agreement(
                "ag2",
                "cooperation",
                date=date(2021, 6, 15),
                start_date=date(2021, 7, 1),
                end_date=date(2024, 6, 30),
                parties=["alpha", "gamma", "delta"],
                areas=[areas["d"], areas["g"]],
                witnesses=[Witness("jane-roe", "Director", "alpha")],
            )
        ],
    )
    r3 = _release(
        "r3",
        date(2023, 1, 10),
        ["alpha", "beta", "gamma"],
        ["jane-roe"],
        roles=[RoleHolding("jane-roe", "Chief Executive", "alpha")],
        agreements=[Agreement("ag3", "mou", parties=["beta", "gamma"], areas=[areas["t"]])],
    )
    r4 = _release(
        "r4",
        date(2024, 5, 1),
        ["alpha", "beta", "delta", "epsilon"],
        ["mary-major"],
        roles=[RoleHolding("mary-major", "Chairman", "epsilon")],
        agreements=[
            Agreement(
                "ag4",
                "mou",
                date=date(2024, 5, 1),
                duration="P3Y",
                parties=["alpha", "beta"],
                areas=[areas["d"]],
                renews="ag1",
            ),
            Agreement("ag5", "agreement", date=date(2022, 9, 1), parties=["delta", "epsilon"]),
            Agreement("ag6", "mou", status="planned", parties=["beta", "epsilon"]),
        ],
    )
    return [r1, r2, r3, r4]


def fill(store: GraphStore) -> None:
    """Map the corpus (and the ontology, for type labels) into ``store``."""
    for facts in corpus():
        quads = map_release(facts, text=f"Text of {facts.release.key}.")
        store.replace_graph(graph_iri(facts.release.key), quads)
    onto = Graph().parse(ONTOLOGY_DIR / "kg.ttl", format="turtle")
    store.replace_graph(ONTOLOGY_IRI, [(s, p, o, ONTOLOGY_IRI) for s, p, o in onto])


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    with open_store(tmp_path_factory.mktemp("analysis") / "store") as s:
        fill(s)
        yield s


@pytest.fixture(scope="module")
def data(store: GraphStore) -> ka.GraphData:
    return ka.load(store)


def edges(graph: nx.Graph, attr: str = "weight") -> dict[frozenset[str], object]:
    return {frozenset((u, v)): d[attr] for u, v, d in graph.edges(data=True)}


# ----------------------------------------------------------------------------- loading


def test_load_merges_agreements_with_effective_dates(data: ka.GraphData) -> None:
    assert sorted(data.agreements) == [AG[n] for n in range(1, 6)]  # ag6 is only planned
    ag1, ag2, ag3, ag4, ag5 = (data.agreements[AG[n]] for n in range(1, 6))
    assert (ag1.signed, ag1.start, ag1.end) == (
        date(2020, 3, 1),
        date(2020, 3, 1),
        date(2022, 3, 1),
    )
    assert (ag2.start, ag2.end) == (date(2021, 7, 1), date(2024, 6, 30))
    assert (ag3.signed, ag3.start, ag3.end) == (None, date(2023, 1, 10), None)
    assert ag4.end == date(2027, 5, 1) and ag5.end is None
    assert ag1.type == "Memorandum of Understanding" and ag2.type == "Co-operation Agreement"
    assert ag2.parties == sorted([ALPHA, GAMMA, DELTA])
    assert (
        ag1.label
        == "Memorandum of Understanding between Alpha Health Authority and Beta Science Park"
    )
    assert ag1.releases == [f"{B}release/r1"]


def test_remote_store_gives_the_same_data_and_frames(
    oxigraph_server: dict[str, str], store: GraphStore, data: ka.GraphData
) -> None:
    from conftest import clear_remote

    clear_remote(oxigraph_server["update"])
    try:
        with open_store(oxigraph_server["query"], update_url=oxigraph_server["update"]) as remote:
            fill(remote)
            assert ka.load(remote) == data
            for query in ("agreements", "roles"):
                pd.testing.assert_frame_equal(ka.query_df(remote, query), ka.query_df(store, query))
    finally:
        clear_remote(oxigraph_server["update"])


# ------------------------------------------------------------------------- projections


def test_org_network_nodes_edges_weights_dates(store: GraphStore) -> None:
    g = ka.org_network(store)
    assert sorted(g) == sorted([ALPHA, BETA, GAMMA, DELTA, EPSILON])
    assert g.nodes[ALPHA] == {
        "label": "Alpha Health Authority",
        "type": "organisation",
        "iri": ALPHA,
        "agreements": 3,
    }
    assert edges(g) == {
        frozenset((ALPHA, BETA)): 2,
        frozenset((ALPHA, GAMMA)): 1,
        frozenset((ALPHA, DELTA)): 1,
        frozenset((GAMMA, DELTA)): 1,
        frozenset((BETA, GAMMA)): 1,
        frozenset((DELTA, EPSILON)): 1,
    }
    ab = g.edges[ALPHA, BETA]
    assert (ab["first"], ab["last"]) == (date(2020, 3, 1), date(2024, 5, 1))
    assert ab["agreements"] == [AG[1], AG[4]]
    assert g.edges[BETA, GAMMA]["first"] == date(2023, 1, 10)  # from its release
    assert not g.has_edge(BETA, EPSILON)  # ag6 is only planned
    assert g.graph == {"projection": "org_network", "as_of": None}


def test_org_network_as_of_drops_expired_and_future_agreements(store: GraphStore) -> None:
    g = ka.org_network(store, as_of=AS_OF)
    assert sorted(g) == sorted([ALPHA, BETA, GAMMA, DELTA, EPSILON])
    assert edges(g) == {
        frozenset((ALPHA, GAMMA)): 1,
        frozenset((ALPHA, DELTA)): 1,
        frozenset((GAMMA, DELTA)): 1,
        frozenset((BETA, GAMMA)): 1,
        frozenset((DELTA, EPSILON)): 1,
    }
    assert not g.has_edge(ALPHA, BETA)  # ag1 ended 2022-03-01, ag4 starts 2024-05-01
    later = ka.org_network(store, as_of=date(2026, 1, 1))
    assert edges(later) == {  # ag3 and ag5 are open-ended
        frozenset((ALPHA, BETA)): 1,
        frozenset((BETA, GAMMA)): 1,
        frozenset((DELTA, EPSILON)): 1,
    }
    assert later.edges[ALPHA, BETA]["agreements"] == [AG[4]]
    assert ka.org_network(store, as_of=date(2019, 1, 1)).number_of_nodes() == 0


def test_end_date_is_inclusive(data: ka.GraphData) -> None:
    assert ka.org_network(data, as_of=date(2022, 3, 1)).has_edge(ALPHA, BETA)
    assert not ka.org_network(data, as_of=date(2022, 3, 2)).has_edge(ALPHA, BETA)


def test_person_org_network_roles_with_dates(store: GraphStore) -> None:
    g = ka.person_org_network(store)
    assert sorted(g) == sorted([JANE, JOHN, MARY, ALPHA, BETA, EPSILON])
    assert edges(g) == {
        frozenset((JANE, ALPHA)): 2,
        frozenset((JOHN, BETA)): 1,
        frozenset((MARY, EPSILON)): 1,
    }
    e = g.edges[JANE, ALPHA]
    assert e["roles"] == ["Chief Executive", "Director"]
    assert (e["first"], e["last"]) == (date(2020, 3, 1), date(2023, 1, 10))
    assert e["releases"] == [f"{B}release/r{n}" for n in (1, 2, 3)]
    assert len(e["memberships"]) == 2
    assert g.nodes[JANE]["label"] == "Jane Roe" and g.nodes[JANE]["type"] == "person"
    assert g.nodes[JANE]["bipartite"] == 0 and g.nodes[ALPHA]["bipartite"] == 1
    assert g.edges[JOHN, BETA]["roles"] == ["Chief Executive Officer"]


def test_person_org_network_as_of_keeps_roles_attested_by_then(store: GraphStore) -> None:
    g = ka.person_org_network(store, as_of=date(2021, 12, 31))
    assert sorted(g) == sorted([JANE, JOHN, ALPHA, BETA])
    e = g.edges[JANE, ALPHA]
    assert e["roles"] == ["Director"]
    assert (e["first"], e["last"]) == (date(2020, 3, 1), date(2021, 6, 15))
    assert e["releases"] == [f"{B}release/r1", f"{B}release/r2"]


def test_org_area_network_is_bipartite_with_weights(store: GraphStore) -> None:
    g = ka.org_area_network(store)
    assert nx.is_bipartite(g)
    assert {n for n, d in g.nodes(data=True) if d["bipartite"] == 1} == {DIGITAL, TELE, GENOMICS}
    assert g.nodes[GENOMICS]["label"] == "Genomics" and g.nodes[GENOMICS]["type"] == "area"
    assert edges(g) == {
        frozenset((ALPHA, DIGITAL)): 3,
        frozenset((ALPHA, TELE)): 1,
        frozenset((ALPHA, GENOMICS)): 1,
        frozenset((BETA, DIGITAL)): 2,
        frozenset((BETA, TELE)): 2,
        frozenset((GAMMA, DIGITAL)): 1,
        frozenset((GAMMA, GENOMICS)): 1,
        frozenset((GAMMA, TELE)): 1,
        frozenset((DELTA, DIGITAL)): 1,
        frozenset((DELTA, GENOMICS)): 1,
    }
    assert g.degree(EPSILON) == 0  # a party to ag5, which names no area
    assert edges(ka.org_area_network(store, as_of=AS_OF)) == {
        frozenset((ALPHA, DIGITAL)): 1,
        frozenset((ALPHA, GENOMICS)): 1,
        frozenset((GAMMA, DIGITAL)): 1,
        frozenset((GAMMA, GENOMICS)): 1,
        frozenset((DELTA, DIGITAL)): 1,
        frozenset((DELTA, GENOMICS)): 1,
        frozenset((BETA, TELE)): 1,
        frozenset((GAMMA, TELE)): 1,
    }


def test_agreement_area_network(store: GraphStore) -> None:
    g = ka.agreement_area_network(store)
    assert sorted(g) == sorted([*(AG[n] for n in range(1, 6)), DIGITAL, TELE, GENOMICS])
    assert set(edges(g)) == {
        frozenset(p)
        for p in [
            (AG[1], DIGITAL),
            (AG[1], TELE),
            (AG[2], DIGITAL),
            (AG[2], GENOMICS),
            (AG[3], TELE),
            (AG[4], DIGITAL),
        ]
    }
    node = g.nodes[AG[2]]
    assert (node["type"], node["agreement_type"]) == ("agreement", "Co-operation Agreement")
    assert (node["start"], node["end"], node["signed"]) == (
        date(2021, 7, 1),
        date(2024, 6, 30),
        date(2021, 6, 15),
    )
    assert sorted(ka.agreement_area_network(store, as_of=AS_OF)) == sorted(
        [AG[2], AG[3], AG[5], DIGITAL, TELE, GENOMICS]
    )


def test_typed_graph_relations(store: GraphStore) -> None:
    g = ka.typed_graph(store)
    types = {d["type"] for _, d in g.nodes(data=True)}
    assert types == {"organisation", "person", "agreement", "area", "release"}
    assert g.nodes[f"{B}release/r2"]["issued"] == date(2021, 6, 15)
    relations: dict[str, int] = {}
    for _, _, rel in g.edges(data="relation"):
        relations[rel] = relations.get(rel, 0) + 1
    assert relations == {
        "party": 11,
        "covers": 6,
        "stated_in": 5,
        "signed": 2,
        "witnessed": 1,
        "member": 3 + 1,  # Jane's two roles at Alpha are two edges
    }
    signed = g.get_edge_data(JOHN, AG[1])["signed"]
    assert signed == {
        "relation": "signed",
        "weight": 1,
        "role": "Chief Executive Officer",
        "on_behalf_of": BETA,
    }
    assert set(g.get_edge_data(JANE, ALPHA)) == {"member:Director", "member:Chief Executive"}
    assert g.get_edge_data(JANE, AG[2])["witnessed"]["role"] == "Director"
    past = ka.typed_graph(store, as_of=AS_OF)
    assert {n for n, d in past.nodes(data=True) if d["type"] == "agreement"} == {
        AG[2],
        AG[3],
        AG[5],
    }
    assert MARY not in past  # attested only in 2024


# ---------------------------------------------------------------------------- helpers


def test_partners(store: GraphStore, data: ka.GraphData) -> None:
    df = ka.partners(store, "alpha health authority")
    assert list(df.columns) == ["partner", "agreements", "first", "last", "iri"]
    assert df[["partner", "agreements"]].values.tolist() == [
        ["Beta Science Park", 2],
        ["Delta Foundation", 1],
        ["Gamma University", 1],
    ]
    assert df.loc[0, "first"] == pd.Timestamp("2020-03-01")
    assert ka.partners(ka.org_network(data, as_of=AS_OF), ALPHA)["partner"].tolist() == [
        "Delta Foundation",
        "Gamma University",
    ]
    with pytest.raises(KeyError, match="Alpha Health Authority"):
        ka.partners(data, "Omega")


def test_brokers_betweenness(data: ka.GraphData) -> None:
    df = ka.brokers(ka.org_network(data), k=3)
    assert df["node"].tolist() == [DELTA, ALPHA, GAMMA]
    assert df["betweenness"].tolist() == pytest.approx([3 / 6, 1 / 6, 1 / 6])
    assert df.loc[0, "label"] == "Delta Foundation"
    assert len(ka.brokers(ka.typed_graph(data), k=100)) == ka.typed_graph(data).number_of_nodes()


def test_communities() -> None:
    g = nx.barbell_graph(4, 1)  # two 4-cliques joined through node 4
    groups = ka.communities(g)
    assert sorted(map(sorted, groups)) == [[0, 1, 2, 3], [4, 5, 6, 7, 8]] or sorted(
        map(sorted, groups)
    ) == [[0, 1, 2, 3, 4], [5, 6, 7, 8]]
    louvain = ka.communities(g, method="louvain")
    assert louvain == ka.communities(g, method="louvain") and len(louvain) == 2
    assert ka.communities(nx.empty_graph(3)) == [{0}, {1}, {2}]
    assert ka.communities(nx.Graph()) == []
    with pytest.raises(ValueError, match="unknown method"):
        ka.communities(g, method="magic")


def test_communities_partition_the_corpus(data: ka.GraphData) -> None:
    for graph in (ka.org_network(data), ka.typed_graph(data), ka.org_network(data, as_of=AS_OF)):
        groups = ka.communities(graph)
        assert sorted(n for c in groups for n in c) == sorted(graph)


def test_rank_by_active_agreements(store: GraphStore) -> None:
    df = ka.rank_by_active_agreements(store, on=AS_OF)
    assert df[["organisation", "active"]].values.tolist() == [
        ["Delta Foundation", 2],
        ["Gamma University", 2],
        ["Alpha Health Authority", 1],
        ["Beta Science Park", 1],
        ["Epsilon Hospital", 1],
    ]
    early = ka.rank_by_active_agreements(store, on=date(2020, 6, 1))
    assert early.set_index("organisation")["active"].to_dict() == {
        "Alpha Health Authority": 1,
        "Beta Science Park": 1,
        "Delta Foundation": 0,
        "Epsilon Hospital": 0,
        "Gamma University": 0,
    }


def test_agreement_table(data: ka.GraphData) -> None:
    df = ka.agreement_table(data, on=AS_OF)
    assert df["iri"].tolist() == [AG[1], AG[2], AG[5], AG[3], AG[4]]  # by start
    assert df["active"].tolist() == [False, True, True, True, False]
    row = df.set_index("iri").loc[AG[4]]
    assert (row["duration"], row["years"], row["end"]) == ("P3Y", 3.0, pd.Timestamp("2027-05-01"))
    assert df["start"].dtype.kind == "M"


# ---------------------------------------------------------------------------- query_df


def test_query_df_types_columns_from_datatypes(store: GraphStore) -> None:
    df = ka.query_df(
        store,
        """PREFIX kg: <https://w3id.org/partnership-graph/ontology#>
        PREFIX dcterms: <http://purl.org/dc/terms/>
        PREFIX time: <http://www.w3.org/2006/time#>
        SELECT ?a ?date ?term ?n ?ok ?x WHERE {
          GRAPH ?g { ?a a kg:Agreement . OPTIONAL { ?a dcterms:date ?date }
                     OPTIONAL { ?a time:hasXSDDuration ?term } }
          BIND(STRLEN(STR(?a)) AS ?n) BIND(BOUND(?date) AS ?ok) BIND(1.5 AS ?x)
        } ORDER BY ?a""",
    )
    assert list(df.columns) == ["a", "date", "term", "n", "ok", "x"]
    assert df["date"].dtype.kind == "M" and str(df["n"].dtype) == "Int64"
    assert str(df["ok"].dtype) == "boolean" and str(df["x"].dtype) == "Float64"
    assert df["date"].tolist()[:3] == [
        pd.Timestamp("2020-03-01"),
        pd.Timestamp("2021-06-15"),
        pd.NaT,
    ]
    assert df["term"].tolist()[0] == "P2Y"
    assert df["a"].tolist()[0] == AG[1]


def test_query_df_named_query_parses_contract_dates(store: GraphStore) -> None:
    df = ka.query_df(store, "agreements")
    assert list(df.columns) == ["agreement", "type", "date", "place", "duration"]
    assert df["date"].dtype.kind == "M"
    assert df["date"].min() == pd.Timestamp("2020-03-01")
    # the contract's rows are distinct (label, organisation) pairs: ag1 and its renewal ag4
    # share a label, so 11 party links give 9 rows
    assert len(ka.query_df(store, "parties")) == 9


def test_query_df_rejects_non_select(store: GraphStore) -> None:
    with pytest.raises(QueryError, match="ASK"):
        ka.query_df(store, "ASK { ?s ?p ?o }")
    with pytest.raises(QueryError, match="SELECT"):
        ka.query_df(store, "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 1")


def test_query_df_empty_result(store: GraphStore) -> None:
    df = ka.query_df(store, "SELECT ?s WHERE { GRAPH ?g { ?s a <urn:nothing> } }")
    assert list(df.columns) == ["s"] and df.empty


def test_dataset_is_embedded_only(store: GraphStore) -> None:
    ds = ka.dataset(store)
    assert len(list(ds.graphs())) >= 5
    with pytest.raises(TypeError, match="embedded"):
        ka.dataset(ka.open_store("http://127.0.0.1:9/query"))  # no request is made


# ----------------------------------------------------------------------------- export


@pytest.mark.parametrize("projection", ["org_network", "person_org_network", "typed_graph"])
def test_graphml_round_trip(tmp_path: Path, data: ka.GraphData, projection: str) -> None:
    g = getattr(ka, projection)(data)
    back = nx.read_graphml(ka.to_graphml(g, tmp_path / "g.graphml"))
    assert sorted(back) == sorted(g)
    assert back.number_of_edges() == g.number_of_edges()
    if projection == "org_network":
        e = back.edges[ALPHA, BETA]
        assert (e["weight"], e["first"], e["last"]) == (2, "2020-03-01", "2024-05-01")
        assert e["agreements"] == f"{AG[1]}; {AG[4]}"
        assert back.nodes[ALPHA]["label"] == "Alpha Health Authority"


@pytest.mark.parametrize("projection", ["org_network", "agreement_area_network", "typed_graph"])
def test_gexf_round_trip(tmp_path: Path, data: ka.GraphData, projection: str) -> None:
    g = getattr(ka, projection)(data)
    path = ka.to_gexf(g, tmp_path / "g.gexf")
    back = nx.read_gexf(path)
    assert sorted(back) == sorted(g)
    assert back.number_of_edges() == g.number_of_edges()
    assert {back.nodes[n]["label"] for n in back} == {d["label"] for _, d in g.nodes(data=True)}
    if projection == "agreement_area_network":
        assert back.nodes[AG[2]]["start"] == "2021-07-01"  # a GEXF time spell
        graph_element = ET.parse(path).getroot().find("{http://www.gexf.net/1.2draft}graph")
        assert graph_element is not None and graph_element.get("timeformat") == "date"


# ------------------------------------------------------------------------------ pyvis


def _no_remote(page: str) -> None:
    import re

    assert not re.search(r"<(script|link)\b[^>]*(src|href)\s*=\s*[\"']?https?:", page, re.I)
    assert "cdn." not in page and "cdnjs" not in page


def test_pyvis_offline_and_escaped() -> None:
    g = nx.Graph()
    g.add_node("x", label="<script>alert('owned')</script>Evil <b>Corp</b>", type="organisation")
    g.add_node("y", label="Plain & Simple", type="area", note="<img src=x onerror=alert(1)>")
    g.add_edge("x", "y", weight=2, agreements=["<script>bad()</script>"])
    net = ka.to_pyvis(g, heading="<i>Heading</i>", select_menu=True)
    page = net.generate_html()
    _no_remote(page)
    assert "<script>alert" not in page and "<img src=x" not in page and "<i>Heading" not in page
    assert "bad()</script>" not in page
    assert "vis.Network" in page  # vis-network is inlined
    labels = {n["label"] for n in net.nodes}
    assert labels == {"alert('owned')Evil Corp", "Plain & Simple"}
    assert all(isinstance(n["id"], int) for n in net.nodes)
    assert net.edges[0]["value"] == 2


def test_pyvis_on_projections_and_show(data: ka.GraphData) -> None:
    for graph in (ka.org_network(data), ka.typed_graph(data)):
        net = ka.to_pyvis(graph)
        assert len(net.nodes) == graph.number_of_nodes()
        _no_remote(net.generate_html())
    shown = ka.show(ka.org_network(data))
    body = shown.data
    assert "<iframe srcdoc=" in body and "<script" not in body  # the page is inside srcdoc
    assert "Beta Science Park" in body


def test_public_api_is_documented() -> None:
    for name in ka.__all__:
        obj = getattr(ka, name)
        assert obj.__doc__, name


# ----------------------------------------------------- the team's golden cases, built


@pytest.fixture(scope="module")
def cases_store(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """Every tests/cases/<id>/release.* built into one store (as <id>.txt, ...)."""
    from kg.build import RELEASE_SUFFIXES, build

    cases = sorted(p for p in CASES.glob("*/release.*") if p.suffix in RELEASE_SUFFIXES)
    if not cases:
        pytest.skip("no golden cases in tests/cases/")
    folder = tmp_path_factory.mktemp("cases")
    releases = folder / "releases"
    releases.mkdir()
    for path in cases:
        shutil.copy(path, releases / f"{path.parent.name}{path.suffix}")
        meta = path.with_name("release.meta.json")
        if meta.exists():
            shutil.copy(meta, releases / f"{path.parent.name}.meta.json")
    with open_store(folder / "store") as s:
        report = build(s, [releases], workers=1)
        assert report.ok, report.failed
        yield s


def _by_label(graph: nx.Graph) -> set[tuple[str, ...]]:
    return {tuple(sorted(graph.nodes[n]["label"] for n in e)) for e in graph.edges}


def test_cases_projections_agree_with_named_queries(cases_store: GraphStore) -> None:
    data = ka.load(cases_store)
    agreements = ka.query_df(cases_store, "agreements")
    assert len(data.agreements) == len(agreements) > 0
    assert sorted(a.label for a in data.agreements.values()) == sorted(agreements["agreement"])
    signed = {a.label: a.signed for a in data.agreements.values()}
    for row in agreements.itertuples():
        assert signed[row.agreement] == (None if pd.isna(row.date) else row.date.date())

    parties = ka.query_df(cases_store, "parties").groupby("agreement")["organisation"]
    pairs: dict[tuple[str, ...], int] = {}
    for _, orgs in parties:
        names = sorted(orgs)
        for i, u in enumerate(names):
            for v in names[i + 1 :]:
                pairs[(u, v)] = pairs.get((u, v), 0) + 1
    orgs = ka.org_network(data)
    weights = {
        tuple(sorted((orgs.nodes[u]["label"], orgs.nodes[v]["label"]))): w
        for u, v, w in orgs.edges(data="weight")
    }
    assert weights == pairs

    areas = ka.query_df(cases_store, "areas")
    assert _by_label(ka.agreement_area_network(data)) == {
        tuple(sorted(r)) for r in areas[["agreement", "area"]].itertuples(index=False)
    }

    roles = ka.query_df(cases_store, "roles")
    held: dict[tuple[str, ...], set[str]] = {}
    for r in roles.dropna(subset=["organisation"]).itertuples():
        if r.organisation:
            held.setdefault(tuple(sorted((r.person, r.organisation))), set()).add(r.role)
    people = ka.person_org_network(data)
    assert {
        tuple(sorted(people.nodes[n]["label"] for n in (u, v))): set(e["roles"])
        for u, v, e in people.edges(data=True)
    } == held

    typed = ka.typed_graph(data)
    for relation, query in (("signed", "signatories"), ("witnessed", "witnesses")):
        expected = set(
            ka.query_df(cases_store, query)[["person", "agreement"]].itertuples(index=False)
        )
        found = {
            (typed.nodes[u]["label"], typed.nodes[v]["label"])
            for u, v, rel in typed.edges(data="relation")
            if rel == relation
        }
        assert found == {tuple(p) for p in expected}, relation


def test_cases_as_of_follows_the_stated_terms(cases_store: GraphStore) -> None:
    data = ka.load(cases_store)
    for a in data.agreements.values():
        if a.signed and a.duration:  # "signed on D for three years" ends on D + P3Y
            assert (a.start, a.end) == (a.signed, add_duration(a.signed, a.duration)), a.label
    for on in (date(2020, 1, 1), AS_OF, date(2025, 6, 1), date(2030, 1, 1)):
        table = ka.agreement_table(data, on=on)
        in_force = set(table[table["active"]]["iri"])
        typed = ka.typed_graph(data, as_of=on)
        assert {n for n, t in typed.nodes(data="type") if t == "agreement"} == in_force
        assert sum(ka.rank_by_active_agreements(data, on=on)["active"]) == sum(
            len(data.agreements[i].parties) for i in in_force
        )
