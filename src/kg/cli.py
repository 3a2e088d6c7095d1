"""The ``kg`` command line: a thin edge over the library.

Each command's docstring is its help; its body calls one library function; library errors
become one line on stderr. Exit codes:

====  ================================================================
0     success
1     bad input: a release, query or path that cannot be used (some releases of a build
      failed; the others were ingested)
2     usage error (unknown command or option)
3     the store cannot be opened, locked or written
4     the graph breaks the SHACL shapes (``kg validate``)
====  ================================================================

The store is ``--store PATH_OR_URL``, else ``KG_STORE``, else ``var/store``; a remote store
is a SPARQL query endpoint URL with ``--update-url`` (or ``KG_UPDATE_URL``) beside it.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import InputError, KgError, QueryError, StoreError, ValidationError

if TYPE_CHECKING:
    from .curation import Curation

__all__ = ["main"]

DEFAULT_STORE = "var/store"
DEFAULT_RELEASES = "data/releases"
EXIT_OK, EXIT_INPUT, EXIT_USAGE, EXIT_STORE, EXIT_INVALID = 0, 1, 2, 3, 4

log = logging.getLogger("kg")


def _open(args: argparse.Namespace, *, read_only: bool = False):  # type: ignore[no-untyped-def]
    from .store import open_store

    return open_store(args.store, update_url=args.update_url, read_only=read_only)


def cmd_build(args: argparse.Namespace) -> int:
    """Ingest releases (default data/releases/) into the store; unchanged ones are skipped."""
    from .build import build, collect
    from .generations import build_target
    from .store import EmbeddedStore, open_store

    paths = args.paths or [DEFAULT_RELEASES]
    collect(paths)  # a missing path is an error before the store is touched
    curation = _curation(args.curation)  # so is a bad curation file
    remote = args.store.startswith(("http://", "https://"))
    fresh = not remote and not os.path.lexists(args.store)
    options = dict(
        include_contacts=args.include_contacts,
        force=args.force,
        validate=not args.no_validate,
        workers=args.workers,
        progress=_progress_printer(),
        curation=curation,
    )
    if remote:
        with open_store(args.store, update_url=args.update_url) as store:
            report = build(store, paths, **options)  # type: ignore[arg-type]
    else:
        # an embedded store is never written where it is read: the build bulk-loads a new
        # generation, publishing checkpoints on the way and the whole when done (kg.generations)
        with build_target(args.store) as target:
            writer = EmbeddedStore(target.path, bulk=True)
            with writer:
                report = build(
                    writer,
                    paths,
                    checkpoint=lambda: target.checkpoint(writer.oxigraph),
                    checkpoint_every=args.checkpoint_every,
                    **options,  # type: ignore[arg-type]
                )
            if report.wrote:
                target.publish()
    if fresh and not report.wrote and not os.path.islink(args.store):
        shutil.rmtree(args.store, ignore_errors=True)  # nothing ingested: no empty store left
    for _path, error in report.failed:
        print(f"error: {error}", file=sys.stderr)
    for note in report.unsure:
        print(f"unsure: {note}", file=sys.stderr)
    for note in report.curation:
        print(f"curation: {note}", file=sys.stderr)
    print(report.summary())
    return EXIT_OK if report.ok else EXIT_INPUT


def _curation(path: str | None) -> Curation | None:
    """The curation file to apply: ``--curation PATH``, else data/curation/curation.toml if
    it exists, else none (``--curation ''`` turns it off)."""
    from .curation import DEFAULT_PATH, load

    if path is None:
        return load(DEFAULT_PATH) if DEFAULT_PATH.is_file() else None
    return load(path) if path else None


def _progress_printer() -> Callable[[int, int, str], None]:
    started = time.perf_counter()
    tty = sys.stderr.isatty()

    def show(done: int, total: int, path: str) -> None:
        elapsed = time.perf_counter() - started
        rate = done / elapsed if elapsed > 0 else 0.0
        eta = (total - done) / rate if rate > 0 else 0.0
        width = 24
        bar = "#" * (width * done // total) + "." * (width - width * done // total)
        line = f"[{bar}] {done}/{total} {rate:6.1f} rel/s ETA {eta:5.1f} s  {Path(path).name}"
        if tty:
            end = "\n" if done == total else ""
            print("\r" + line[:120].ljust(120), end=end, file=sys.stderr, flush=True)
        elif done == total or done % max(1, total // 10) == 0:
            print(line, file=sys.stderr)

    return show


def cmd_extract(args: argparse.Namespace) -> int:
    """Print the facts of one release as JSON, without touching any store."""
    from .extract import extract
    from .sources import read_release

    facts = extract(read_release(args.file, include_contacts=args.include_contacts))
    print(json.dumps(facts.to_dict(), indent=2, ensure_ascii=False))
    return EXIT_OK


def cmd_query(args: argparse.Namespace) -> int:
    """Run a named query (agreements, parties, ...), a .rq file or SPARQL text."""
    from .query import format_results

    with _open(args, read_only=True) as store:
        sys.stdout.write(format_results(store, args.query, args.format))
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    """Write the whole graph (N-Quads are sorted, so exports compare as text)."""
    with _open(args, read_only=True) as store:
        data = store.export(args.format)
    if args.output:
        Path(args.output).write_bytes(data)
    else:
        sys.stdout.buffer.write(data)
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    """Check the graph against ontology/shapes.ttl; exit 4 naming each violation."""
    from .validate import validate_store

    with _open(args, read_only=True) as store:
        messages = validate_store(store, include_contacts=args.include_contacts)
    if messages:
        raise ValidationError(messages)
    print("valid: the graph conforms to ontology/shapes.ttl")
    return EXIT_OK


def cmd_eval(args: argparse.Namespace) -> int:
    """Score the named queries against gold annotations (precision, recall, F1)."""
    from .evaluate import evaluate, report_table

    per_query, overall, failures = evaluate(args.gold_dir)
    for error in failures:
        print(f"error: {error}", file=sys.stderr)
    if args.show_errors:
        for name, score in per_query.items():
            for release, row in score.false_positives:
                print(f"extra   {name}: {list(row)}  ({release})", file=sys.stderr)
            for release, row in score.false_negatives:
                print(f"missing {name}: {list(row)}  ({release})", file=sys.stderr)
    sys.stdout.write(report_table(per_query, overall))
    if args.min_f1 is not None and overall.f1 < args.min_f1:
        print(f"error: overall F1 {overall.f1:.3f} is below {args.min_f1}", file=sys.stderr)
        return EXIT_INPUT
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the SPARQL endpoint, graph viewer and entity pages (waitress, read-only)."""
    import webapp

    config = {"KG_UPDATE_URL": args.update_url} if args.update_url else None
    webapp.serve(args.store, host=args.host, port=args.port, config=config)
    return EXIT_OK


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kg",
        description="Build, query, validate and serve the partnership graph.",
        epilog="exit codes: 0 success; 1 bad input (the good releases of a build are still "
        "ingested); 2 usage; 3 store cannot be opened, locked or written; 4 SHACL violations",
    )
    parser.add_argument(
        "--store",
        default=os.environ.get("KG_STORE", DEFAULT_STORE),
        help="store directory, or SPARQL query endpoint URL (env KG_STORE; default var/store)",
    )
    parser.add_argument(
        "--update-url",
        default=os.environ.get("KG_UPDATE_URL"),
        help="SPARQL update endpoint of a remote store (env KG_UPDATE_URL)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log diagnostics to stderr")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, func: Callable[[argparse.Namespace], int]) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=func.__doc__, description=func.__doc__)
        p.set_defaults(func=func)
        return p

    p = add("build", cmd_build)
    p.add_argument("paths", nargs="*", metavar="FILES_OR_DIRS")
    p.add_argument("--force", action="store_true", help="rebuild unchanged releases too")
    p.add_argument("--workers", type=int, default=None, help="extraction processes")
    p.add_argument(
        "--checkpoint-every",
        type=int,
        default=5000,
        metavar="N",
        help="embedded store: publish the releases written so far after about every N "
        "(a killed build loses at most the last N; default 5000)",
    )
    p.add_argument(
        "--curation",
        metavar="PATH",
        default=None,
        help="curation file of merges, splits, renames and retractions "
        "(default data/curation/curation.toml when present; '' for none)",
    )
    p.add_argument(
        "--no-validate",
        action="store_true",
        help="skip the per-release SHACL check (faster bulk loads; run `kg validate` after)",
    )
    p.add_argument(
        "--include-contacts",
        action="store_true",
        help="keep media contacts' phone numbers and e-mails (personal data; off by default)",
    )
    p = add("extract", cmd_extract)
    p.add_argument("file", metavar="FILE")
    p.add_argument("--format", choices=["json"], default="json")
    p.add_argument("--include-contacts", action="store_true", help="keep phone numbers/e-mails")
    p = add("query", cmd_query)
    p.add_argument("query", metavar="NAME|FILE.rq|SPARQL")
    p.add_argument(
        "--format", choices=["table", "csv", "tsv", "json", "turtle", "jsonld"], default="table"
    )
    p = add("serve", cmd_serve)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=5000)
    p = add("export", cmd_export)
    p.add_argument("--format", choices=["trig", "nquads", "turtle", "jsonld"], default="nquads")
    p.add_argument("-o", "--output", help="write to this file instead of stdout")
    p = add("validate", cmd_validate)
    p.add_argument(
        "--include-contacts",
        action="store_true",
        help="the graph was built with --include-contacts: do not flag contact details",
    )
    p = add("eval", cmd_eval)
    p.add_argument("gold_dir", metavar="GOLD_DIR")
    p.add_argument("--show-errors", action="store_true", help="list extra and missing rows")
    p.add_argument("--min-f1", type=float, default=None, help="exit 1 when overall F1 is lower")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (see the module docstring)."""
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING)
    try:
        return int(args.func(args))
    except ValidationError as exc:
        for message in exc.messages:
            print(f"invalid: {message}", file=sys.stderr)
        print(f"error: {len(exc.messages)} SHACL violation(s)", file=sys.stderr)
        return EXIT_INVALID
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_STORE
    except (InputError, QueryError, KgError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
