"""The profile a client keeps: skills by group in their language, languages, wishes; no more."""

from __future__ import annotations

from dataclasses import asdict

import pytest
from sqlalchemy import select

from matcher.audit.models import AuditEvent
from matcher.db import utcnow
from matcher.errors import Forbidden, NotFound, ValidationError
from matcher.profiles.document import build_profile_document, profile_languages
from matcher.profiles.models import Cefr, ClientLanguage, ClientWish, SkillLevel
from matcher.skills.models import Label, LabelKind, SkillGroup
from tests.factories import link_broader, make_concept, make_user
from tests.matcher.profiles.builders import (
    make_client,
    make_client_skill,
    make_client_with_secrets,
)

ESCO = "http://data.europa.eu/esco/"


def make_skill_group(session, uri: str, labels: dict[str, str]) -> SkillGroup:
    group = SkillGroup(uri=uri, preferred_label=labels["en"])
    group.labels = [
        Label(lang=lang, kind=LabelKind.PREFERRED, text=text) for lang, text in labels.items()
    ]
    session.add(group)
    session.flush()
    return group


@pytest.fixture
def coach(session):
    return make_user(session, role="coach")


@pytest.fixture
def warehouse(session):
    """A skill group with a skill under it, a narrower skill under that, and a loose skill."""
    group = make_skill_group(
        session, ESCO + "skill/S6.2", {"en": "moving goods", "nl": "goederen verplaatsen"}
    )
    lift = make_concept(session, uri=ESCO + "skill/lift", labels={"en": "lift", "nl": "tillen"})
    stack = make_concept(
        session, uri=ESCO + "skill/stack", labels={"en": "stack goods", "nl": "goederen stapelen"}
    )
    loose = make_concept(session, uri=ESCO + "skill/loose", labels={"en": "weigh loads"})
    link_broader(session, lift, group)
    link_broader(session, stack, lift)
    return group, lift, stack, loose


def test_skills_are_grouped_by_their_esco_skill_group_in_the_clients_language(
    session, coach, warehouse
):
    group, lift, stack, loose = warehouse
    client = make_client(session, coach=coach, profile_language="nl")
    for concept in (stack, loose, lift):
        make_client_skill(session, client, concept.uri)

    document = build_profile_document(session, coach, client.id)

    assert document.language == "nl"
    named, ungrouped = document.skill_groups
    assert (named.uri, named.label, named.lang) == (group.uri, "goederen verplaatsen", "nl")
    assert [s.label for s in named.skills] == ["goederen stapelen", "tillen"]
    assert ungrouped.uri is None and [s.uri for s in ungrouped.skills] == [loose.uri]


def test_labels_missing_in_the_language_are_english_and_say_so(session, coach, warehouse):
    *_, loose = warehouse
    client = make_client(session, coach=coach, profile_language="nl")
    make_client_skill(session, client, loose.uri)

    (section,) = build_profile_document(session, coach, client.id).skill_groups

    assert [(s.label, s.lang) for s in section.skills] == [("weigh loads", "en")]


def test_another_language_can_be_asked_for(session, coach, warehouse):
    _, lift, *_ = warehouse
    client = make_client(session, coach=coach, profile_language="nl")
    make_client_skill(session, client, lift.uri)

    document = build_profile_document(session, coach, client.id, language="en")

    assert document.language == "en"
    assert [(g.label, [s.label for s in g.skills]) for g in document.skill_groups] == [
        ("moving goods", ["lift"])
    ]


def test_a_language_without_esco_labels_is_refused(session, coach, warehouse):
    client = make_client(session, coach=coach, profile_language="nl")

    with pytest.raises(ValidationError):
        build_profile_document(session, coach, client.id, language="xx")


def test_the_clients_own_language_works_without_esco_labels(session, coach, warehouse):
    *_, loose = warehouse
    client = make_client(session, coach=coach, profile_language="ti")
    make_client_skill(session, client, loose.uri)

    document = build_profile_document(session, coach, client.id)

    assert document.language == "ti"
    assert [(s.label, s.lang) for s in document.skill_groups[0].skills] == [("weigh loads", "en")]


