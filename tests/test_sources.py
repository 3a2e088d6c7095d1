"""Tests of the reading step, :mod:`kg.sources`: real files in ``tmp_path``, no mocks."""

from __future__ import annotations

import re
import shutil
import unicodedata
from datetime import date
from pathlib import Path

import pytest
from fixtures.make_fixtures import latin1, make_html, make_pdf
from fpdf import FPDF
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.errors import InputError
from kg.sources import Document, read_release, read_text

SEED = Path(__file__).resolve().parents[1] / "data" / "releases" / "000_6ab14cd06da14410.txt"
PHONE = re.compile(r"\+?\d[\d ()-]{6,}\d")
EMAIL = re.compile(r"\S+@\S+")


@pytest.fixture(scope="module")
def seed() -> Document:
    return read_release(SEED)


def _body_paragraphs(doc: Document) -> list[str]:
    """Body paragraphs compared across formats: plain punctuation, single spaces."""
    return [" ".join(latin1(doc.text[a:b]).split()) for a, b in doc.paragraphs("body")]


def _check_invariants(doc: Document) -> None:
    ends = 0
    for section in doc.sections:
        assert ends <= section.start < section.end <= len(doc.text), section
        text = doc.section_text(section)
        assert text == text.strip(), section
        ends = section.end


# -- bad input: one test each, the message names the file and the problem --------------------


def _bad(path: Path, problem: str) -> None:
    with pytest.raises(InputError) as caught:
        read_release(path)
    assert path.name in str(caught.value)
    assert problem in str(caught.value)


def test_missing_file(tmp_path: Path) -> None:
    _bad(tmp_path / "nowhere.txt", "no such file")


def test_directory(tmp_path: Path) -> None:
    (tmp_path / "releases.txt").mkdir()
    _bad(tmp_path / "releases.txt", "is a directory")


