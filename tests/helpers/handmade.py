"""Hand-made facts for tests: evidence found in a release's text, and the entities that carry it.

:class:`Spans` is bound to one release text; each fact it makes carries the evidence of the
first occurrence of the words that state it (``Spans(text)("AHA")`` is the span of the first
"AHA"), so that mapped graphs point at real text and a changed text fails at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from kg.facts import Area, Evidence, Organisation, Person, RoleHolding, Signatory, Witness


@dataclass(frozen=True)
class Spans:
    """Evidence (and facts with it) for words of ``text``."""

    text: str

    def __call__(self, part: str, after: int = 0) -> Evidence:
        """The evidence for the first ``part`` at or after offset ``after``.

        :raises ValueError: ``part`` is not in the text there (the test's text changed)
        """
        start = self.text.index(part, after)
        return Evidence(start, start + len(part), part)

    def org(self, key: str, name: str, *aliases: str) -> Organisation:
        """An organisation, its name and each alias evidenced by their first mention."""
        return Organisation(
            key, name, list(aliases), [self(name)], {alias: self(alias) for alias in aliases}
        )

    def person(self, key: str, name: str, honorific: str, mention: str | None = None) -> Person:
        """A person evidenced by ``mention`` (by default the bare name)."""
        return Person(key, name, honorific, [self(mention or name)])

    def role(self, person: str, title: str, org: str | None, mention: str) -> RoleHolding:
        """``person`` holds ``title`` in ``org``, as ``mention`` states."""
        return RoleHolding(person, title, org, [self(mention)])

    def signatory(
        self,
        person: str,
        role: str,
        org: str | None,
        mention: str,
        on_behalf_of: str | None = None,
    ) -> Signatory:
        """``person`` signs, holding ``role`` in ``org``, as ``mention`` states."""
        return Signatory(person, role, org, on_behalf_of, [self(mention)])

    def witness(self, person: str, role: str, org: str | None, mention: str) -> Witness:
        """``person`` witnesses, holding ``role`` in ``org``, as ``mention`` states."""
        return Witness(person, role, org, [self(mention)])

    def area(self, label: str, group: str | None = None, after: int = 0) -> Area:
        """An area of the agreement, evidenced by its label's first occurrence after ``after``."""
        return Area(label, group, [self(label, after)])
