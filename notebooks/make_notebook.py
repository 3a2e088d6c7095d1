"""Write ``partnership_analysis.ipynb`` from the cells below (run it after editing them).

    .venv/bin/python notebooks/make_notebook.py

The notebook is kept without outputs; ``tests/test_notebook.py`` executes it.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

CELLS: list[tuple[str, str]] = [
    (
        "md",
        """\
# Partnership analysis

This notebook reads every press release in `data/releases/`, builds the partnership graph from
them in a throw-away store, and then asks it the questions a partnership officer or an analyst
asks most often:

1. Which organisations work with which, and how often?
2. Who are each organisation's partners?
3. Which areas do the agreements cover?
4. When does each agreement run, and which are in force today?
5. Who signed for whom?

Everything goes through the small API in `kg.analysis`: `query_df` for SPARQL into pandas,
and the networkx projections (`org_network`, `person_org_network`, `org_area_network`,
`agreement_area_network`, `typed_graph`) for the network questions. Run it top to bottom; it
needs nothing but the repository and its virtualenv.""",
    ),
    (
        "md",
        """\
## Build a store from the releases

`kg.build.build` runs the whole pipeline (read, extract, map, validate, store) for each release
and writes one named graph per release. We build into a temporary directory so the notebook
never touches `var/store`. To analyse an existing store instead, set `STORE` to its directory
or to a SPARQL query endpoint URL (an embedded store must not be open in `kg serve` at the same
time).""",
    ),
    (
        "code",
        """\
import io
import tempfile
import textwrap
from datetime import date
from pathlib import Path

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import networkx as nx
import pandas as pd
from IPython.display import Image, Markdown, display

from kg import analysis as ka
from kg.build import build

STORE = None  # None: build a fresh store from data/releases/
TODAY = date.today()
pd.set_option("display.max_colwidth", 90)


def repository_root(start: Path) -> Path:
    \"\"\"The checkout holding data/releases/, whether we run from notebooks/ or the root.\"\"\"
    for folder in [start, *start.parents]:
        if (folder / "data" / "releases").is_dir() and (folder / "pyproject.toml").is_file():
            return folder
    raise FileNotFoundError(f"no data/releases/ above {start}")


def show_figure(fig):
    \"\"\"Render a figure to PNG and display it (the same under any matplotlib backend).\"\"\"
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=96, bbox_inches="tight")
    plt.close(fig)
    return Image(buffer.getvalue())


def short(text, width=48):
    return textwrap.shorten(str(text), width=width, placeholder="...")


ROOT = repository_root(Path.cwd())
workdir = tempfile.TemporaryDirectory(prefix="kg-notebook-")
if STORE is None:
    store = ka.open_store(Path(workdir.name) / "store")
    summary = build(store, [ROOT / "data" / "releases"]).summary()
else:
    store = ka.open_store(STORE)
    summary = f"using the store at {STORE}"
summary""",
    ),
    (
        "md",
        """\
## The agreements as a table

`query_df` runs one of the named queries (or any SPARQL `SELECT`) and types the columns from the
results: the `date` column is a real date column, so it sorts and plots as one.

`ka.load` reads everything the network projections need in one go; `agreement_table` turns it
into one row per signed agreement with its *effective* start and end. Where a release gives only
a signing date and a term ("over the next three years"), the start is the signing date and the
end is the start plus the term; an agreement with no term stays open-ended.""",
    ),
    (
        "code",
        """\
ka.query_df(store, "agreements")""",
    ),
    (
        "code",
        """\
data = ka.load(store)
agreements = ka.agreement_table(data, on=TODAY)
agreements[["agreement", "type", "signed", "start", "end", "duration", "parties", "active"]]""",
    ),
    (
        "md",
        """\
## The organisation network

Two organisations are linked when they are parties to the same signed agreement; the link's
`weight` counts those agreements, and `first`/`last` give the dates of the earliest and latest.
Thicker lines mean more shared agreements.""",
    ),
    (
        "code",
        """\
orgs = ka.org_network(data)
fig, ax = plt.subplots(figsize=(8, 5))
ax.set_axis_off()
if orgs.number_of_nodes() == 0:
    ax.text(0.5, 0.5, "no signed agreements yet", ha="center", va="center")
else:
    layout = nx.spring_layout(orgs, seed=7, weight="weight")
    widths = [1.5 * w for _, _, w in orgs.edges(data="weight")]
    nx.draw_networkx_edges(orgs, layout, width=widths, edge_color="#999999", ax=ax)
    sizes = [300 + 200 * n for _, n in orgs.nodes(data="agreements")]
    nx.draw_networkx_nodes(orgs, layout, node_size=sizes, node_color="#0072B2", ax=ax)
    labels = {n: textwrap.fill(label, 22) for n, label in orgs.nodes(data="label")}
    nx.draw_networkx_labels(orgs, layout, labels=labels, font_size=8, ax=ax)
    ax.margins(0.25)
