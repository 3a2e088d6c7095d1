"""Curation: reviewed corrections to the extracted facts, applied on every build.

The file (``data/curation/curation.toml`` by default, format in ``data/curation/README.md``)
lists rules of four operations, applied to each release's facts between extraction and
mapping, so the graph and the store never hold uncurated facts:

``split``
    a key that wrongly joins two entities: in the given releases the entity gets a new key
``merge``
    several keys are one entity: they become the ``into`` key, their names its aliases
``rename``
    change the display name of a key; the old name stays as an alias
``retract``
    drop one fact: an agreement, a party link, a role, an alias, a speaker, a signatory,
    a witness or an area

Rules run in that order (splits first, so a split can separate a key that a merge then
joins), and in file order within an operation. Entities are named as ``org:KEY`` or
``person:KEY``; a name may stand for its key (``org:Hospital Authority`` is
``org:hospital-authority``), because keys are slugs of names (:func:`kg.facts.slug`).

The file is checked whole: :func:`parse` raises one :class:`CurationError` listing every bad
rule with its number and line. A rule whose keys are in no release of a build is not an
error (a build of one new release must not fail because the file speaks of others); the
build reports it (see :meth:`Curation.unused`).

Example::

    >>> from kg.facts import Organisation, ReleaseFacts, ReleaseInfo
    >>> cur = parse('[[rename]]\\nkey = "org:ha"\\nname = "Hospital Authority"\\n')
    >>> facts = ReleaseFacts(ReleaseInfo("r1"), organisations=[Organisation("ha", "HA")])
    >>> org = apply(cur, facts).organisations[0]
    >>> org.key, org.name, org.aliases
    ('ha', 'Hospital Authority', ['HA'])
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._curate import apply_rule, mentions
from .errors import InputError
from .facts import ReleaseFacts, slug

__all__ = [
    "DEFAULT_PATH",
    "OPERATIONS",
    "RETRACTABLE",
    "Curation",
    "CurationError",
    "Rule",
    "Trace",
    "apply",
    "curate",
    "load",
    "parse",
]

#: Where ``kg build`` looks for the curation file when ``--curation`` is not given.
DEFAULT_PATH = Path("data/curation/curation.toml")
#: The operations, in the order they are applied.
OPERATIONS = ("split", "merge", "rename", "retract")
#: Fact kinds ``retract`` can drop -> the fields each requires (``releases``, ``reason``
#: and the optional ones of :data:`_RETRACT_OPTIONAL` aside).
RETRACTABLE: dict[str, tuple[str, ...]] = {
    "agreement": ("agreement",),
    "party": ("organisation",),
    "role": ("person", "title"),
    "alias": ("organisation", "alias"),
    "speaker": ("person",),
    "signatory": ("person",),
    "witness": ("person",),
    "area": ("area",),
}
_RETRACT_OPTIONAL = {
    "agreement": (),
    "party": ("agreement",),
    "role": ("organisation",),
    "alias": (),
    "speaker": (),
    "signatory": ("agreement",),
    "witness": ("agreement",),
    "area": ("agreement",),
}
_FIELDS = {
    "merge": (("into", "others", "name"), ()),
    "split": (("key", "releases", "new_key"), ("name",)),
    "rename": (("key", "name"), ()),
}
_KINDS = {"org": "org", "organisation": "org", "organization": "org", "person": "person"}
_HEADER = re.compile(r"^\s*\[\[\s*([A-Za-z0-9_-]+)\s*\]\]")
_REF_FIELDS = ("into", "key", "organisation", "person")


class CurationError(InputError):
    """A curation file that cannot be used: every bad rule, one message each.

    :param path: the curation file
    :param problems: one line per bad rule, e.g. ``"rule 3 (merge), line 12: ..."``
    """

    def __init__(self, path: str | Path, problems: list[str]) -> None:
        self.problems = problems
        count = f"{len(problems)} bad rule" + ("s" if len(problems) != 1 else "")
        super().__init__(Path(path).name, f"{count}: " + "; ".join(problems))


@dataclass(frozen=True)
class Rule:
    """One rule of the file, its values normalised (references as ``kind:key``).

    ``number`` counts the rules in file order from 1; ``line`` is the line of its
    ``[[op]]`` header (None for inline tables).
    """

    number: int
    op: str
    line: int | None
    values: tuple[tuple[str, Any], ...]

    def get(self, name: str, default: Any = None) -> Any:
        """The value of field ``name`` (references are ``"org:key"`` strings)."""
        return dict(self.values).get(name, default)

    @property
    def where(self) -> str:
        """``"rule 3 (merge), line 12"``: how messages name the rule."""
        at = f", line {self.line}" if self.line else ""
        return f"rule {self.number} ({self.op}){at}"

    def refs(self) -> list[str]:
        """The entity references the rule names, ``"org:key"`` or ``"person:key"``."""
        out = [self.get(f) for f in _REF_FIELDS if self.get(f)]
        return out + list(self.get("others", ()))

    def digest(self) -> str:
        """Identifies what the rule does (not where it sits in the file)."""
        body = json.dumps([self.op, [[k, v] for k, v in self.values if k != "reason"]])
        return hashlib.sha256(body.encode()).hexdigest()[:12]


@dataclass(frozen=True)
class Trace:
    """What curation did to one release.

    :ivar applied: numbers of the rules that changed the release's facts
    :ivar found: references (``org:k``, ``person:k``, ``release:k``) of the curation file
        that the release's extracted facts contain
    :ivar fingerprint: identifies the applied rules; empty when none applied. The build
        adds it to the release's fingerprint, so editing a rule rebuilds exactly the
        releases it changes (or changed)
    """

    applied: tuple[int, ...] = ()
    found: frozenset[str] = frozenset()
    fingerprint: str = ""


@dataclass(frozen=True)
class Curation:
    """A validated curation file: its rules and where it came from."""

    rules: tuple[Rule, ...] = ()
    path: str | None = None
    #: sha256 of the file's bytes (empty for no file)
    sha256: str = ""

    def ordered(self) -> tuple[Rule, ...]:
        """The rules in application order: by :data:`OPERATIONS`, then file order."""
        return tuple(sorted(self.rules, key=lambda r: (OPERATIONS.index(r.op), r.number)))

    def unused(self, traces: list[Trace]) -> list[str]:
        """One note per rule that changed no release of a build.

        :param traces: the :class:`Trace` of every release of the build
        :returns: e.g. ``"rule 2 (merge), line 9: changed nothing in the 3 release(s) of
            this build; not in any of them: person:wong"``
        """
        applied = {n for t in traces for n in t.applied}
        found = set().union(*(t.found for t in traces)) if traces else set()
        notes = []
        for rule in self.rules:
            if rule.number in applied:
                continue
            wanted = rule.refs() + [f"release:{r}" for r in rule.get("releases", ())]
            missing = [r for r in wanted if r not in found]
            why = f"; not in any of them: {', '.join(missing)}" if missing else ""
            notes.append(
                f"{rule.where}: changed nothing in the {len(traces)} release(s) of this build{why}"
            )
        return notes


def parse(text: str, *, path: str | Path = "curation.toml") -> Curation:
    """Parse and validate a curation file's text.

    :param text: the TOML text
    :param path: the file's name, for messages
    :raises CurationError: listing every bad rule (or the TOML syntax error)
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CurationError(path, [f"not valid TOML: {exc}"]) from None
    headers = [
        (m.group(1), n) for n, ln in enumerate(text.splitlines(), 1) if (m := _HEADER.match(ln))
    ]
    problems: list[str] = []
    raw: list[tuple[str, int | None, Any]] = []
    seen: dict[str, int] = {}
    for op, line in headers:
        tables = data.get(op)
        index = seen.get(op, 0)
        seen[op] = index + 1
        if isinstance(tables, list) and index < len(tables):
            raw.append((op, line, tables[index]))
    for op, value in data.items():
        tables = value if isinstance(value, list) else [value]
        for entry in tables[seen.get(op, 0) :]:
            raw.append((op, None, entry))
    rules = []
    for number, (op, at, entry) in enumerate(raw, 1):
        rule, errors = _check(number, op, at, entry)
        where = f"rule {number} ({op})" + (f", line {at}" if at else "")
        problems += [f"{where}: {'; '.join(errors)}"] if errors else []
        if rule:
            rules.append(rule)
    problems += _conflicts(rules)
    if problems:
        raise CurationError(path, problems)
    digest = hashlib.sha256(text.encode()).hexdigest()
    return Curation(tuple(rules), str(path), digest)


