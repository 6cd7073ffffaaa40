"""The engine's order and explanations: skills first, then language, hours, place and wishes."""

from __future__ import annotations

import io
import random
from datetime import date

import numpy as np
import pytest

from matcher.errors import NotFound
from matcher.matching import features as F
from matcher.matching import index as index_module
from matcher.matching.engine import (
    MODEL_VERSION,
    client_facts,
    rank_all,
    rank_clients_for_vacancy,
    rank_vacancies_for_client,
)
from matcher.matching.filters import (
    ClientLimits,
    EmployerFacts,
    VacancyTerms,
    check_pair,
    eligible_vacancy_ids,
)
from matcher.matching.index import ClientFacts, VacancyIndex, VacancyRecord, get_index
from matcher.matching.results import PartialMatch
from matcher.matching.state import VACANCIES, bump
from matcher.profiles.models import Cefr, ClientLanguage, ClientWish, Consent, ConsentPurpose
from matcher.profiles.safety import Exclusions
from matcher.skills.models import EscoImport, IscoGroup
from tests.factories import link_broader, make_concept, make_user
from tests.matcher.profiles.builders import make_client, make_client_skill
from tests.matcher.vacancies.builders import make_vacancy


def matchable_client(session, skills=("urn:s:a", "urn:s:b"), languages=None, **fields):
    coach = make_user(session)
    client = make_client(session, coach=coach, **fields)
    client.consents.append(Consent(purpose=ConsentPurpose.MATCHING, given_recorded_by_id=coach.id))
    for uri in skills:
        make_client_skill(session, client, uri)
    for lang, level in (languages or {}).items():
        client.languages.append(ClientLanguage(language=lang, level=level))
    session.flush()
    return client


def order(session, client):
    return [m.vacancy_id for m in rank_vacancies_for_client(session, client.id)]


def test_more_shared_skills_rank_higher_and_unrelated_vacancies_not_at_all(session):
    client = matchable_client(session, skills=("urn:s:a", "urn:s:b", "urn:s:c"))
    one = make_vacancy(session, essential=("urn:s:a", "urn:s:x"))
    three = make_vacancy(session, essential=("urn:s:a", "urn:s:b", "urn:s:c"))
    make_vacancy(session, essential=("urn:s:y", "urn:s:z"))
    assert order(session, client) == [three.id, one.id]


def test_a_match_carries_the_model_version_score_and_features(session):
    client = matchable_client(session)
    make_vacancy(session, essential=("urn:s:a",))
    (match,) = rank_vacancies_for_client(session, client.id)
    assert match.model_version == MODEL_VERSION
    assert 0 < match.skill_score < 1
    assert match.score == pytest.approx(
        F.combine(
            match.skill_score,
            {k: match.features[k] for k in ("language", "travel", "hours", "wish")},
        )
    )
    assert {"skill", "language", "travel", "hours", "wish", "essential_share"} <= set(
        match.features
    )


def test_the_explanation_names_matched_partly_matched_and_missing_essential_skills(session):
    parent = make_concept(session, uri="urn:s:parent")
    sibling = make_concept(session, uri="urn:s:sibling")
    mine = make_concept(session, uri="urn:s:mine")
    link_broader(session, sibling, parent)
    link_broader(session, mine, parent)
    client = matchable_client(session, skills=("urn:s:have", "urn:s:mine", "urn:s:opt"))
    make_vacancy(
        session,
        essential=("urn:s:sibling", "urn:s:lack", "urn:s:have"),
        optional=("urn:s:opt", "urn:s:nice"),
    )
    (match,) = rank_vacancies_for_client(session, client.id)
    explanation = match.explanation
    assert explanation.matched == ("urn:s:have", "urn:s:opt")  # essential first
    assert explanation.partly == (PartialMatch("urn:s:sibling", "urn:s:mine"),)
    assert explanation.missing_essential == ("urn:s:lack",)  # an optional one is never missing


def test_a_related_skill_counts_partly(session):
    parent = make_concept(session, uri="urn:s:parent")
    child = make_concept(session, uri="urn:s:child")
    link_broader(session, child, parent)
    client = matchable_client(session, skills=("urn:s:child",))
    exact = make_vacancy(session, essential=("urn:s:child",))
    kin = make_vacancy(session, essential=("urn:s:parent",))
    make_vacancy(session, essential=("urn:s:stranger",))
    assert order(session, client) == [exact.id, kin.id]