ax.set_title(f"{orgs.number_of_nodes()} organisation(s), {orgs.number_of_edges()} partnership(s)")
show_figure(fig)""",
    ),
    (
        "md",
        """\
## Partners of each organisation

`partners` lists one organisation's partners with the number of agreements they share; here it
is run for every organisation in the network.""",
    ),
    (
        "code",
        """\
rows = []
for node, label in orgs.nodes(data="label"):
    mine = ka.partners(orgs, node)
    rows.append(
        {
            "organisation": label,
            "agreements": orgs.nodes[node]["agreements"],
            "partners": len(mine),
            "partner names": "; ".join(mine["partner"]),
        }
    )
partner_table = pd.DataFrame(
    rows, columns=["organisation", "agreements", "partners", "partner names"]
)
partner_table.sort_values(
    ["agreements", "organisation"], ascending=[False, True], ignore_index=True
)""",
    ),
    (
        "md",
        """\
Who links otherwise separate groups? `brokers` ranks organisations by betweenness centrality
(the share of shortest paths between other organisations that pass through them), and
`communities` splits the network into groups that work more with each other than with the rest.
With only a handful of releases both are small, but they grow with the corpus.""",
    ),
    (
        "code",
        """\
community_of = {n: i for i, group in enumerate(ka.communities(orgs)) for n in group}
brokers = ka.brokers(orgs, k=10)
brokers["community"] = brokers["node"].map(community_of)
brokers[["label", "betweenness", "community"]]""",
    ),
    (
        "md",
        """\
## Areas covered

Each agreement names the areas it covers (both levels of a release's lists: "four key areas"
and "six application areas"). The bipartite agreement-area network counts, for every area, how
many agreements cover it.""",
    ),
    (
        "code",
        """\
areas = ka.agreement_area_network(data)
counts = pd.Series(
    {
        label: areas.degree(n)
        for n, label in areas.nodes(data="label")
        if areas.nodes[n]["type"] == "area"
    },
    dtype="int64",
).sort_values()
fig, ax = plt.subplots(figsize=(8, 0.5 + 0.35 * max(len(counts), 1)))
if counts.empty:
    ax.text(0.5, 0.5, "no areas stated", ha="center", va="center")
    ax.set_axis_off()
else:
    ax.barh([short(a, 45) for a in counts.index], counts.to_numpy(), color="#CC79A7")
    ax.set_xlabel("agreements covering the area")
    ax.xaxis.get_major_locator().set_params(integer=True)
ax.set_title("Areas of partnership")
show_figure(fig)""",
    ),
    (
        "md",
        """\
## Agreements on a timeline

Each bar runs from an agreement's start to its end; open-ended agreements are drawn hatched up
to today. Green bars are in force today (the dashed line), grey ones have ended or not yet
begun. The label at the end of a bar is the term the release states.""",
    ),
    (
        "code",
        """\
dated = agreements.dropna(subset=["start"]).reset_index(drop=True)
fig, ax = plt.subplots(figsize=(9, 1 + 0.6 * max(len(dated), 1)))
today = pd.Timestamp(TODAY)
for y, row in dated.iterrows():
    end = row["end"] if pd.notna(row["end"]) else max(today, row["start"]) + pd.Timedelta(days=30)
    left = mdates.date2num(row["start"])
    ax.broken_barh(
        [(left, max(mdates.date2num(end) - left, 1))],
        (y - 0.3, 0.6),
        facecolors="#009E73" if row["active"] else "#BBBBBB",
        hatch=None if pd.notna(row["end"]) else "//",
        edgecolor="white",
    )
    ax.text(mdates.date2num(end), y, f"  {row['duration'] or 'open'}", va="center", fontsize=8)
ax.axvline(mdates.date2num(today), color="black", linestyle="--", linewidth=1)
ax.set_yticks(range(len(dated)), [short(a) for a in dated["agreement"]])
ax.invert_yaxis()
ax.xaxis_date()
ax.set_title(f"Agreements and their terms (today: {TODAY.isoformat()})")
show_figure(fig)""",
    ),
    (
        "code",
        """\
active = agreements[agreements["active"]]
undated = agreements[agreements["start"].isna()]
note = f"**{len(active)} of {len(agreements)}** agreements are in force on {TODAY.isoformat()}."
if len(undated):
    note += f" {len(undated)} have no date and are not on the timeline."
display(Markdown(note))
active[["agreement", "start", "end", "parties"]]""",
    ),
    (
        "md",
        """\