def test_empty_file(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    _bad(tmp_path / "empty.txt", "empty file")


def test_whitespace_only_file(tmp_path: Path) -> None:
    (tmp_path / "blank.txt").write_text(" \n\t\n\r\n  ")
    _bad(tmp_path / "blank.txt", "empty file")


def test_only_page_markers(tmp_path: Path) -> None:
    (tmp_path / "pages.txt").write_text("Page 1 of 2\n\n\u00a0\n\nPage 2 of 2\n")
    _bad(tmp_path / "pages.txt", "no text")


def test_nul_bytes(tmp_path: Path) -> None:
    (tmp_path / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    _bad(tmp_path / "image.txt", "binary data (NUL bytes)")


def test_mostly_non_printable(tmp_path: Path) -> None:
    (tmp_path / "noise.txt").write_bytes(bytes(range(1, 9)) * 40 + b"some words")
    _bad(tmp_path / "noise.txt", "control characters")


def test_not_utf8_names_the_offset(tmp_path: Path) -> None:
    (tmp_path / "latin1.txt").write_bytes("DH signs MOU\n\nCaf\u00e9 opens".encode("latin-1"))
    _bad(tmp_path / "latin1.txt", "not valid UTF-8 (byte 0xe9 at offset 17)")


def test_unsupported_extension(tmp_path: Path) -> None:
    (tmp_path / "release.docx").write_bytes(b"PK\x03\x04")
    _bad(tmp_path / "release.docx", "unsupported file type '.docx'")


def test_pdf_that_cannot_be_parsed(tmp_path: Path) -> None:
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 9 0 R")
    _bad(tmp_path / "broken.pdf", "cannot be parsed as PDF")


def test_pdf_without_header(tmp_path: Path) -> None:
    (tmp_path / "fake.pdf").write_text("just some text, not a PDF at all")
    _bad(tmp_path / "fake.pdf", "not a PDF")


def test_pdf_without_text_layer(tmp_path: Path) -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 150, style="F")  # a "scanned" page: graphics, no text
    pdf.output(str(tmp_path / "scan.pdf"))
    _bad(tmp_path / "scan.pdf", "no text layer")


def test_html_without_main_content(tmp_path: Path) -> None:
    page = (
        "<html><head><title>News</title><script>var x = 'a long script text';</script></head>"
        "<body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
        "<div class='cookie-banner'>We use cookies to make this site work better.</div>"
        "<footer>Copyright</footer></body></html>"
    )
    (tmp_path / "shell.html").write_text(page)
    _bad(tmp_path / "shell.html", "no main content")


def test_sidecar_bad_json(tmp_path: Path) -> None:
    shutil.copy(SEED, tmp_path / "r.txt")
    (tmp_path / "r.meta.json").write_text('{"published": "2023-08-18",}')
    with pytest.raises(InputError, match=r"r\.meta\.json: not valid JSON"):
        read_release(tmp_path / "r.txt")


def test_sidecar_published_not_iso(tmp_path: Path) -> None:
    shutil.copy(SEED, tmp_path / "r.txt")
    (tmp_path / "r.meta.json").write_text('{"published": "18/08/2023"}')
    with pytest.raises(InputError, match=r"r\.meta\.json: sidecar 'published' is not an ISO date"):
        read_release(tmp_path / "r.txt")


def test_sidecar_unknown_field(tmp_path: Path) -> None:
    shutil.copy(SEED, tmp_path / "r.txt")
    (tmp_path / "r.meta.json").write_text('{"pubished": "2023-08-18"}')
    with pytest.raises(
        InputError, match=r"r\.meta\.json: unknown sidecar field\(s\) \['pubished'\]"
    ):
        read_release(tmp_path / "r.txt")


# -- the seed ----------------------------------------------------------------------------------


def test_seed_key_meta_and_hash(seed: Document) -> None:
    assert seed.key == "000_6ab14cd06da14410"
    assert seed.meta["published"] == "2023-08-18"
    assert seed.source_file == str(SEED)
    assert seed.content_hash is not None and len(seed.content_hash) == 64


def test_seed_sections(seed: Document) -> None:
    _check_invariants(seed)
    kinds = [s.kind for s in seed.sections]
    assert kinds == [
        "masthead",
        "title",
        "highlights",
        "body",
        *["caption"] * 4,
        "about",
        "contacts",
    ]
    (title,) = seed.sections_of("title")
    assert seed.section_text(title) == seed.title
    assert seed.title == "HKSTP and DH sign MOU to drive digital transformation in public health"
    (highlights,) = seed.sections_of("highlights")
    assert len(seed.section_text(highlights).split("\n")) == 3
    (body,) = seed.sections_of("body")
    assert seed.section_text(body).startswith("(Hong Kong, 18 August 2023)")
    assert seed.section_text(body).endswith("contribute to building a healthy Hong Kong.")
    captions = [seed.section_text(s) for s in seed.sections_of("caption")]
    assert [c[:8] for c in captions] == ["Photo 1:", "Photo 2:", "Photo 3:", "Photo 4:"]
    (about,) = seed.sections_of("about")
    assert about.heading == "Hong Kong Science and Technology Parks Corporation"
    assert seed.section_text(about).endswith("available at www.hkstp.org.")
    (contacts,) = seed.sections_of("contacts")
    assert seed.section_text(contacts).startswith("Media Contact:")
    assert contacts.end == len(seed.text)


def test_seed_masthead_and_publisher(seed: Document) -> None:
    (masthead,) = seed.sections_of("masthead")
    assert seed.section_text(masthead).endswith("For Immediate Release")
    assert seed.publisher == "Department of Health"
    # the masthead repeated as a page header near the end is dropped
    assert seed.text.count("Department of Health\n") == 1


def test_seed_dateline(seed: Document) -> None:
    assert (seed.dateline_place, seed.dateline_date) == ("Hong Kong", date(2023, 8, 18))
    assert seed.dateline_span is not None
    assert seed.text[slice(*seed.dateline_span)] == "(Hong Kong, 18 August 2023)"


def test_seed_page_markers_gone_and_paragraph_rejoined(seed: Document) -> None:
    assert "Page " not in seed.text
    assert "\n\n\n" not in seed.text
    assert (
        "which have been developing rapidly in Hong Kong in recent years, will bring" in seed.text
    )
    assert seed.text == unicodedata.normalize("NFC", seed.text)
    assert all(line == line.rstrip() for line in seed.text.split("\n"))


def test_seed_contacts_are_redacted(seed: Document) -> None:
    contacts = seed.section_text(seed.sections_of("contacts")[0])
    assert "Angela Lau" in contacts and "Edelman Public Relations" in contacts
    assert "Hong Kong Science and Technology Parks Corporation" in contacts  # bold span joined
    assert not PHONE.search(seed.text)
    assert not EMAIL.search(seed.text)
    assert "Tel" not in contacts and "Email" not in contacts


def test_seed_contacts_kept_on_request() -> None:
    doc = read_release(SEED, include_contacts=True)
    assert "Tel: +852 2629 6633" in doc.text
    assert "angela.lau@hkstp.org" in doc.text
    assert doc.sections_of("contacts")


def test_sidecar_change_changes_hash(tmp_path: Path) -> None:
    shutil.copy(SEED, tmp_path / "r.txt")
    bare = read_release(tmp_path / "r.txt").content_hash
    (tmp_path / "r.meta.json").write_text('{"published": "2023-08-18"}')
    first = read_release(tmp_path / "r.txt").content_hash
    (tmp_path / "r.meta.json").write_text('{"published": "2023-08-19"}')
    assert len({bare, first, read_release(tmp_path / "r.txt").content_hash}) == 3


# -- PDF and HTML renderings of the seed give the same paragraphs ------------------------------


@pytest.mark.parametrize("suffix", [".pdf", ".html"])
def test_pdf_and_html_match_the_text(tmp_path: Path, seed: Document, suffix: str) -> None:
    text = SEED.read_text(encoding="utf-8")
    path = tmp_path / f"seed{suffix}"
    if suffix == ".pdf":
        make_pdf(text, path)
    else:
        path.write_text(make_html(text), encoding="utf-8")
    doc = read_release(path)
    _check_invariants(doc)
    assert doc.title == seed.title
    assert (doc.dateline_place, doc.dateline_date) == ("Hong Kong", date(2023, 8, 18))
    assert _body_paragraphs(doc) == _body_paragraphs(seed)
    assert len(doc.sections_of("caption")) == 4
    assert [s.heading for s in doc.sections_of("about")] == [seed.sections_of("about")[0].heading]
    assert not EMAIL.search(doc.text) and not PHONE.search(doc.text)
    for noise in ("Page 2", "Department of Health - Press", "cookies", "Sitemap", "dataLayer"):
        assert noise not in doc.text[doc.sections[1].start :]


def test_html_list_items_become_lines(tmp_path: Path) -> None:
    path = tmp_path / "r.htm"
    path.write_text(make_html(SEED.read_text(encoding="utf-8")), encoding="utf-8")
    doc = read_release(path)
    (highlights,) = doc.sections_of("highlights")
    lines = doc.section_text(highlights).split("\n")
    assert len(lines) == 3 and all(line.startswith("- ") for line in lines)


# -- normalisation -----------------------------------------------------------------------------


def test_newlines_spaces_and_nfc() -> None:
    doc = read_text("Title here  \r\n\r\nCafe\u0301\u00a0opens\ttoday. \r\n", "k")
    assert doc.text == "Title here\n\nCaf\u00e9 opens today."


def test_page_break_rejoin_only_mid_sentence() -> None:
    text = "A title\n\nFirst paragraph ends here.\n\n- 2 -\n\nSecond paragraph starts."
    assert (
        read_text(text, "k").text
        == "A title\n\nFirst paragraph ends here.\n\nSecond paragraph starts."
    )
    text = "A title\n\nThe agreement covers\n\f\nthree areas."
    assert read_text(text, "k").text == "A title\n\nThe agreement covers three areas."


def test_inline_contacts_replaced() -> None:
    text = (
        "A title\n\nLONDON, 3 March 2024 - Readers can write to press.office@example.org or call "
        "+44 (0)20 7946 0958 for details; the programme runs 2024-2026 with 13,000 staff."
    )
    doc = read_text(text, "k")
    assert "[e-mail removed]" in doc.text and "[phone removed]" in doc.text
    assert "@" not in doc.text and "7946" not in doc.text
    assert "2024-2026" in doc.text and "13,000" in doc.text


# -- datelines ---------------------------------------------------------------------------------

_PROSE = " The partners signed a memorandum of understanding on digital health services today."


@pytest.mark.parametrize(
    ("opening", "place", "day"),
    [
        ("(Hong Kong, 18 August 2023) \u2013", "Hong Kong", date(2023, 8, 18)),
        ("LONDON, 3 March 2024 \u2014", "LONDON", date(2024, 3, 3)),
        ("Singapore, 12 Jan 2024 \u2013", "Singapore", date(2024, 1, 12)),
        ("SINGAPORE, 12 Jan 2024 -", "SINGAPORE", date(2024, 1, 12)),
        ("Hong Kong, May 9, 2024:", "Hong Kong", date(2024, 5, 9)),
        ("May 9, 2024 \u2013", None, date(2024, 5, 9)),
        ("Cambridge, UK, Thursday 7 November 2024 --", "Cambridge, UK", date(2024, 11, 7)),
        ("BOSTON (Sept. 4, 2024) -", "BOSTON", date(2024, 9, 4)),
        ("TOKYO \u2013", "TOKYO", None),
    ],
)
def test_dateline_variants(opening: str, place: str | None, day: date | None) -> None:
    doc = read_text(f"Partners sign agreement\n\n{opening}{_PROSE}", "k")
    assert (doc.dateline_place, doc.dateline_date) == (place, day)
    assert doc.title == "Partners sign agreement"
    assert doc.text[doc.sections_of("body")[0].start :].startswith(opening.split(" ")[0])


def test_dateline_year_from_sidecar() -> None:
    text = "Partners sign agreement\n\n(Hong Kong, 9 May) \u2013" + _PROSE
    assert read_text(text, "k").dateline_date is None
    doc = read_text(text, "k", meta={"published": "2024-05-10"})
    assert doc.dateline_date == date(2024, 5, 9)
    doc = read_text(text.replace("9 May", "31 December"), "k", meta={"published": "2025-01-02"})
    assert doc.dateline_date == date(2024, 12, 31)


@pytest.mark.parametrize(
    ("head", "dated"),
    [
        ("Partners sign agreement\n\n18 August 2023", True),  # between headline and body
        ("Friday, August 18, 2023\n\nPartners sign agreement", True),  # above the headline
        ("Published: 18 August 2023\n\nPartners sign agreement", True),
        # the issuer's name and a date line above the headline
        ("Harbourview Medical Corporation\n\n18 Aug 2023\n\nPartners sign agreement", True),
        # a one-word label above the headline
        ("Announcement\n\nPartners sign agreement", False),
        ("PRESS RELEASE\n\nPartners sign agreement", False),
        ("NEWS\n\n2023-08-18\n\nPartners sign agreement", True),
    ],
)
def test_date_line_and_label_line(head: str, dated: bool) -> None:
    """A date on a line of its own above the body dates the release; a one-word label, the
    issuer's name or a date above the headline are not the title."""
    doc = read_text(f"{head}\n\n{_PROSE.strip()}", "k")
    assert doc.title == "Partners sign agreement"
    assert doc.dateline_date == (date(2023, 8, 18) if dated else None)
    if dated:
        assert doc.dateline_span is not None
        assert parse_date_line(doc.text[slice(*doc.dateline_span)])


def parse_date_line(line: str) -> bool:
    return bool(re.search(r"18|2023", line)) and "\n" not in line


def test_a_label_line_names_no_issuer_an_issuer_line_does() -> None:
    assert read_text(f"Announcement\n\nPartners sign\n\n{_PROSE}", "k").publisher is None
    doc = read_text(f"Harbourview Medical Corporation\n\nPartners sign\n\n{_PROSE}", "k")
    assert (doc.publisher, doc.title) == ("Harbourview Medical Corporation", "Partners sign")


def test_a_one_word_headline_above_the_body_stays_the_title() -> None:
    """A one-word first line is a label only when a headline follows it."""
    doc = read_text(f"Partnership\n\nLONDON, 3 March 2024 -{_PROSE}", "k")
    assert doc.title == "Partnership"


def test_the_dateline_wins_over_a_date_line_and_lends_it_its_year() -> None:
    """The body's dateline dates the release; a date line above it only gives a dateline
    without a year its year (before the sidecar does)."""
    doc = read_text(f"Partners sign\n\n1 May 2024\n\n(Hong Kong, 3 May 2024) -{_PROSE}", "k")
    assert doc.dateline_date == date(2024, 5, 3)
    text = f"Partners sign\n\n1 May 2023\n\n(Hong Kong, 3 May) -{_PROSE}"
    assert read_text(text, "k").dateline_date == date(2023, 5, 3)
    meta = {"published": "2024-05-10"}
    assert read_text(text, "k", meta=meta).dateline_date == date(2023, 5, 3)


def test_the_sidecar_date_comes_first_for_the_release() -> None:
    """Explicit metadata first: the sidecar's ``published`` is the release's date; the date
    line is still the document's own date (what "today" means)."""
    from kg.extract import extract

    text = f"Partners sign\n\n18 August 2023\n\n{_PROSE.strip()}"
    doc = read_text(text, "k", meta={"published": "2023-08-20"})
    assert doc.dateline_date == date(2023, 8, 18)
    assert extract(doc).release.published == date(2023, 8, 20)


def test_sidecar_fills_only_what_the_text_lacks() -> None:
    meta = {"title": "Sidecar title", "publisher": "Sidecar Org", "published": "2024-05-10"}
    prose = "The partners signed a memorandum of understanding on digital health today at noon."
    assert read_text(prose, "k", meta=meta).title == "Sidecar title"
    assert read_text(prose, "k", meta=meta).publisher == "Sidecar Org"
    doc = read_text(f"Real title\n\n{prose}", "k", meta=meta)
    assert (doc.title, doc.publisher) == ("Real title", "Sidecar Org")


# -- other house styles ------------------------------------------------------------------------

HK_GOV = """DH and HA sign MOU on electronic health records
*****************************************************

The Department of Health (DH) today (May 9) signed a Memorandum of Understanding (MOU) with \
the Hospital Authority (HA) to share electronic health records for public health programmes.

The MOU was signed by the Director of Health, Dr Ronald Lam, and the Chief Executive of the HA, \
Dr Tony Ko. Enquiries may be made to the DH hotline at 2125 1111.

Ends/Thursday, May 9, 2024
Issued at HKT 18:30

NNNN
"""

UK = """NEWS RELEASE
EMBARGOED UNTIL 00:01, 3 MARCH 2024

NHS England and Acme Health partner on AI diagnostics

LONDON, 3 March 2024 \u2014 NHS England and Acme Health Ltd today announced a three-year \
partnership to evaluate AI tools for diagnostic imaging across 20 hospital trusts.

Picture: The chief executives at the signing.

"This partnership will help patients," said Dr Jane Smith, Chief Executive of Acme Health.

- Ends -

Notes to editors

About Acme Health
Acme Health is a London-based company founded in 2015.

About the NHS Confederation
The NHS Confederation is the membership body for the NHS.

Media enquiries:
Jo Bloggs, Head of Communications, Acme Health
T: 020 7946 0000
E: press@acmehealth.example
"""

SG = """SingHealth Press Release
For Immediate Release

SingHealth and Duke-NUS launch digital health centre

- Centre will train 500 clinicians by 2026
- Backed by S$10 million in funding

SINGAPORE, 12 Jan 2024 - SingHealth and Duke-NUS Medical School signed a collaboration \
agreement to set up a joint centre for digital health innovation in Singapore.

The centre will open in June.

###

For media enquiries, please contact:
Tan Mei Ling
Senior Manager, Communications
Mobile: +65 9123 4567
Email: meiling.tan@singhealth.example
"""


def test_hk_government_style() -> None:
    doc = read_text(HK_GOV, "hk")
    _check_invariants(doc)
    assert doc.title == "DH and HA sign MOU on electronic health records"
    assert [s.kind for s in doc.sections] == ["title", "body"]
    assert doc.section_text(doc.sections[1]).startswith("The Department of Health (DH) today")
    assert doc.section_text(doc.sections[1]).endswith("[phone removed].")
    assert doc.dateline_date == date(2024, 5, 9)  # year from "Ends/Thursday, May 9, 2024"
    assert doc.dateline_span is not None
    assert doc.text[slice(*doc.dateline_span)] == "today (May 9)"
    assert doc.dateline_place is None


def test_uk_style() -> None:
    doc = read_text(UK, "uk")
    _check_invariants(doc)
    kinds = [s.kind for s in doc.sections]
    assert kinds == ["masthead", "title", "body", "caption", "body", "about", "about", "contacts"]
    assert doc.title == "NHS England and Acme Health partner on AI diagnostics"
    assert (doc.dateline_place, doc.dateline_date) == ("LONDON", date(2024, 3, 3))
    assert [s.heading for s in doc.sections_of("about")] == ["Acme Health", "NHS Confederation"]
    contacts = doc.section_text(doc.sections_of("contacts")[0])
    assert contacts == "Media enquiries:\nJo Bloggs, Head of Communications, Acme Health"
    assert doc.publisher is None


def test_singapore_style() -> None:
    doc = read_text(SG, "sg")
    _check_invariants(doc)
    assert [s.kind for s in doc.sections] == ["masthead", "title", "highlights", "body", "contacts"]
    assert doc.publisher == "SingHealth Press Release" or doc.publisher is None
    assert (doc.dateline_place, doc.dateline_date) == ("SINGAPORE", date(2024, 1, 12))
    assert doc.section_text(doc.sections_of("body")[0]).endswith("The centre will open in June.")
    contacts = doc.section_text(doc.sections_of("contacts")[0])
    assert "Tan Mei Ling" in contacts and "Senior Manager" in contacts
    assert "+65" not in doc.text and "@" not in doc.text


def test_university_html_without_article(tmp_path: Path) -> None:
    page = """<html><head><meta charset="windows-1252"><title>News</title></head><body>
    <header><nav><ul><li><a href="/">Home</a></li><li>Research</li></ul></nav></header>
    <div class="layout"><div class="sidebar"><p>Quick links</p></div>
    <div class="content"><h1>University and Clinic sign research agreement</h1>
    <p>Hong Kong, May 9, 2024: The University and the Clinic today signed a research
    agreement on caf\xe9 culture and health, the first of its kind in the city.</p>
    <p>The agreement runs for five years.</p>
    <h3>About the University</h3><p>The University was founded in 1911.</p></div></div>
    <footer><p>Contact us | Privacy</p></footer></body></html>"""
    path = tmp_path / "uni.html"
    path.write_bytes(page.encode("cp1252"))
    doc = read_release(path)
    assert doc.title == "University and Clinic sign research agreement"
    assert (doc.dateline_place, doc.dateline_date) == ("Hong Kong", date(2024, 5, 9))
    assert "caf\u00e9 culture" in doc.text
    assert [s.kind for s in doc.sections] == ["title", "body", "about"]
    assert "Quick links" not in doc.text and "Privacy" not in doc.text


def test_pdf_paragraph_running_over_an_automatic_page_break(tmp_path: Path) -> None:
    sentence = "The partners will test digital tools in clinics and share what they learn"
    paras = [f"Paragraph {n}: " + ", ".join([sentence] * 9) + "." for n in range(1, 9)]
    text = "Partners sign agreement\n\nLONDON, 3 March 2024 - " + "\n\n".join(paras)
    make_pdf(text, tmp_path / "long.pdf")
    doc = read_release(tmp_path / "long.pdf")
    assert doc.text.count("\n\n") == len(paras)  # title | dateline + paragraph 1 | 2 | ... | 8
    assert doc.text.endswith(paras[-1])
    assert "Page" not in doc.text and "Department of Health - Press" not in doc.text[30:]


def test_redaction_keeps_numbers_that_are_not_phones(seed: Document) -> None:
    for kept in ("13,000", "1,400", "Established in 2001", "18 August 2023", "www.hkstp.org"):
        assert kept in seed.text


def test_caption_needs_a_caption_cue() -> None:
    text = (
        "Solar clinic opens\n\nLONDON, 3 March 2024 - The partners opened a clinic powered by "
        "solar panels in the city today.\n\nPhoto-voltaic panels cover the roof of the clinic.\n\n"
        "Photos: The opening ceremony."
    )
    doc = read_text(text, "k")
    assert [s.kind for s in doc.sections] == ["title", "body", "caption"]


def test_paragraph_spans(seed: Document) -> None:
    spans = seed.paragraphs("caption")
    assert [seed.text[a : a + 7] for a, _ in spans] == ["Photo 1", "Photo 2", "Photo 3", "Photo 4"]
    assert len(seed.paragraphs("body")) == 9
    assert seed.paragraphs()[0][0] == 0


_PIECES = st.sampled_from(
    [
        "\n",
        "\n\n",
        " ",
        "Page 2 of 5",
        "3",
        "###",
        "- ",
        "About Acme",
        "Media Contact:",
        "Photo 1: x",
        "(Hong Kong, 9 May) \u2013",
        "LONDON, 3 March 2024 \u2014",
        "today (May 9)",
        "Tel: +852 2629 6633",
        "a@b.org",
        "Press Release",
        "\u885b\u751f\u7f72",
        "**",
        "\f",
        "words and more words",
        "Ends",
        "*****",
        "\r\n",
        "\u00a0",
        "2024-2026",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_PIECES, st.text(max_size=8)), max_size=40))
def test_any_text_gives_a_document_or_an_input_error(pieces: list[str]) -> None:
    try:
        doc = read_text("".join(pieces), "k", meta={"published": "2024-05-10"})
    except InputError:
        return
    _check_invariants(doc)
    assert not re.search(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+\.[A-Za-z0-9-]+", doc.text)
    assert "2629 6633" not in doc.text


def test_the_character_classes_match_unicode_categories() -> None:
    """The reader's fixed character classes equal the Unicode categories they stand for, over
    every code point: control, surrogate and private-use characters but line breaks, tabs
    and form feeds (binary noise), and the space separators (made plain spaces)."""
    import unicodedata

    from kg._clean import _SPACES
    from kg.sources import _CONTROLS

    for code in range(0x110000):
        char = chr(code)
        category = unicodedata.category(char)
        noise = category in ("Cc", "Cs", "Co") and char not in "\n\r\t\f"
        assert bool(_CONTROLS.fullmatch(char)) is noise, hex(code)
        assert (_SPACES.get(code) == " ") is (category == "Zs" or char == "\t"), hex(code)