def test_a_missing_language_costs_more_than_a_low_level_and_both_more_than_none(session):
    client = matchable_client(session, languages={"nl": Cefr.A2, "en": Cefr.B2})
    skills = ("urn:s:a", "urn:s:b")
    missing = make_vacancy(session, essential=skills, languages={"pl": Cefr.A1})
    below = make_vacancy(session, essential=skills, languages={"nl": Cefr.B1})
    meets = make_vacancy(session, essential=skills, languages={"en": Cefr.B1})
    ranked = rank_vacancies_for_client(session, client.id)
    assert [m.vacancy_id for m in ranked] == [meets.id, below.id, missing.id]
    assert [m.explanation.fit["language"] for m in ranked] == ["meets", "below", "missing"]


def test_native_is_above_c2(session):
    client = matchable_client(session, languages={"nl": Cefr.NATIVE})
    make_vacancy(session, essential=("urn:s:a",), languages={"nl": Cefr.C2})
    (match,) = rank_vacancies_for_client(session, client.id)
    assert match.explanation.fit["language"] == "meets"


def test_hours_that_fit_rank_above_more_or_fewer(session):
    client = matchable_client(session, hours_per_week=24)
    skills = ("urn:s:a",)
    more = make_vacancy(session, essential=skills, hours_per_week=40)
    fewer = make_vacancy(session, essential=skills, hours_per_week=12)
    fits = make_vacancy(session, essential=skills, hours_per_week=26)
    ranked = rank_vacancies_for_client(session, client.id)
    assert [m.vacancy_id for m in ranked] == [fits.id, fewer.id, more.id]
    assert [m.explanation.fit["hours"] for m in ranked] == ["fits", "fewer", "more"]


def test_the_clients_own_place_ranks_above_another_and_says_so(session):
    client = matchable_client(session, region="Utrecht")
    elsewhere = make_vacancy(session, essential=("urn:s:a",), place="Breda")
    here = make_vacancy(session, essential=("urn:s:a",), place=" utrecht")
    ranked = rank_vacancies_for_client(session, client.id)
    assert [m.vacancy_id for m in ranked] == [here.id, elsewhere.id]
    assert [m.explanation.fit["travel"] for m in ranked] == ["same_place", "other_place"]


def test_wishes_order_occupation_then_isco_group_then_sector_then_none(session):
    group = IscoGroup(uri="urn:isco:7212", preferred_label="Welders", code="7212")
    session.add(group)
    session.flush()
    wished = make_concept(session, kind="occupation", uri="urn:o:welder")
    cousin = make_concept(session, kind="occupation", uri="urn:o:cutter")
    wished.isco_group_id = cousin.isco_group_id = group.id
    client = matchable_client(session)
    client.wishes.extend(
        [ClientWish(occupation_uri="urn:o:welder"), ClientWish(sector="Metal Industry")]
    )
    session.flush()
    skills = ("urn:s:a",)
    none = make_vacancy(session, essential=skills, sector="care")
    sector = make_vacancy(session, essential=skills, sector="metalindustry")
    same_group = make_vacancy(session, essential=skills, occupation_uri="urn:o:cutter")
    occupation = make_vacancy(session, essential=skills, occupation_uri="urn:o:welder")
    ranked = rank_vacancies_for_client(session, client.id)
    assert [m.vacancy_id for m in ranked] == [occupation.id, same_group.id, sector.id, none.id]
    assert [m.explanation.fit["wish"] for m in ranked] == [
        "occupation",
        "isco_group",
        "sector",
        "none",
    ]


def test_skills_outweigh_every_other_feature(session):
    client = matchable_client(
        session, skills=("urn:s:a", "urn:s:b", "urn:s:c"), region="Utrecht", hours_per_week=32
    )
    strong_but_far = make_vacancy(
        session, essential=("urn:s:a", "urn:s:b", "urn:s:c"), place="Breda", hours_per_week=40
    )
    weak_but_near = make_vacancy(session, essential=("urn:s:a", "urn:s:x", "urn:s:y"))
    assert order(session, client) == [strong_but_far.id, weak_but_near.id]


