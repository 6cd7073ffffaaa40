"""A client's skills: typed, ticked from an occupation, confirmed from notes; grouped and named."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from matcher.audit.models import AuditEvent
from matcher.db import utcnow
from matcher.errors import Forbidden, InvalidTransition, NotFound, ValidationError
from matcher.profiles.models import ClientSkill, SkillLevel, SkillSource
from matcher.profiles.skill_lists import (
    list_client_skills,
    occupation_skills_for_client,
    search_concepts_for_client,
    skill_groups,
)
from matcher.profiles.skills import (
    add_skill,
    add_skills_from_notes,
    add_skills_from_occupation,
    remove_skill,
    restore_skill,
    suggest_skills_from_notes,
    update_skill,
    words_found_in,
)
from matcher.skills.models import Concept, Label, SkillGroup
from matcher.skills.search import clear_index_cache
from tests.factories import link_broader, link_skill, make_concept, make_user
from tests.matcher.profiles.builders import make_client, make_client_skill
from tests.matcher.skills.esco_sample import (
    CLEAN_ROOMS,
    FORKLIFT_OPERATOR,
    JAVA,
    OPERATE_FORKLIFT,
    WELD_METAL,
    add_concepts,
)

SOME = SkillLevel.SOME_EXPERIENCE


@pytest.fixture(autouse=True)
def esco(session):
    add_concepts(session)
    clear_index_cache()
    yield
    clear_index_cache()


@pytest.fixture
def coach(session):
    return make_user(session, role="coach")


@pytest.fixture
def client(session, coach):
    return make_client(session, coach=coach)


def active(client):
    return {s.skill_uri: s for s in client.skills if s.removed_at is None}


def test_a_typed_skill_is_added_with_its_level_and_source(session, coach, client):
    skill = add_skill(
        session, coach, client.id, OPERATE_FORKLIFT, SkillSource.TYPED,
        level=SkillLevel.CAN_TEACH, informal=True,
    )  # fmt: skip
    assert (skill.skill_uri, skill.level, skill.informal) == (
        OPERATE_FORKLIFT,
        SkillLevel.CAN_TEACH,
        True,
    )
    assert skill.source == SkillSource.TYPED and skill.added_by_id == coach.id
    assert session.scalar(select(AuditEvent.action).order_by(AuditEvent.id.desc())) == "add_skill"


def test_only_esco_skills_can_be_added(session, coach, client):
    with pytest.raises(ValidationError):
        add_skill(session, coach, client.id, FORKLIFT_OPERATOR, "typed", level=SOME, informal=False)
    with pytest.raises(ValidationError):
        add_skill(session, coach, client.id, "http://x/none", "typed", level=SOME, informal=False)
    assert client.skills == []


def test_an_active_duplicate_is_refused(session, coach, client):
    add_skill(session, coach, client.id, WELD_METAL, "typed", level=SOME, informal=False)
    with pytest.raises(ValidationError, match="already on the client's profile"):
        add_skill(session, coach, client.id, WELD_METAL, "typed", level=SOME, informal=True)
    assert len(client.skills) == 1


def test_adding_a_removed_skill_restores_it_with_the_new_choices(session, coach, client):
    first = add_skill(session, coach, client.id, WELD_METAL, "typed", level=SOME, informal=False)
    remove_skill(session, coach, client.id, first.id)
    again = add_skill(
        session, coach, client.id, WELD_METAL, "typed", level=SkillLevel.EXPERIENCED, informal=True
    )
    assert again.id == first.id and again.removed_at is None
    assert (again.level, again.informal) == (SkillLevel.EXPERIENCED, True)
    assert len(client.skills) == 1


def test_a_coach_of_another_organisation_or_a_mediator_cannot_add(session, client):
    for role in ("coach", "mediator"):
        stranger = make_user(session, role=role)
        with pytest.raises(Forbidden):
            add_skill(session, stranger, client.id, WELD_METAL, "typed", level=SOME, informal=False)
    with pytest.raises(NotFound):
        add_skill(
            session, make_user(session), 10**6, WELD_METAL, "typed", level=SOME, informal=False
        )
    assert client.skills == []


def test_occupation_skills_are_only_those_of_that_occupation(session, coach, client):
    with pytest.raises(ValidationError, match="not a skill of this occupation"):
        add_skills_from_occupation(
            session,
            coach,
            client.id,
            FORKLIFT_OPERATOR,
            [OPERATE_FORKLIFT, WELD_METAL],
            SOME,
            False,
        )
    assert client.skills == []
    added = add_skills_from_occupation(
        session, coach, client.id, FORKLIFT_OPERATOR, [OPERATE_FORKLIFT], SOME, True
    )
    assert [(s.skill_uri, s.source, s.source_detail, s.informal) for s in added] == [
        (OPERATE_FORKLIFT, SkillSource.OCCUPATION, FORKLIFT_OPERATOR, True)
    ]


def test_essential_and_optional_skills_can_be_ticked_and_present_ones_stay(session, coach, client):
    cook = make_concept(session, kind="occupation", labels={"en": "line cook"})
    boil = make_concept(session, labels={"en": "boil pasta", "nl": "pasta koken"})
    link_skill(session, cook, boil, "essential")
    link_skill(session, cook, _concept(session, CLEAN_ROOMS), "optional")
    typed = add_skill(
        session, coach, client.id, CLEAN_ROOMS, "typed", level=SkillLevel.CAN_TEACH, informal=False
    )
    added = add_skills_from_occupation(
        session, coach, client.id, cook.uri, [boil.uri, CLEAN_ROOMS], SOME, True
    )
    assert [s.skill_uri for s in added] == [boil.uri]
    assert (typed.source, typed.level) == (SkillSource.TYPED, SkillLevel.CAN_TEACH)
    choices = occupation_skills_for_client(session, coach, client.id, cook.uri, "nl")
    assert [(c.label, c.present) for c in choices.essential] == [("pasta koken", True)]
    assert [(c.label, c.present) for c in choices.optional] == [("clean rooms", True)]


def test_the_occupation_lookup_marks_what_the_client_has(session, coach, client):
    choices = occupation_skills_for_client(session, coach, client.id, FORKLIFT_OPERATOR, "nl")
    assert choices.label == "heftruckchauffeur"
    assert [(c.uri, c.label, c.present) for c in choices.essential] == [
        (OPERATE_FORKLIFT, "heftruck besturen", False)
    ]
    assert choices.optional == []
    with pytest.raises(NotFound):
        occupation_skills_for_client(session, coach, client.id, OPERATE_FORKLIFT, "en")


def test_suggestions_from_notes_save_nothing(session, coach, client):
    notes = "Hij heeft twee jaar heftruck bestuurd in een magazijn en kamers schoongemaakt."
    suggestions = suggest_skills_from_notes(session, coach, client.id, notes, "nl")
    by_uri = {s.uri: s for s in suggestions}
    assert OPERATE_FORKLIFT in by_uri and CLEAN_ROOMS in by_uri
    assert by_uri[OPERATE_FORKLIFT].label == "operate forklift"  # the coach reads English
    assert "heftruck" in by_uri[OPERATE_FORKLIFT].words
    assert "kamers" in by_uri[CLEAN_ROOMS].words
    assert session.scalars(select(ClientSkill)).all() == []
    details = session.scalars(select(AuditEvent.details)).all()
    assert all("heftruck" not in str(d) for d in details)


def test_suggestions_are_named_in_the_coachs_language_and_mark_present_skills(session, client):
    dutch_coach = make_user(session, organisation=client.organisation, language="nl")
    make_client_skill(session, client, OPERATE_FORKLIFT)
    suggestions = suggest_skills_from_notes(
        session, dutch_coach, client.id, "I drove a forklift in a warehouse.", "en"
    )
    forklift = next(s for s in suggestions if s.uri == OPERATE_FORKLIFT)
    assert (forklift.label, forklift.present) == ("heftruck besturen", True)
    assert forklift.words == "forklift"


def test_only_the_ticked_suggestions_are_added_with_their_words(session, coach, client):
    added = add_skills_from_notes(
        session, coach, client.id, [(CLEAN_ROOMS, "kamers schoongemaakt")], SOME, True
    )
    assert [(s.skill_uri, s.source, s.source_detail) for s in added] == [
        (CLEAN_ROOMS, SkillSource.NOTES, "kamers schoongemaakt")
    ]
    assert set(active(client)) == {CLEAN_ROOMS}
    with pytest.raises(ValidationError, match="Tick at least one skill"):
        add_skills_from_notes(session, coach, client.id, [], SOME, True)


def test_words_are_found_despite_typos_and_inflections():
    labels = ["clean rooms", "kamers schoonmaken"]
    assert words_found_in("Ze heeft kamers schoongemaakt en gekookt.", labels) == (
        "kamers schoongemaakt"
    )
    assert words_found_in("cleaned the roms", labels) == "cleaned roms"
    assert words_found_in("nothing related", labels) == ""


def test_update_remove_and_restore(session, coach, client):
    skill = add_skill(session, coach, client.id, JAVA, "typed", level=SOME, informal=False)
    update_skill(session, coach, client.id, skill.id, SkillLevel.EXPERIENCED, True)
    assert (skill.level, skill.informal) == (SkillLevel.EXPERIENCED, True)
    remove_skill(session, coach, client.id, skill.id)
    assert skill.removed_at is not None and skill.removed_by_id == coach.id
    with pytest.raises(InvalidTransition):
        remove_skill(session, coach, client.id, skill.id)
    with pytest.raises(InvalidTransition):
        update_skill(session, coach, client.id, skill.id, SOME, False)
    restore_skill(session, coach, client.id, skill.id)
    assert skill.removed_at is None and skill.removed_by_id is None
    with pytest.raises(InvalidTransition):
        restore_skill(session, coach, client.id, skill.id)


def test_restore_is_refused_when_the_same_skill_is_active_again(session, coach, client):
    old = make_client_skill(session, client, JAVA, removed_at=utcnow(), removed_by_id=coach.id)
    make_client_skill(session, client, JAVA)
    with pytest.raises(InvalidTransition, match="again"):
        restore_skill(session, coach, client.id, old.id)


def test_a_skill_of_another_client_cannot_be_changed(session, coach, client):
    other = make_client(session, coach=coach)
    skill = make_client_skill(session, other, JAVA)
    for change in (remove_skill, restore_skill):
        with pytest.raises(NotFound):
            change(session, coach, client.id, skill.id)
    with pytest.raises(NotFound):
        update_skill(session, coach, client.id, skill.id, SOME, False)


def test_skills_are_listed_by_group_in_a_language_with_english_fallback(session, coach, client):
    group = _group(
        session,
        "http://esco/group/vehicles",
        {"en": "driving vehicles", "nl": "voertuigen besturen"},
    )
    metal = _group(session, "http://esco/group/metal", {"en": "working with metal"})
    forklift, weld = _concept(session, OPERATE_FORKLIFT), _concept(session, WELD_METAL)
    # A skill under a broader skill still finds the group above it.
    tack = make_concept(session, labels={"en": "tack weld"})
    link_broader(session, forklift, group)
    link_broader(session, weld, metal)
    link_broader(session, tack, weld)
    for uri in (OPERATE_FORKLIFT, WELD_METAL, tack.uri, JAVA):
        make_client_skill(session, client, uri)
    make_client_skill(session, client, CLEAN_ROOMS, removed_at=utcnow(), removed_by_id=coach.id)
    skills = list_client_skills(session, coach, client.id, "nl")
    assert [(g.label, [s.label for s in g.skills]) for g in skills.groups] == [
        ("voertuigen besturen", ["heftruck besturen"]),
        ("working with metal", ["tack weld", "weld metal parts"]),
        ("", ["Java (computer programming)"]),
    ]
    assert skills.groups[-1].uri is None
    assert [s.label for s in skills.removed] == ["clean rooms"]


def test_the_occupation_a_skill_came_from_is_named(session, coach, client):
    add_skills_from_occupation(
        session, coach, client.id, FORKLIFT_OPERATOR, [OPERATE_FORKLIFT], SOME, False
    )
    entry = list_client_skills(session, coach, client.id, "nl").groups[0].skills[0]
    assert (entry.source, entry.source_label) == (SkillSource.OCCUPATION, "heftruckchauffeur")


def test_a_mediator_reads_the_list_and_every_read_is_audited(session, client):
    mediator = make_user(session, role="mediator")
    make_client_skill(session, client, JAVA)
    assert list_client_skills(session, mediator, client.id, "en").groups[0].skills[0].uri == JAVA
    event = session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()))
    assert (event.actor_id, event.action, event.object_id) == (mediator.id, "view", client.id)
    with pytest.raises(Forbidden):
        list_client_skills(session, make_user(session, role="employer"), client.id, "en")


def test_search_finds_skills_in_any_language_and_marks_present_ones(session, coach, client):
    make_client_skill(session, client, OPERATE_FORKLIFT)
    found = search_concepts_for_client(session, coach, client.id, "heftrukc", "skill", "en")
    assert [(h.uri, h.label, h.present) for h in found.hits][:1] == [
        (OPERATE_FORKLIFT, "operate forklift", True)
    ]


def test_skill_groups_of_unknown_or_ungrouped_skills_are_left_out(session):
    assert skill_groups(session, [JAVA, "http://x/none"]) == {}


def _concept(session, uri):
    return session.scalar(select(Concept).where(Concept.uri == uri))


def _group(session, uri, labels):
    group = SkillGroup(uri=uri, preferred_label=labels["en"])
    group.labels = [Label(lang=lang, kind="preferred", text=text) for lang, text in labels.items()]
    session.add(group)
    session.flush()
    return group
