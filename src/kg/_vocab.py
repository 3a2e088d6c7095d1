"""The words and patterns the name rules read (rules as data, compiled on first use).

Organisation head nouns ("Authority", "University"), post nouns ("Chairman", "Director"),
honorifics that stack ("Ir Professor", "Dr the Hon", "Professor Sir"), function words that
start sentences but never names, and the patterns built from them.
"""

from __future__ import annotations

import re
from functools import cache


def words(text: str) -> frozenset[str]:
    """A word list written as one string (rules as data)."""
    return frozenset(text.split())


#: words that make a capitalised phrase an organisation's name
ORG_NOUNS = words(
    """
    Corporation Company Council Department Authority Hospital Hospitals University Institute
    Institution Bureau Commission Board Agency Centre Center Foundation Trust Society
    Association College Ltd Limited Inc Incorporated plc PLC LLP Group Office Ministry
    School Academy Laboratory Laboratories Alliance Federation Fund Bank Administration
    Consortium Organisation Organization Clinic Clinics Polytechnic Service Services Network
    Partners Pte Corp Holdings Pharmaceuticals Therapeutics Biotech Technologies Cluster
    Government Directorate Secretariat Unit Registry Council Commission Hub Institutes
    Relations Communications Partnership Initiative Programme
    """
)
#: head nouns that end one organisation's name and never a subject area: "X Institute of Y
#: and Z Corporation" names two organisations, "Department of Health and Human Services" one
NAME_HEADS = words(
    """
    Corporation Company Corp Ltd Limited Inc Incorporated plc PLC LLP Pte Holdings University
    Institute Hospital Authority Trust Foundation College Academy Society Association Agency
    Commission Council Bureau Ministry Department Clinic Laboratory Laboratories Polytechnic
    """
)
#: the words that end the name of a governed place whose government holds posts ("Vice
#: Governor of Guangdong Province"): named after "of", the place is the organisation
GOVERNED = words(
    """
    Province Municipality Prefecture County
    """
)
#: posts held in a place: "Mayor of X" names the place X, even when the text says no more
PLACE_POSTS = words(
    """
    Mayor Mayoress Governor Premier
    """
)
#: legal-form suffixes: a comma before them still ends a title ("CEO, Acme Ltd")
LEGAL = words(
    """
    Ltd Limited Inc plc PLC LLP Pte Corp Corporation Company
    """
)
#: words that make a capitalised phrase a post's title
ROLE_NOUNS = words(
    """
    Chairman Chairperson Chairwoman Chair Chief Executive Director Secretary President Head
    Officer Manager Professor Dean Minister Commissioner Controller Principal Vice Deputy
    Founder CEO COO CFO CTO CMO CIO CSO Partner Lead Leader Consultant Governor Provost
    Registrar Superintendent Adviser Advisor Ambassador Mayor Member Trustee Convenor
    Treasurer Permanent Undersecretary Counsellor Consul Administrator Coordinator Co-ordinator
    Chancellor Vice-Chancellor Vice-President Co-founder Surgeon Physician Senior
    Acting Assistant
    """
)
CONN = frozenset({"of", "and", "for", "the", "&", "de", "in", "on"})
#: capitalised words that start sentences but never names
FUNCTION_WORDS = words(
    """
    The A An This That These Those In On At By With Through For From To As Both Today
    Yesterday Under Meanwhile Also And But Speaking Witnessed Photo About During After
    Before Following Our We Its Their His Her If When While More Further Its It He She They
    Mr Ms Dr Mrs Page Tel Email Fax Media Contact Contacts Press Release For Immediate Under
    Also Between Among Each Since Some All Such Other Following Last Next
    """
)
#: tokens that end a name ("Dr Tan On Monday" is rare; "Mr Ray The" is a sentence break)
NAME_STOP = words(
    """
    The A An And But In On At By With For From As Today Yesterday Photo Page Tel Email
    """
)
MONTH_WORDS = words(
    """
    January February March April May June July August September October November December
    """
)
POSTNOMINALS = (
    "JP|SBS|BBS|MH|GBS|GBM|OBE|MBE|CBE|KBE|DBE|PhD|MD|FRCP|FRCS|FHKAM|OStJ|SC|KC|QC|BH|PDSM"
)
AGREEMENT_WORDS = re.compile(r"Memorandum|Agreement|Letter of Intent|Understanding", re.I)

