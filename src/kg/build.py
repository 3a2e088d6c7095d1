"""Building the graph: release files in, one named graph per release out.

The whole data flow for each file: read -> extract -> map -> validate, all in memory (in a pool
of worker processes for large builds), ending in the release graph as N-Quads; only then is
the release's named graph replaced in the store. The releases go to the store as they come
(:meth:`kg.store.GraphStore.write_graphs`): in one bulk-load stream between checkpoints for
the embedded store, in transactions of :data:`WRITE_BATCH` releases otherwise. A file that
fails anywhere before the write is reported and leaves the store as it was; the other files
of the same build go on.

An unchanged release (same content hash, built by the same code) is skipped, so a rebuild is
cheap and idempotent. Rebuilding from the same inputs gives the same quads: there are no
wall-clock times in the graph.
"""

from __future__ import annotations

import ast
import hashlib
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import NamedTuple

from rdflib import Graph, Literal, URIRef

from . import __version__
from .curation import Curation, Trace, curate
from .errors import InputError, KgError, ValidationError
from .extract import extract, require_agreement
from .mapping import Quad, graph_iri, map_release, nquads
from .namespace import DCTERMS, KG, ONTOLOGY_DIR, ONTOLOGY_IRI
from .sources import read_release
from .store import GraphStore
from .validate import check_batch, check_nquads

__all__ = [
    "RELEASE_SUFFIXES",
    "WRITE_BATCH",
    "BuildReport",
    "Prepared",
    "build",
    "code_fingerprint",
    "collect",
    "graph_code",
    "prepare",
]

RELEASE_SUFFIXES = (".txt", ".pdf", ".html", ".htm")
#: below this many files, extraction runs in this process (a pool costs more than it saves)
_PARALLEL_FROM = 16
#: releases written to the store together in one transaction (a store without bulk loads)
WRITE_BATCH = 64
#: Releases prepared, and validated together, in one go (by one worker): the compiled
#: checks' fixed cost per run is shared by the chunk (16 took about 4% less validation CPU a
#: release than 8; 24 no less than 16)
_CHUNK = 16
#: releases prepared ahead of the writer (about 130 KB of N-Quads each): enough for the
#: workers to go on while the store sorts and writes the end of a bulk-load stream, which
#: takes a few seconds
_IN_FLIGHT = 512
#: the shortest bulk-load stream: near the end of a build the streams get shorter (half of
#: what is left), so that little is left to write when the last release is prepared
_SHORTEST_STREAM = 64


@dataclass
class Prepared:
    """One release, read, extracted and mapped, ready to be written."""

    path: str
    key: str
    graph: URIRef
    #: the release graph as N-Quads in ``graph`` (:func:`kg.mapping.nquads`, UTF-8): made
    #: once by a worker, loaded as they are by validation and by the store
    nquads: bytes
    size: int  # how many triples
    #: what the build report needs of the facts (not the facts: a worker sends this back)
    content_hash: str
    signed: int  # how many agreements the release states as signed
    unsure: list[str]  # the extraction's doubts (ReleaseFacts.unsure)
    #: what the curation file changed, and the fingerprint the release is built with
    trace: Trace = field(default_factory=Trace)
    fingerprint: str = ""  # empty: code_fingerprint() alone
    #: the store already holds this release, built from the same bytes by the same code and
    #: curation: nothing was mapped or validated, nothing needs writing
    unchanged: bool = False


@dataclass
class BuildReport:
    built: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (path, one-line error)
    unsure: list[str] = field(default_factory=list)
    #: curation rules that changed no release of the build (see Curation.unused)
    curation: list[str] = field(default_factory=list)
    #: what curation did to each release read (built or skipped)
    traces: list[Trace] = field(default_factory=list)
    triples: int = 0
    agreements: int = 0
    #: renewal links added (:func:`link_renewals`), and whether the ontology graph was written
    renewals: int = 0
    ontology: bool = False
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failed

    @property
    def wrote(self) -> bool:
        """Whether the build changed the store (releases, renewal links or the ontology)."""
        return bool(self.built or self.renewals or self.ontology)

    def summary(self) -> str:
        rate = len(self.built) / self.seconds if self.seconds > 0 else 0.0
        return (
            f"built {len(self.built)} release(s), skipped {len(self.skipped)} unchanged, "
            f"failed {len(self.failed)}; {self.agreements} agreement(s), {self.triples} triples "
            f"in {self.seconds:.2f} s ({rate:.1f} releases/s)"
        )