def test_a_profile_can_be_made_in_the_languages_with_headings_without_esco_labels(session, coach):
    client = make_client(session, coach=coach, profile_language="ti")

    assert {"en", "nl", "ti"} <= set(profile_languages(session, client.profile_language))
    assert build_profile_document(session, coach, client.id, language="nl").language == "nl"


def test_levels_and_informal_learning_are_kept_and_removed_skills_left_out(
    session, coach, warehouse
):
    _, lift, stack, loose = warehouse
    client = make_client(session, coach=coach)
    make_client_skill(session, client, lift.uri, level=SkillLevel.CAN_TEACH, informal=True)
    make_client_skill(session, client, stack.uri, level=SkillLevel.EXPERIENCED)
    make_client_skill(session, client, loose.uri, removed_at=utcnow(), removed_by_id=coach.id)

    document = build_profile_document(session, coach, client.id)

    skills = {s.label: (s.level, s.informal) for g in document.skill_groups for s in g.skills}
    assert skills == {
        "lift": (SkillLevel.CAN_TEACH, True),
        "stack goods": (SkillLevel.EXPERIENCED, False),
    }


def test_languages_come_mother_tongue_first_then_strongest(session, coach):
    client = make_client(session, coach=coach)
    client.languages = [
        ClientLanguage(language="nl", level=Cefr.A2),
        ClientLanguage(language="en", level=Cefr.B2),
        ClientLanguage(language="bg", level=Cefr.NATIVE),
    ]
    session.flush()

    document = build_profile_document(session, coach, client.id)

    assert [(lang.language, lang.level) for lang in document.languages] == [
        ("bg", Cefr.NATIVE),
        ("en", Cefr.B2),
        ("nl", Cefr.A2),
    ]


def test_wished_occupations_are_named_in_the_language_and_sectors_kept(session, coach):
    cook = make_concept(
        session, kind="occupation", labels={"en": "cook", "pl": "kucharz", "el": "μάγειρας"}
    )
    client = make_client(session, coach=coach, profile_language="pl")
    client.wishes = [ClientWish(occupation_uri=cook.uri), ClientWish(sector="hospitality")]
    session.flush()

    document = build_profile_document(session, coach, client.id)
    greek = build_profile_document(session, coach, client.id, language="el")

    assert [(o.label, o.lang) for o in document.occupations] == [("kucharz", "pl")]
    assert [o.label for o in greek.occupations] == ["μάγειρας"]
    assert document.sectors == ["hospitality"]


def test_the_name_is_the_first_name_or_initials_else_the_code(session, coach):
    named = make_client(session, coach=coach, first_name="A.K.")
    unnamed = make_client(session, coach=coach)

    assert build_profile_document(session, coach, named.id).name == "A.K."
    assert build_profile_document(session, coach, unnamed.id).name == unnamed.code


def test_the_document_never_holds_notes_limits_permits_consent_or_the_organisation(
    session, coach, warehouse
):
    client, secrets = make_client_with_secrets(session, coach)
    make_client_skill(session, client, warehouse[1].uri)

    text = repr(asdict(build_profile_document(session, coach, client.id)))

    assert "tillen" in text or "lift" in text
    assert [secret for secret in secrets if secret.casefold() in text.casefold()] == []


def test_making_the_document_is_written_to_the_audit_log(session, coach):
    client = make_client(session, coach=coach)

    build_profile_document(session, coach, client.id)

    events = session.scalars(select(AuditEvent).where(AuditEvent.object_id == client.id)).all()
    assert [(e.actor_id, e.action, e.object_type) for e in events] == [(coach.id, "view", "client")]


def test_a_coach_of_another_organisation_is_refused(session, coach):
    client = make_client(session, coach=coach)
    stranger = make_user(session, role="coach")

    with pytest.raises(Forbidden):
        build_profile_document(session, stranger, client.id)


def test_a_mediator_may_read_the_document_and_an_employer_may_not(session, coach):
    client = make_client(session, coach=coach, first_name="B.")

    mediator = make_user(session, role="mediator")
    assert build_profile_document(session, mediator, client.id).name == "B."
    with pytest.raises(Forbidden):
        build_profile_document(session, make_user(session, role="employer"), client.id)


def test_a_missing_client_is_not_found(session, coach):
    with pytest.raises(NotFound):
        build_profile_document(session, coach, 987654)