def test_both_directions_give_a_pair_the_same_score_and_explanation(session):
    client = matchable_client(session, skills=("urn:s:a", "urn:s:b"), region="Utrecht")
    other = matchable_client(session, skills=("urn:s:a",))
    vacancy = make_vacancy(session, essential=("urn:s:a", "urn:s:b", "urn:s:c"))
    (for_client,) = rank_vacancies_for_client(session, client.id)
    for_vacancy = rank_clients_for_vacancy(session, vacancy.id)
    assert [m.client_id for m in for_vacancy] == [client.id, other.id]
    assert for_vacancy[0].score == pytest.approx(for_client.score)
    assert for_vacancy[0].explanation == for_client.explanation
    assert dict(rank_all(session))[client.id][0].score == pytest.approx(for_client.score)


def test_the_array_scores_agree_with_the_per_pair_scores(session):
    client = matchable_client(
        session, languages={"nl": Cefr.B1}, region="Utrecht", hours_per_week=20
    )
    for place, hours, lang in [("Utrecht", 20, Cefr.A2), ("Breda", 38, Cefr.C1), ("Ede", 8, None)]:
        languages = {"nl": lang} if lang else {"de": Cefr.A1}
        make_vacancy(
            session,
            essential=("urn:s:a", "urn:s:q"),
            place=place,
            hours_per_week=hours,
            languages=languages,
        )
    index = get_index(session)
    facts = client_facts(session, client, index)
    allowed = index.allowed(eligible_vacancy_ids(session, date.today()))
    ((columns, scores, _),) = index.rank([facts], allowed, len(index))
    matches = rank_vacancies_for_client(session, client.id)
    assert [index.records[c].id for c in columns] == [m.vacancy_id for m in matches]
    assert scores == pytest.approx([m.score for m in matches])
    assert len(matches) == 3 and np.isfinite(scores).all()


def test_top_limits_the_results(session):
    client = matchable_client(session)
    for _ in range(5):
        make_vacancy(session, essential=("urn:s:a",))
    assert len(rank_vacancies_for_client(session, client.id, top=3)) == 3


def test_an_unknown_client_or_vacancy_is_not_found(session):
    with pytest.raises(NotFound):
        rank_vacancies_for_client(session, 999_999)
    with pytest.raises(NotFound):
        rank_clients_for_vacancy(session, 999_999)


def test_the_index_is_kept_until_a_counter_moves_and_then_rebuilt(session):
    client = matchable_client(session, skills=("urn:s:new",))
    vacancy = make_vacancy(session, essential=("urn:s:old",))
    assert order(session, client) == []
    index = get_index(session)
    assert get_index(session) is index
    vacancy.skills[0].skill_uri = "urn:s:new"  # changed behind the counters' back
    session.flush()
    assert order(session, client) == []  # the cached index still holds the old skill
    bump(session, VACANCIES)
    assert order(session, client) == [vacancy.id]
    assert get_index(session) is not index


def test_the_index_is_rebuilt_after_an_esco_import(session):
    index = get_index(session)
    session.add(EscoImport(esco_version="v1.2.0"))
    session.flush()
    assert get_index(session) is not index


def test_a_vacancy_opened_without_a_bump_is_still_found(session):
    client = matchable_client(session)
    assert order(session, client) == []
    vacancy = make_vacancy(session, essential=("urn:s:a",))
    assert order(session, client) == [vacancy.id]


def test_rank_all_ranks_every_matchable_client_in_id_order(session):
    first = matchable_client(session)
    second = matchable_client(session, skills=("urn:s:zzz",))
    vacancy = make_vacancy(session, essential=("urn:s:a",))
    results = list(rank_all(session))
    assert [client_id for client_id, _ in results] == [first.id, second.id]
    assert [m.vacancy_id for m in results[0][1]] == [vacancy.id]
    assert results[1][1] == []


def test_rank_all_reports_progress_when_given_a_stream(session):
    matchable_client(session)
    make_vacancy(session, essential=("urn:s:a",))
    stream = io.StringIO()
    assert len(list(rank_all(session, progress=stream))) == 1
    assert "Re-ranking clients: 100% (1/1)" in stream.getvalue()