#: one honorific; they stack ("Ir Professor", "Professor Sir", "Dr the Hon", "the Hon Mrs")
HON_ONE = (
    r"(?:[Tt]he\s+Hon(?:ourable|\.)?|(?:Associate|Assistant|Adjunct|Clinical|Emeritus|Honorary)"
    r"\s+Professor|Professor|Prof\.?|Dr\.?|Mr\.?|Mrs\.?|Ms\.?|Miss|Sir|Dame|Ir|Mdm\.?|Madam"
    r"|Lord|Lady|Baroness|Baron)"
)
#: honorifics that may follow another one
HON_NEXT = r"(?:the\s+Hon(?:ourable|\.)?|Sir|Dame|Dr\.?|Prof\.?|Professor|Mr\.?|Mrs\.?|Ms\.?)"
HON = rf"(?:{HON_ONE}(?:\s+{HON_NEXT}(?=\s+[A-Z]))*)"
TOK = r"(?:(?:Mc|Mac|O['\u2019])?[A-Z][a-z]+(?:[-'\u2019][A-Za-z][a-z]*)*|[A-Z]\.)"
TOKEN = re.compile(r"[A-Za-z][\w&'\u2019.-]*[\w&]|[A-Za-z]|\S")


@cache
def patterns() -> dict[str, re.Pattern[str]]:
    """The compiled patterns, built on first use."""
    word = r"[A-Z][A-Za-z0-9&'\u2019-]*"
    cap = r"[A-Z][\w&.-]*"
    gap = r"[ \t]*\n?[ \t]*"
    return {
        "acr": re.compile(
            r"\(\s*(?:the\s+)?[\"\u201c]?(?P<acr>[A-Z][A-Za-z0-9&*.-]{1,11})[\"\u201d]?\s*\)"
        ),
        "caps": re.compile(r"(?<![\w&])[A-Z][A-Z&]{1,9}(?![\w&])"),
        "phrase": re.compile(
            rf"(?<![\w&'\u2019-]){word}(?:{gap}(?:(?:of|and|for|the|de|&){gap})*{word})*"
        ),
        "person": re.compile(rf"(?<![\w])(?P<hon>{HON})\s+(?P<name>{TOK}(?:[ \t]+{TOK}){{0,3}})"),
        "bare": re.compile(
            rf"(?<![\w&'\u2019.-])(?P<name>{TOK}(?:[ \t]+{TOK}){{1,2}}),"
            r"[ \t]+(?=(?:the[ \t]+)?[A-Z]"
            r"|[a-z][a-z-]*(?:[ \t]+[a-z][a-z-]*){0,5}[ \t]+(?:of|at)\s)"  # "X, chief executive of"
        ),
        # a name right after a comma, before a comma or a verb (not a name going on: "Head,
        # Health Informatics and Technology Office"): "the Trust's chief executive, Mark
        # Ellery, said"
        "bare_titled": re.compile(
            rf"(?<=,[ \t])(?P<name>{TOK}(?:[ \t]+{TOK}){{1,2}})"
            r"(?=[ \t]*[,.;:]|[ \t]+(?!(?:and|of|for|the|de|in|on|at)\b)[a-z])"
        ),
        # a post in lower case before a comma, with its organisation: "the Trust's chief
        # executive," / "the university's vice-chancellor," / "chief executive of the Trust,"
        "lower_title": re.compile(
            rf"(?:(?<![\w-])[Tt]he[ \t]+(?P<head>[a-z]+)['\u2019]s[ \t]+"
            rf"|(?P<pos>{cap}(?:[ \t]+(?:(?:of|and|for|&)[ \t]+)?{cap}){{0,8}})['\u2019]s[ \t]+"
            r"|(?<![\w-])[Tt]he[ \t]+)"
            r"(?P<post>[a-z][a-z-]*(?:[ \t]+[a-z][a-z-]*){0,5}?)"
            rf"(?:[ \t]+(?:of|at)[ \t]+(?P<of>(?:the[ \t]+)?{cap}"
            rf"(?:[ \t]+(?:(?:of|and|for|&)[ \t]+)?{cap}){{0,8}}))?,[ \t]*\Z"
        ),
        # "X, chief executive of the Trust," / "X, chief nurse at the hospital,"
        "lower_right": re.compile(
            r"(?P<post>[a-z][a-z-]*(?:[ \t]+[a-z][a-z-]*){0,5}?)[ \t]+(?:of|at)[ \t]+"
            rf"(?P<of>(?:the[ \t]+)?{cap}(?:[ \t]+(?:(?:of|and|for|&)[ \t]+)?{cap}){{0,8}}"
            r"|the[ \t]+[a-z]+)"
            r"(?=[ \t]*[,.;:)]|[ \t]+[a-z])"
        ),
        "skip": re.compile(
            rf"(?:\s*\([^()\n]{{0,40}}\))*(?:,\s*(?:{POSTNOMINALS})\b)*(?:\s*\([^()\n]{{0,40}}\))*"
        ),
        "hon_start": re.compile(rf"{HON}\s+[A-Z]"),
    }


def is_capword(tok: str) -> bool:
    return tok[:1].isupper()