def load(path: str | Path) -> Curation:
    """Read and validate a curation file.

    :raises CurationError: when the file cannot be read or has bad rules
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeError) as exc:
        raise CurationError(path, [f"cannot be read: {exc}"]) from None
    return parse(text, path=path)


def curate(curation: Curation | None, facts: ReleaseFacts) -> tuple[ReleaseFacts, Trace]:
    """Apply the curation to one release's facts; the input is left as it was.

    :param curation: the validated file (None: no curation)
    :param facts: a release's facts as extracted
    :returns: the curated facts and a :class:`Trace` of what changed
    """
    if curation is None or not curation.rules:
        return facts, Trace()
    found = frozenset(mentions(facts, [r for rule in curation.rules for r in rule.refs()]))
    if any(facts.release.key in rule.get("releases", ()) for rule in curation.rules):
        found |= {f"release:{facts.release.key}"}
    work, applied = facts, []
    for rule in curation.ordered():
        changed = apply_rule(rule, work)
        if changed is not None:
            work = changed
            applied.append(rule)
    digest = hashlib.sha256(" ".join(r.digest() for r in applied).encode()).hexdigest()[:12]
    trace = Trace(tuple(sorted(r.number for r in applied)), found, digest if applied else "")
    return work, trace


def apply(curation: Curation | None, facts: ReleaseFacts) -> ReleaseFacts:
    """The curated facts of one release (see :func:`curate`); pure."""
    return curate(curation, facts)[0]


def _ref(value: Any, name: str) -> tuple[str | None, str | None]:
    """``("org:key", None)`` or ``(None, problem)``."""
    if not isinstance(value, str) or ":" not in value:
        return None, f"{name} must be a string 'org:KEY' or 'person:KEY', not {value!r}"
    kind, _, rest = value.partition(":")
    if kind.strip().lower() not in _KINDS or not rest.strip():
        return None, f"{name} {value!r}: say 'org:KEY' or 'person:KEY'"
    return f"{_KINDS[kind.strip().lower()]}:{slug(rest)}", None


def _check(number: int, op: str, line: int | None, entry: Any) -> tuple[Rule | None, list[str]]:
    """Validate one rule; returns the rule (None when bad) and its problems."""
    if op not in OPERATIONS:
        return None, [f"unknown operation {op!r}; the operations are {', '.join(OPERATIONS)}"]
    if not isinstance(entry, dict):
        return None, [f"write the rule as a [[{op}]] table"]
    if op == "retract":
        fact = entry.get("fact")
        if fact not in RETRACTABLE:
            return None, [f"fact must be one of {', '.join(RETRACTABLE)}, not {fact!r}"]
        required, optional = RETRACTABLE[fact], _RETRACT_OPTIONAL[fact] + ("fact", "releases")
    else:
        required, optional = _FIELDS[op]
        optional += ("releases",) if op != "split" else ()
    errors = [
        f"unknown field {k!r}; expected {', '.join(required + optional)}"
        for k in entry
        if k not in required + optional + ("reason",)
    ]
    errors += [f"missing field {k!r}" for k in required if k not in entry]
    values: dict[str, Any] = {}
    for name, value in entry.items():
        if name in _REF_FIELDS:
            ref, problem = _ref(value, name)
            errors += [problem] if problem else []
            values[name] = ref
        elif name == "others":
            items = value if isinstance(value, list) else [value]
            refs = [_ref(v, "others") for v in items]
            errors += [p for _, p in refs if p]
            values[name] = tuple(r for r, _ in refs if r)
            errors += [] if items else ["others must name at least one key"]
        elif name == "releases":
            if not (isinstance(value, list) and value and all(isinstance(v, str) for v in value)):
                errors.append("releases must be a non-empty list of release ids (file stems)")
            else:
                values[name] = tuple(value)
        elif name == "new_key":
            if not isinstance(value, str) or not value.strip():
                errors.append("new_key must be a non-empty string")
            else:
                values[name] = slug(value.partition(":")[2] if ":" in value else value)
        elif not isinstance(value, str) or not value.strip():
            errors.append(f"{name} must be a non-empty string")
        else:
            values[name] = value.strip()
    rule = Rule(number, op, line, tuple(sorted(values.items())))
    if not errors:
        errors += _sense(rule)
    return (None if errors else rule), errors


def _sense(rule: Rule) -> list[str]:
    """Checks of one well-formed rule that need several of its fields."""
    if rule.op == "merge":
        into, others = rule.get("into"), rule.get("others")
        if len({r.partition(":")[0] for r in (into, *others)}) > 1:
            return ["merges organisations with people"]
        if into in others:
            return [f"{into} is merged into itself"]
    if rule.op == "split" and rule.get("new_key") == rule.get("key").partition(":")[2]:
        return [f"new_key is the key being split ({rule.get('new_key')})"]
    if rule.op == "retract":
        for name, kind in (("organisation", "org:"), ("person", "person:")):
            ref = rule.get(name)
            if ref and not ref.startswith(kind):
                return [f"{name} must be a {kind}KEY reference, not {ref}"]
    return []


def _conflicts(rules: list[Rule]) -> list[str]:
    """Problems between rules: a key merged twice, or merged away and used as a target."""
    problems = []
    merged: dict[str, Rule] = {}
    for rule in rules:
        if rule.op != "merge":
            continue
        for ref in rule.get("others"):
            if ref in merged:
                problems.append(f"{rule.where}: {ref} is already merged by {merged[ref].where}")
            merged.setdefault(ref, rule)
    for rule in rules:
        target = rule.get("into") if rule.op == "merge" else None
        target = target or (rule.get("key") if rule.op in ("rename", "split") else None)
        if target in merged and merged[target] is not rule:
            problems.append(
                f"{rule.where}: {target} is merged away by {merged[target].where}; "
                f"name {merged[target].get('into')} instead"
            )
    return problems
