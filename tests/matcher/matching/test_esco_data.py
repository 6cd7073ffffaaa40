"""The ESCO inputs of the ranker, read from the database as the bench reads them from CSV."""

from matcher.matching.esco_data import (
    load_isco_groups,
    load_occupation_skills,
    load_related_skills,
)
from tests.factories import link_broader, link_skill, make_concept


def test_related_skills_are_broader_narrower_and_siblings_but_never_groups(session):
    parent = make_concept(session, uri="urn:s:parent")
    left = make_concept(session, uri="urn:s:left")
    right = make_concept(session, uri="urn:s:right")
    loner = make_concept(session, uri="urn:s:loner")
    link_broader(session, left, parent)
    link_broader(session, right, parent)
    related = load_related_skills(session)
    assert related["urn:s:parent"] == ["urn:s:left", "urn:s:right"]
    assert related["urn:s:left"] == ["urn:s:parent", "urn:s:right"]
    assert "urn:s:loner" not in related and loner.uri == "urn:s:loner"


def test_occupation_skills_are_split_into_essential_and_optional(session):
    cook = make_concept(session, kind="occupation", uri="urn:o:cook")
    knife = make_concept(session, uri="urn:s:knife")
    bake = make_concept(session, uri="urn:s:bake")
    link_skill(session, cook, knife, "essential")
    link_skill(session, cook, bake, "optional")
    assert load_occupation_skills(session)["urn:o:cook"] == ({"urn:s:knife"}, {"urn:s:bake"})
    assert "urn:o:cook" not in load_isco_groups(session)  # no ISCO group given