The same rule gives the network as it stood on any date: `org_network(store, as_of=d)` keeps
only the agreements in force on `d`. Here is the number of agreements in force at the start
of each month, which shows how the partnership portfolio grows and lapses.""",
    ),
    (
        "code",
        """\
if dated.empty:
    in_force = pd.Series(dtype="int64")
else:
    months = pd.date_range(dated["start"].min().to_period("M").to_timestamp(), today, freq="MS")
    in_force = pd.Series([len(data.selected(m.date())) for m in months], index=months)
fig, ax = plt.subplots(figsize=(8, 2.5))
ax.step(in_force.index, in_force.to_numpy(), where="post", color="#009E73")
ax.set_ylabel("in force")
ax.yaxis.get_major_locator().set_params(integer=True)
ax.set_title("Agreements in force, month by month")
show_figure(fig)""",
    ),
    (
        "md",
        """\
## Who signs for whom

Signatories are recorded as PROV-O qualified associations: each `kg:Signing` names the person
(`prov:agent`), the post they signed in (`kg:inCapacity`, an `org:Membership`) and the party
they signed for (`kg:onBehalfOf`). The query below reads them from every release graph
(`GRAPH ?g`), which is how the release graphs are queried on any store.""",
    ),
    (
        "code",
        """\
signs_for = ka.query_df(
    store,
    \"\"\"
    PREFIX kg: <https://w3id.org/partnership-graph/ontology#>
    PREFIX org: <http://www.w3.org/ns/org#>
    PREFIX prov: <http://www.w3.org/ns/prov#>
    PREFIX foaf: <http://xmlns.com/foaf/0.1/>
    PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
    PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
    PREFIX dcterms: <http://purl.org/dc/terms/>
    SELECT ?date ?agreement ?signatory ?role ?signs_for WHERE {
      GRAPH ?g {
        ?a a kg:Agreement ; kg:status kg:Signed ; rdfs:label ?agreement ; kg:hasSigning ?s .
        ?s prov:agent/foaf:name ?signatory .
        OPTIONAL { ?a dcterms:date ?date }
        OPTIONAL { ?s kg:inCapacity/org:role/skos:prefLabel ?role }
        OPTIONAL { ?s kg:onBehalfOf/skos:prefLabel ?signs_for }
      }
    }
    ORDER BY ?date ?agreement ?signatory
    \"\"\",
)
signs_for""",
    ),
    (
        "md",
        """\
And who holds which post where, with the dates of the releases that say so (the
person-organisation projection):""",
    ),
    (
        "code",
        """\
people = ka.person_org_network(data)
pd.DataFrame(
    [
        {
            "person": people.nodes[p]["label"],
            "organisation": people.nodes[o]["label"],
            "roles": "; ".join(e["roles"]),
            "first stated": e["first"],
            "last stated": e["last"],
        }
        for a, b, e in people.edges(data=True)
        for p, o in [(a, b) if people.nodes[a]["type"] == "person" else (b, a)]
    ],
    columns=["person", "organisation", "roles", "first stated", "last stated"],
).sort_values(["organisation", "person"], ignore_index=True)""",
    ),
    (
        "md",
        """\
## Explore and export

`ka.show` draws any projection as an interactive network (drag, zoom, hover for details). It
works offline: the vis-network script is inlined, nothing is fetched from the internet. For
Gephi, `to_gexf` and `to_graphml` write files whose dates and lists are plain strings; the GEXF
file also carries each agreement's start and end, so Gephi's timeline can replay them.""",
    ),
    (
        "code",
        """\
ka.show(ka.typed_graph(data), height="500px")""",
    ),
    (
        "code",
        """\
exported = [
    ka.to_gexf(ka.typed_graph(data), Path(workdir.name) / "partnerships.gexf"),
    ka.to_graphml(orgs, Path(workdir.name) / "organisations.graphml"),
]
[(p.name, p.stat().st_size) for p in exported]""",
    ),
    (
        "md",
        """\
Close the store and delete the temporary directory (copy the exported files elsewhere first if
you want to keep them).""",
    ),
    (
        "code",
        """\
store.close()
workdir.cleanup()""",
    ),
]


def notebook() -> nbformat.NotebookNode:
    """The notebook, cells in order, no outputs."""
    cells = [
        new_markdown_cell(text) if kind == "md" else new_code_cell(text) for kind, text in CELLS
    ]
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["language_info"] = {"name": "python"}
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i:02d}"
    return nb


def main() -> None:
    """Write the notebook beside this script."""
    nbformat.write(notebook(), HERE / "partnership_analysis.ipynb")


if __name__ == "__main__":
    main()