#: the modules whose code decides what a release graph holds; with everything they import
#: from ``kg`` and this module itself, they are the code a stored release was built by
_GRAPH_MODULES = ("sources", "extract", "curation", "mapping")


@cache
def code_fingerprint() -> str:
    """Identifies the code that builds graphs, so a release is rebuilt when it changes.

    It hashes :func:`graph_code` and the ontology files, not the rest of the package: a
    change to the store, the server or the notebook API leaves every release as it is.
    """
    digest = hashlib.sha256()
    for path in graph_code() + sorted(ONTOLOGY_DIR.glob("*.ttl")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return f"partnership-kg {__version__} {digest.hexdigest()[:12]}"


def graph_code(root: Path = Path(__file__).parent) -> list[Path]:
    """The source files of :data:`_GRAPH_MODULES`, of the ``kg`` modules they import (read
    from their import statements, transitively), and of this module."""
    todo, seen = list(_GRAPH_MODULES), {"build"}
    while todo:
        name = todo.pop()
        if name in seen or not (root / f"{name}.py").is_file():
            continue
        seen.add(name)
        for node in ast.walk(ast.parse((root / f"{name}.py").read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom):
                continue
            module = node.module or ""
            if node.level == 1:  # from .x import ... / from . import x
                todo += [module.split(".")[0]] if module else [a.name for a in node.names]
            elif module == "kg":  # from kg import x
                todo += [a.name for a in node.names]
            elif module.startswith("kg."):  # from kg.x import ...
                todo.append(module.split(".")[1])
    return sorted(root / f"{name}.py" for name in seen)


def collect(paths: Iterable[str | Path]) -> list[Path]:
    """The release files among ``paths``: files as given, directories searched (sorted).

    :raises InputError: for a path that does not exist
    """
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            out += sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in RELEASE_SUFFIXES
            )
        elif path.exists():
            out.append(path)
        else:
            raise InputError(path, "no such file or directory")
    return out


def prepare(
    path: str | Path,
    *,
    base: str | None = None,
    include_contacts: bool = False,
    validate: bool = True,
    curation: Curation | None = None,
    stored: tuple[str, str] | None = None,
) -> Prepared:
    """Read, extract, curate, map and validate one release file (no store involved).

    :param validate: check the release graph against the SHACL shapes
    :param curation: corrections applied to the facts before mapping (:mod:`kg.curation`)
    :param stored: (content hash, fingerprint) of the release as the store holds it; when
        they match, mapping and validation are skipped and the result is ``unchanged`` (and
        extraction too, without curation rules: then only the file is read)
    :raises InputError: when the file cannot be read or states no agreement
    :raises ValidationError: when its graph breaks the shapes
    """
    doc = read_release(path, include_contacts=include_contacts)
    graph = graph_iri(doc.key, base)
    # without curation rules the fingerprint does not depend on the facts: whether the store
    # holds this release as it is can be told before extracting it
    uncurated = curation is None or not curation.rules
    if uncurated and stored == (doc.content_hash or "", code_fingerprint()):
        hashed = doc.content_hash or ""
        return Prepared(str(path), doc.key, graph, b"", 0, hashed, 0, [], unchanged=True)
    facts = extract(doc)
    require_agreement(facts)
    facts, trace = curate(curation, facts)
    built_with = code_fingerprint() + (
        f" curation {trace.fingerprint}" if trace.fingerprint else ""
    )
    summary = (
        facts.release.content_hash or "",
        sum(1 for a in facts.agreements if a.status == "signed"),
        facts.unsure,
    )
    if stored == (doc.content_hash or "", built_with):
        return Prepared(
            str(path), doc.key, graph, b"", 0, *summary, trace, built_with, unchanged=True
        )
    quads = map_release(facts, text=doc.text, base=base, include_contacts=include_contacts)
    release = next(s for s, p, o, _ in quads if o == KG.Release)
    quads.append((release, KG.builtWith, Literal(built_with), graph))
    data = nquads(quads, graph).encode("utf-8")
    if validate:
        name = Path(path).name
        check_nquads(data, graph, release=name, include_contacts=include_contacts)
    return Prepared(str(path), doc.key, graph, data, len(quads), *summary, trace, built_with)


class _Job(NamedTuple):
    """What a worker needs to prepare one release (the arguments of :func:`prepare`)."""

    path: str
    base: str | None
    include_contacts: bool
    validate: bool
    curation: Curation | None
    #: (content hash, fingerprint) of the release as the store holds it
    stored: tuple[str, str] | None


def _prepare_safely(args: _Job) -> Prepared | tuple[str, str]:
    path = args.path
    try:
        return prepare(
            path,
            base=args.base,
            include_contacts=args.include_contacts,
            validate=args.validate,
            curation=args.curation,
            stored=args.stored,
        )
    except ValidationError as exc:
        return _broken(path, exc)
    except KgError as exc:
        return (path, str(exc))
    except (OSError, ValueError, UnicodeError) as exc:  # a reader library's own failure
        return (path, f"{path}: {type(exc).__name__}: {exc}")


def _broken(path: str, error: ValidationError) -> tuple[str, str]:
    return (path, f"{path}: breaks the shapes: {'; '.join(error.messages[:3])}")


def _prepare_chunk(jobs: list[_Job]) -> list[Prepared | tuple[str, str]]:
    """:func:`_prepare_safely` for each job, the release graphs to validate validated
    together, in one run of the compiled shapes (:func:`kg.validate.check_batch`): the
    queries' cost, most of validating one release alone, is paid once for the chunk."""
    results = [_prepare_safely(job._replace(validate=False)) for job in jobs]
    checked = [
        (number, result)
        for number, (result, job) in enumerate(zip(results, jobs, strict=True))
        if job.validate and isinstance(result, Prepared) and not result.unchanged
    ]
    for contacts in {jobs[number].include_contacts for number, _ in checked}:
        group = [(n, r) for n, r in checked if jobs[n].include_contacts == contacts]
        errors = check_batch(
            [(Path(r.path).name, r.graph, r.nquads) for _, r in group], include_contacts=contacts
        )
        for (number, prepared), error in zip(group, errors, strict=True):
            if error is not None:
                results[number] = _broken(prepared.path, error)
    return results


def _in_chunks(jobs: list[_Job], chunk: int) -> list[list[_Job]]:
    return [jobs[start : start + chunk] for start in range(0, len(jobs), chunk)]


def _prepared_in_pool(
    jobs: list[_Job], workers: int, chunk: int = _CHUNK
) -> Iterator[Prepared | tuple[str, str]]:
    """The results of :func:`_prepare_safely` over ``jobs``, in order, from the pool's workers.

    Unlike ``Executor.map``, which submits every job at once and keeps every result until it
    is read, at most :data:`_IN_FLIGHT` releases are in flight, so memory stays flat however
    many releases a build has and however far the writer falls behind.
    """
    pending: deque[Future[list[Prepared | tuple[str, str]]]] = deque()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for part in _in_chunks(jobs, chunk):
            pending.append(pool.submit(_prepare_chunk, part))
            if len(pending) * chunk >= max(_IN_FLIGHT, 4 * workers * chunk):
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()


def _built_fingerprints(store: GraphStore) -> dict[str, tuple[str, str]]:
    """graph IRI -> (content hash, code fingerprint) of what the store holds."""
    _, rows = store.select(
        f"SELECT ?g ?h ?b WHERE {{ GRAPH ?g {{ ?r a <{KG.Release}> ; <{KG.contentHash}> ?h . "
        f"OPTIONAL {{ ?r <{KG.builtWith}> ?b }} }} }}"
    )
    return {g: (h or "", b or "") for g, h, b in rows}  # type: ignore[misc]


def link_renewals(store: GraphStore) -> int:
    """Link each stated renewal to the agreement it renews when that one is in the graph.

    A release that says an agreement was renewed often names no date or document for the
    earlier one. The build links a signed renewal (``kg:isRenewal``) that has no ``kg:renews``
    yet to the latest earlier signed agreement, in any release, with exactly the same parties;
    the link goes into the renewal's own graph, so rebuilding that release recomputes it.

    :returns: how many links were added
    """
    a, renews = f"<{KG.Agreement}>", f"<{KG.renews}>"
    signed = f"<{KG.status}> <{KG.Signed}> ; <{DCTERMS.date}>"
    party = f"<{KG.party}>"
    _, rows = store.select(
        f"""SELECT ?g ?new ?old ?when WHERE {{
          GRAPH ?g {{ ?new <{KG.isRenewal}> true ; {signed} ?date .
                      FILTER NOT EXISTS {{ ?new {renews} ?any }} }}
          GRAPH ?h {{ ?old a {a} ; {signed} ?when . }}
          FILTER(?old != ?new && ?when < ?date)
          FILTER NOT EXISTS {{ GRAPH ?g {{ ?new {party} ?p }}
                               FILTER NOT EXISTS {{ GRAPH ?h {{ ?old {party} ?p }} }} }}
          FILTER NOT EXISTS {{ GRAPH ?h {{ ?old {party} ?q }}
                               FILTER NOT EXISTS {{ GRAPH ?g {{ ?new {party} ?q }} }} }}
        }}"""
    )
    latest: dict[tuple[str, str], tuple[str, str]] = {}
    for g, new, old, when in rows:
        key = (str(g), str(new))
        if key not in latest or (str(when), str(old)) > latest[key]:
            latest[key] = (str(when), str(old))
    for (g, new), (_, old) in sorted(latest.items()):
        graph = URIRef(g)
        store.add_to_graph(graph, [(URIRef(new), KG.renews, URIRef(old), graph)])
    return len(latest)


def _has_ontology(store: GraphStore) -> bool:
    _, found = store.select(f"SELECT ?s WHERE {{ GRAPH <{ONTOLOGY_IRI}> {{ ?s ?p ?o }} }} LIMIT 1")
    return bool(found)


def ontology_quads() -> list[Quad]:
    """The ontology, as quads of its own named graph (so the store can answer label lookups)."""
    graph = Graph().parse(ONTOLOGY_DIR / "kg.ttl", format="turtle")
    return [(s, p, o, ONTOLOGY_IRI) for s, p, o in sorted(graph)]


def build(
    store: GraphStore,
    paths: Sequence[str | Path],
    *,
    base: str | None = None,
    include_contacts: bool = False,
    force: bool = False,
    validate: bool = True,
    workers: int | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    curation: Curation | None = None,
    checkpoint: Callable[[], None] | None = None,
    checkpoint_every: int = 5000,
) -> BuildReport:
    """Ingest release files into ``store``: one named graph per release, each replaced whole.

    :param paths: files and directories of releases
    :param force: rebuild releases even when unchanged
    :param validate: check each release graph against the SHACL shapes before writing it
    :param workers: extraction processes (default: one per core for large builds)
    :param progress: called as ``progress(done, total, path)`` after each file
    :param curation: the validated curation file, applied to every release; a release is
        rebuilt when the rules that change it change
    :param checkpoint: called after about every ``checkpoint_every`` releases written (the
        store is flushed first), so a long build can make its progress so far durable and
        visible (:meth:`kg.generations.BuildTarget.checkpoint`)
    :raises InputError: when a given path does not exist (nothing is written)
    :raises StoreError: when the store cannot be read or written
    """
    started = time.perf_counter()
    report = BuildReport()
    files = collect(paths)
    existing = {} if force else _built_fingerprints(store)
    writer = _Writer(store, existing, report, checkpoint, checkpoint_every, checked=validate)
    jobs = [
        _Job(
            str(p),
            base,
            include_contacts,
            validate,
            curation,
            existing.get(str(graph_iri(p.stem, base))),
        )
        for p in files
    ]
    results: Iterable[Prepared | tuple[str, str]]
    if len(jobs) >= _PARALLEL_FROM and workers != 1:
        results = _prepared_in_pool(jobs, workers or os.cpu_count() or 1)
    else:
        results = (r for part in _in_chunks(jobs, _CHUNK) for r in _prepare_chunk(part))
    try:
        writer.write_all(results, len(jobs), progress)
    finally:
        store.flush()
    # also when every release was skipped: a build killed after its last checkpoint published
    # all its releases, but not the renewal links and the ontology written after them
    if report.built or report.skipped:
        report.renewals = link_renewals(store)
    if curation is not None:
        report.curation = curation.unused(report.traces)
    if report.built or (report.skipped and not _has_ontology(store)):
        store.replace_graph(ONTOLOGY_IRI, ontology_quads())
        report.ontology = True
    if report.renewals or report.ontology:
        store.flush()
    report.seconds = time.perf_counter() - started
    return report


class _Writer:
    """Writes prepared releases to the store as they come, and records them in the report.

    The releases go to the store in a few :meth:`~kg.store.GraphStore.write_graphs` calls,
    each taking them one by one from a generator (only the release being written is held in
    memory): one bulk-load stream for the embedded store. A stream ends at each checkpoint,
    and otherwise after half of the releases that were left when it began, so that the last
    one, which the store sorts and writes once the last release is prepared, is short.
    """

    def __init__(
        self,
        store: GraphStore,
        existing: dict[str, tuple[str, str]],
        report: BuildReport,
        checkpoint: Callable[[], None] | None,
        checkpoint_every: int,
        *,
        checked: bool,
    ) -> None:
        self.store, self.existing, self.report = store, existing, report
        self.checkpoint, self.checkpoint_every = checkpoint, checkpoint_every
        self.batch_size = min(WRITE_BATCH, checkpoint_every) if checkpoint else WRITE_BATCH
        self.checked = checked  # the releases were validated, so their N-Quads were parsed
        self.seen: dict[str, str] = {}  # release key -> the file it came from
        self.since_checkpoint = 0
        self.done = 0  # results read so far
        self.results_left = True

    def write_all(
        self,
        results: Iterable[Prepared | tuple[str, str]],
        total: int,
        progress: Callable[[int, int, str], None] | None,
    ) -> None:
        numbered = enumerate(results, start=1)
        while self.results_left:
            until = self.done + max(_SHORTEST_STREAM, (total - self.done) // 2)
            to_write = self._to_write(numbered, total, until, progress)
            self.store.write_graphs(to_write, checked=self.checked, batch=self.batch_size)
            if self.checkpoint is not None and self.since_checkpoint >= self.checkpoint_every:
                self.store.flush()
                self.checkpoint()
                self.since_checkpoint = 0

    def _to_write(
        self,
        numbered: Iterator[tuple[int, Prepared | tuple[str, str]]],
        total: int,
        until: int,
        progress: Callable[[int, int, str], None] | None,
    ) -> Iterator[tuple[URIRef, bytes]]:
        """The graphs to write from ``numbered`` results, up to result number ``until`` or
        the next checkpoint; failed, duplicate and unchanged releases are recorded in the
        report on the way."""
        for done, result in numbered:
            self.done = done
            if isinstance(result, tuple):
                self.report.failed.append(result)
            elif result.key in self.seen:
                self.report.failed.append(
                    (
                        result.path,
                        f"{result.path}: same release id {result.key!r} as {self.seen[result.key]}",
                    )
                )
            else:
                self.seen[result.key] = result.path
                if self._changed(result):
                    yield result.graph, result.nquads
                    self._record(result)
            if progress:
                progress(done, total, result.path if isinstance(result, Prepared) else result[0])
            if done >= until or (
                self.checkpoint is not None and self.since_checkpoint >= self.checkpoint_every
            ):
                return
        self.results_left = False

    def _changed(self, prepared: Prepared) -> bool:
        """Whether the release needs writing; if not, it is recorded as skipped."""
        self.report.traces.append(prepared.trace)
        if prepared.unchanged or self.existing.get(str(prepared.graph)) == (
            prepared.content_hash,
            prepared.fingerprint or code_fingerprint(),
        ):
            self.report.skipped.append(prepared.path)
            return False
        return True

    def _record(self, prepared: Prepared) -> None:
        """Record a written release (the report is only returned when every write worked)."""
        report = self.report
        report.built.append(prepared.path)
        report.triples += prepared.size
        report.agreements += prepared.signed
        report.unsure += [f"{prepared.path}: {note}" for note in prepared.unsure]
        self.since_checkpoint += 1
