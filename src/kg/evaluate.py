"""Scoring extraction against gold annotations: ``kg eval GOLD_DIR``.

Gold format
-----------
A gold file is JSON that lists, for each of the eight named queries, the rows the release
should produce, with exactly the named query's columns, in order::

    {
      "agreements":  [["Memorandum of Understanding between A and B", "MOU", "2024-05-09",
                       "Hong Kong", "P3Y"]],
      "parties":     [["Memorandum of Understanding between A and B", "A"], ...],
      "signatories": [[agreement, person, role, organisation], ...],
      "witnesses":   [[agreement, person, role, organisation], ...],
      "areas":       [[agreement, area], ...],
      "roles":       [[person, role, organisation], ...],
      "aliases":     [[organisation, alias], ...],
      "speakers":    [[release title, person], ...]
    }

Use ``""`` for a value the release does not state. A missing key means "not annotated": that
query is not scored for the release (an empty list means "no rows expected"). The agreement
label is the agreement's own title when it has one, else ``"<Type> between A, B and C"`` with
the parties in order of first mention (see :func:`kg.mapping.agreement_label`).

Where gold files live: for a release ``x.txt`` (or ``.pdf``/``.html``), ``x.gold.json``
beside it; or, in a folder holding one release, ``expected.json`` beside it (the layout of
``tests/cases/<id>/``). Releases without gold are ignored.

Scores: each release is built into a fresh in-memory store, each named query run, and its
rows compared with the gold rows as sets, after normalising case, whitespace, dashes and
quotes. Precision, recall and F1 are micro-averaged per query over all releases, and overall
over all queries.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .build import RELEASE_SUFFIXES, build
from .errors import InputError
from .query import NAMED_QUERIES, rows
from .store import EmbeddedStore

__all__ = ["Score", "evaluate", "find_gold", "normalise", "score_rows"]


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    #: (release, row) pairs that were wrong or missing, for reports
    false_positives: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    false_negatives: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: Score) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        self.false_positives += other.false_positives
        self.false_negatives += other.false_negatives


def normalise(value: str) -> str:
    """Compare values loosely: NFKC, case-folded, unified dashes/quotes, single spaces.

    >>> normalise("  Co\u2013operation  Agreement ")
    'co-operation agreement'
    """
    value = unicodedata.normalize("NFKC", value)
    value = re.sub(r"[\u2010-\u2015\u2212]", "-", value)
    value = re.sub(r"[\u2018\u2019]", "'", value)
    value = re.sub(r"[\u201c\u201d]", '"', value)
    return " ".join(value.split()).casefold()


def score_rows(
    predicted: Iterable[Iterable[str]], gold: Iterable[Iterable[str]], release: str = ""
) -> Score:
    """Set comparison of rows after :func:`normalise`.

    >>> s = score_rows([["A", "b"], ["c", "d"]], [["a", "B"], ["e", "f"]])
    >>> (s.tp, s.fp, s.fn)
    (1, 1, 1)
    """
    pred = {tuple(normalise(v) for v in row) for row in predicted}
    want = {tuple(normalise(v) for v in row) for row in gold}
    return Score(
        tp=len(pred & want),
        fp=len(pred - want),
        fn=len(want - pred),
        false_positives=[(release, r) for r in sorted(pred - want)],
        false_negatives=[(release, r) for r in sorted(want - pred)],
    )


def find_gold(gold_dir: str | Path) -> list[tuple[Path, Path]]:
    """(release file, gold file) pairs under ``gold_dir``, sorted.

    :raises InputError: when ``gold_dir`` is missing or holds no annotated release
    """
    root = Path(gold_dir)
    if not root.is_dir():
        raise InputError(root, "no such directory")
    pairs = []
    for release in sorted(p for p in root.rglob("*") if p.suffix.lower() in RELEASE_SUFFIXES):
        beside = release.with_name(release.stem + ".gold.json")
        folder = release.parent / "expected.json"
        if beside.is_file():
            pairs.append((release, beside))
        elif folder.is_file():
            pairs.append((release, folder))
    if not pairs:
        raise InputError(root, "no release with a gold file (<stem>.gold.json or expected.json)")
    return pairs


def _load_gold(path: Path) -> dict[str, list[list[str]]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(path, f"not a readable gold file: {exc}") from exc
    if not isinstance(data, dict):
        raise InputError(path, "a gold file is a JSON object keyed by named query")
    for name, table in data.items():
        if name not in NAMED_QUERIES:
            raise InputError(path, f"unknown named query {name!r}")
        width = len(NAMED_QUERIES[name])
        if not isinstance(table, list) or any(
            not isinstance(r, list) or len(r) != width for r in table
        ):
            raise InputError(path, f"{name}: every row must be a list of {width} strings")
    return data


def evaluate(gold_dir: str | Path) -> tuple[dict[str, Score], Score, list[str]]:
    """Score every annotated release under ``gold_dir``.

    :returns: per-query scores, the overall score, and one line per release that failed to build
    :raises InputError: when the folder or a gold file is unusable
    """
    per_query = {name: Score() for name in NAMED_QUERIES}
    failures: list[str] = []
    for release, gold_path in find_gold(gold_dir):
        gold = _load_gold(gold_path)
        with EmbeddedStore(None) as store:
            report = build(store, [release], workers=1)
            failures += [error for _, error in report.failed]
            for name, expected in gold.items():
                _, got = rows(store, name) if report.built else ([], [])
                per_query[name].add(score_rows(got, expected, release=str(release)))
    overall = Score()
    for score in per_query.values():
        overall.add(score)
    return per_query, overall, failures


def report_table(per_query: dict[str, Score], overall: Score) -> str:
    """The scores as a Markdown table."""
    lines = [
        "| query | precision | recall | F1 | tp | fp | fn |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, s in [*per_query.items(), ("overall", overall)]:
        figures = f"{s.precision:.3f} | {s.recall:.3f} | {s.f1:.3f} | {s.tp} | {s.fp} | {s.fn}"
        lines.append(f"| {name} | {figures} |")
    return "\n".join(lines) + "\n"