def test_the_best_vacancies_are_exact_though_only_the_top_skills_are_filtered_first(monkeypatch):
    """index.best looks at the highest skill scores first; it must equal scoring everything."""
    monkeypatch.setattr(index_module, "CANDIDATES", 16)  # so the candidates must widen
    rng = random.Random(5)
    skills = [f"urn:s:{i}" for i in range(60)]
    places, sectors = ["Utrecht", "Breda", "Ede"], ["metal", "care", "food"]
    employers = {
        e: EmployerFacts(e, frozenset({f"firm{e}"}), frozenset(), rng.choice(sectors))
        for e in range(30)
    }
    records = []
    for i in range(3000):
        employer = rng.randrange(30)
        terms = VacancyTerms(
            i,
            employer,
            rng.choice(places),
            rng.choice(sectors),
            frozenset(rng.sample(["night", "early"], rng.randint(0, 1))),
            rng.random() < 0.2,
            False,
            date(2030, 1, 1),
        )
        fit = F.VacancyFit(
            {"nl": rng.randint(0, 4)} if rng.random() < 0.5 else {},
            terms.place,
            rng.choice([16, 24, 40]),
            None,
            None,
            terms.sector,
        )
        essential = frozenset(rng.sample(skills, 4))
        records.append(VacancyRecord(i, essential, frozenset(rng.sample(skills, 2)), terms, fit))
    index = VacancyIndex(records, employers, {})
    for seed in range(5):
        rng = random.Random(seed)
        exclusions = Exclusions(
            frozenset({rng.randrange(30)}),
            frozenset({f"firm{rng.randrange(30)}"}),
            frozenset(),
            frozenset({rng.choice(sectors)}),
            frozenset({rng.choice(places)}),
            True,
        )
        client = ClientFacts(
            seed,
            frozenset(rng.sample(skills, 8)),
            ClientLimits(seed, exclusions, frozenset({"night"}), None, None),
            F.ClientFit(
                {"nl": rng.randint(1, 7)},
                rng.choice(places).casefold(),
                24,
                frozenset(),
                frozenset(),
                frozenset({rng.choice(sectors)}),
            ),
        )
        (skill_row,) = index.skill_scores([client.skills])
        expected = []
        for column, record in enumerate(index.records):
            employer = employers[record.terms.employer_id]
            if skill_row[column] > 0 and check_pair(client.limits, record.terms, employer):
                factors = F.fit_factors(F.fit_codes(client.fit, record.fit))
                expected.append((-F.combine(skill_row[column], factors), column))
        expected.sort()
        columns, scores, _ = index.best(client, skill_row, np.ones(len(index), bool), 10)
        assert list(columns) == [c for _, c in expected[:10]]
        assert list(scores) == pytest.approx([-s for s, _ in expected[:10]])


def test_one_vacancys_skill_scores_are_its_column_of_everyones():
    """skill_scores_for scores one column only; it must equal that column of skill_scores."""
    rng = random.Random(11)
    skills = [f"urn:s:{i}" for i in range(40)]
    related = {s: rng.sample(skills, 2) for s in skills[:20]}
    employers = {0: EmployerFacts(0, frozenset({"firm"}), frozenset(), "metal")}
    terms = VacancyTerms(0, 0, "Ede", "metal", frozenset(), False, False, date(2030, 1, 1))
    records = [
        VacancyRecord(
            i,
            frozenset(rng.sample(skills, 4)),
            frozenset(rng.sample(skills, 2)),
            terms,
            F.VacancyFit({}, "Ede", 40, f"urn:o:{i % 7}", f"{i % 3}", "metal"),
        )
        for i in range(200)
    ]
    occupations = {f"urn:o:{i}": (set(rng.sample(skills, 5)), set()) for i in range(7)}
    index = VacancyIndex(records, employers, related, occupation_skills=occupations)
    profiles = [frozenset(rng.sample(skills, rng.randint(0, 8))) for _ in range(150)]
    everyone = index.skill_scores(profiles)
    for column in (0, 57, 199):
        np.testing.assert_array_equal(index.skill_scores_for(profiles, column), everyone[:, column])
