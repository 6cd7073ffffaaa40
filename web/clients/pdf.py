"""The profile a client keeps, in words: the lines both the printable page and the PDF show.

`profile_lines` turns a ProfileDocument into headings and items in the language Flask-Babel is
set to (the view forces the document's language), so the page and the PDF never differ;
`render_pdf` draws those lines with fpdf2 and the bundled DejaVu fonts, which cover the Latin,
Greek and Cyrillic labels of every ESCO language.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import format_date, get_locale, gettext
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from matcher.accounts.models import LANGUAGES
from matcher.config import project_root
from matcher.profiles.document import ProfileDocument
from web.i18n import language_name
from web.names import CEFR_NAMES, SKILL_LEVEL_NAMES

FONT_DIR = project_root() / "data" / "fonts"
FONT = "DejaVu"


# style → (font size in points, bold, space before in mm)
STYLES = {
    "title": (20, True, 0),
    "name": (14, False, 2),
    "text": (10, False, 3),
    "heading": (14, True, 7),
    "subheading": (11, True, 4),
    "item": (10, False, 1),
    "small": (8, False, 3),
}


@dataclass(frozen=True)
class Line:
    style: str  # a key of STYLES
    text: str
    detail: str = ""  # after an item: its level, "learned on the job"
    lang: str | None = None  # the text's language where it differs from the headings'


def heading_language(language: str) -> str:
    """The language of the fixed texts: the document's, or English where there is no catalogue."""
    return language if language in LANGUAGES else "en"


def profile_lines(document: ProfileDocument) -> list[Line]:
    """The document as lines in the current (forced) locale: what the page and the PDF show."""
    own = str(get_locale() or "en")
    lines = [
        Line("title", gettext("Skills profile")),
        Line("name", document.name),
        Line("text", gettext("What I can do, the languages I speak and the work I would like.")),
        Line("heading", gettext("What I can do")),
    ]
    if not document.skill_groups:
        lines.append(Line("text", gettext("No skills have been recorded yet.")))
    for group in document.skill_groups:
        lines.append(_line("subheading", group.label or gettext("Other skills"), group.lang, own))
        for skill in group.skills:
            detail = [str(SKILL_LEVEL_NAMES[skill.level])]
            if skill.informal:
                detail.append(gettext("learned on the job"))
            lines.append(_line("item", skill.label, skill.lang, own, ", ".join(detail)))
    if document.languages:
        lines.append(Line("heading", gettext("Languages I speak")))
        for spoken in document.languages:
            level = str(CEFR_NAMES.get(spoken.level, spoken.level.value))
            lines.append(Line("item", language_name(spoken.language), level))
    if document.occupations or document.sectors:
        lines.append(Line("heading", gettext("Work I would like to do")))
        for wish in document.occupations:
            lines.append(_line("item", wish.label, wish.lang, own))
        for sector in document.sectors:
            lines.append(Line("item", sector, gettext("sector")))
    return [*lines, *_footer()]


def _line(style: str, text: str, lang: str, own: str, detail: str = "") -> Line:
    return Line(style, text, detail, lang if lang != own else None)


def _footer() -> list[Line]:
    return [
        Line(
            "small",
            gettext(
                "Skills and occupations are named as in ESCO, the European classification of"
                " skills, competences and occupations, so that employers and schools across"
                " Europe understand them."
            ),
        ),
        Line(
            "small",
            gettext("This product uses the ESCO classification of the European Commission."),
        ),
        Line("small", gettext("Made on %(date)s.", date=format_date(date.today(), format="long"))),
    ]


def render_pdf(lines: list[Line], *, title: str, language: str) -> bytes:
    """Draw the lines on A4 pages with the bundled Unicode font."""
    pdf = FPDF(format="A4")
    pdf.set_title(title)
    pdf.set_lang(language)
    pdf.set_creator("Fairmatch")
    pdf.add_font(FONT, "", FONT_DIR / "DejaVuSans.ttf")
    pdf.add_font(FONT, "B", FONT_DIR / "DejaVuSans-Bold.ttf")
    pdf.set_margins(20, 20, 20)
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()
    for line in lines:
        size, bold, space = STYLES[line.style]
        pdf.set_font(FONT, "B" if bold else "", size)
        pdf.ln(space)
        text = line.text
        if line.style == "item":
            text = f"•  {text}" + (f" — {line.detail}" if line.detail else "")
        pdf.multi_cell(0, size * 0.5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())
