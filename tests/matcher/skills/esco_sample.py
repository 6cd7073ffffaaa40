"""A handful of ESCO concepts in en/nl/de, as plain index data and as database rows."""

from __future__ import annotations

from sqlalchemy.orm import Session

from matcher.skills.index import ConceptData, IndexData
from matcher.skills.models import EscoImport, Label, Occupation, OccupationSkill, Skill

ESCO = "http://data.europa.eu/esco/"
FORKLIFT_OPERATOR = ESCO + "occupation/forklift-operator"
WELDER = ESCO + "occupation/welder"
COOK = ESCO + "occupation/cook"
OPERATE_FORKLIFT = ESCO + "skill/operate-forklift"
WELD_METAL = ESCO + "skill/weld-metal"
CLEAN_ROOMS = ESCO + "skill/clean-rooms"
JAVA = ESCO + "skill/java"

# (uri, kind, English preferred label, description, {lang: [(label kind, text), ...]})
CONCEPTS = [
    (
        FORKLIFT_OPERATOR,
        "occupation",
        "forklift operator",
        "Forklift operators drive forklifts to move goods in warehouses.",
        {
            "en": [("alternative", "forklift driver")],
            "nl": [("preferred", "heftruckchauffeur"), ("alternative", "heftruckbestuurder")],
            "de": [("preferred", "Gabelstaplerfahrer/Gabelstaplerfahrerin")],
        },
    ),
    (
        WELDER,
        "occupation",
        "welder",
        "Welders join metal parts.",
        {"nl": [("preferred", "lasser")], "de": [("preferred", "Schweißer/Schweißerin")]},
    ),
    (
        COOK,
        "occupation",
        "cook",
        "Cooks prepare food in kitchens.",
        {"nl": [("preferred", "kok")], "de": [("preferred", "Koch/Köchin")]},
    ),
    (
        OPERATE_FORKLIFT,
        "skill",
        "operate forklift",
        "Operate a forklift to lift and carry heavy loads.",
        {"nl": [("preferred", "heftruck besturen")], "de": [("preferred", "Gabelstapler fahren")]},
    ),
    (
        WELD_METAL,
        "skill",
        "weld metal parts",
        "Join pieces of metal with welding equipment.",
        {"de": [("preferred", "Metallteile schweißen")]},
    ),
    (
        CLEAN_ROOMS,
        "skill",
        "clean rooms",
        "Clean rooms, floors and windows by vacuuming and mopping.",
        {"en": [("hidden", "room cleaning")], "nl": [("alternative", "kamers schoonmaken")]},
    ),
    (
        JAVA,
        "skill",
        "Java (computer programming)",
        "Programming in Java: analysis, algorithms, coding, testing.",
        {"en": [("alternative", "Java programming")]},
    ),
]


def plain_data() -> IndexData:
    concepts, labels = [], []
    for i, (uri, kind, label, description, more) in enumerate(CONCEPTS):
        concepts.append(ConceptData(uri, kind, label, description))
        labels.append((i, "en", "preferred", label))
        labels.extend((i, lang, k, text) for lang, rows in more.items() for k, text in rows)
    return IndexData(concepts, labels, version=1)


def add_concepts(session: Session) -> None:
    """The plain-data concepts as rows, as the importer would write them."""
    rows = {}
    for uri, kind, label, description, more in CONCEPTS:
        cls = Skill if kind == "skill" else Occupation
        concept = cls(uri=uri, preferred_label=label, description=description)
        concept.labels = [Label(lang="en", kind="preferred", text=label)] + [
            Label(lang=lang, kind=k, text=text) for lang, rs in more.items() for k, text in rs
        ]
        rows[uri] = concept
        session.add(concept)
    session.flush()
    for occupation, skill in ((FORKLIFT_OPERATOR, OPERATE_FORKLIFT), (WELDER, WELD_METAL)):
        session.add(
            OccupationSkill(
                occupation_id=rows[occupation].id,
                skill_id=rows[skill].id,
                relation_type="essential",
            )
        )
    session.add(EscoImport(esco_version="test"))
    session.flush()


def write_lines(path, lines: list[str]) -> str:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return str(path)
