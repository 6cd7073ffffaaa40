"""The ESCO explorer: plain search form, concept pages, the type-ahead JSON API."""

from __future__ import annotations

import pytest

from matcher.skills.search import clear_index_cache
from matcher.skills.services import list_occupation_skills
from tests.factories import link_broader, link_skill, make_concept

PICKER = "http://data.europa.eu/esco/occupation/test-fruit-picker"
HARVEST = "http://data.europa.eu/esco/skill/test-harvest-fruit"


@pytest.fixture
def orchard(session):
    """A small slice of ESCO: an occupation, its broader occupation, two skills."""
    farm_worker = make_concept(
        session,
        kind="occupation",
        labels={"en": "agricultural worker", "nl": "landarbeider"},
    )
    picker = make_concept(
        session,
        kind="occupation",
        uri=PICKER,
        labels={"en": "fruit picker", "nl": "fruitplukker", "de": "Obstpflücker"},
        alternative={"en": ["fruit harvester"], "nl": ["fruitoogster"]},
        description="Fruit pickers harvest fruit by hand.",
    )
    harvest = make_concept(
        session, uri=HARVEST, labels={"en": "harvest fruit", "nl": "fruit oogsten"}
    )
    tractor = make_concept(session, labels={"en": "drive a tractor"})
    link_broader(session, picker, farm_worker)
    link_skill(session, picker, harvest, "essential")
    link_skill(session, picker, tractor, "optional")
    session.commit()
    # The search index is cached per database and process; this data came without an import.
    clear_index_cache()
    return {"picker": picker, "harvest": harvest, "tractor": tractor, "farm": farm_worker}


def test_the_search_form_works_without_javascript(client, login, orchard):
    login("coach")
    html = client.get("/esco", query_string={"q": "fruit picker"}).get_data(as_text=True)
    assert 'action="/esco"' in html and 'method="get"' in html
    assert f'href="/esco/concept?uri={PICKER}"' in html.replace("%3A", ":").replace("%2F", "/")
    assert ">fruit picker</a>" in html


def test_the_search_can_be_limited_to_skills(client, login, orchard):
    login("coach")
    html = client.get("/esco", query_string={"q": "fruit", "kind": "skill"}).get_data(as_text=True)
    assert ">harvest fruit</a>" in html
    assert ">fruit picker</a>" not in html


def test_the_language_filter_offers_the_loaded_languages(client, login, orchard):
    login("coach")
    html = client.get("/esco").get_data(as_text=True)
    assert '<option value="de">German</option>' in html
    assert '<option value="nl">Dutch</option>' in html


def test_a_bad_filter_on_the_page_is_explained_not_a_crash(client, login, orchard):
    login("coach")
    response = client.get("/esco", query_string={"q": "fruit", "kind": "planet"})
    assert response.status_code == 400
    assert "Choose one of: skill, occupation." in response.get_data(as_text=True)


def test_an_occupation_page_shows_labels_skills_and_hierarchy(client, login, orchard):
    login("coach")
    response = client.get("/esco/concept", query_string={"uri": PICKER})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>fruit picker</h1>" in html
    assert "Fruit pickers harvest fruit by hand." in html
    for label in ("fruitplukker", "Obstpflücker", "fruit harvester", "fruitoogster"):
        assert f"<li>{label}</li>" in html
    assert 'lang="de"' in html and ">German <span" in html
    essential = html.split("Essential skills")[1].split("Optional skills")[0]
    optional = html.split("Optional skills")[1].split("Broader and narrower")[0]
    assert ">harvest fruit</a>" in essential and "tractor" not in essential
    assert ">drive a tractor</a>" in optional
    assert ">agricultural worker</a>" in html.split("<h3>Broader</h3>")[1]


def test_a_skill_page_lists_the_occupations_that_need_it(client, login, orchard):
    login("employer")
    html = client.get("/esco/concept", query_string={"uri": HARVEST}).get_data(as_text=True)
    essential = html.split("As an essential skill")[1].split("As an optional skill")[0]
    assert ">fruit picker</a>" in essential


def test_a_broader_concept_links_to_its_narrower_ones(client, login, orchard):
    login("mediator")
    uri = orchard["farm"].uri
    html = client.get("/esco/concept", query_string={"uri": uri}).get_data(as_text=True)
    assert ">fruit picker</a>" in html.split("<h3>Narrower</h3>")[1]


def test_a_dutch_reader_sees_dutch_labels_with_english_fallback(client, login, orchard):
    login("coach", language="nl")
    html = client.get("/esco/concept", query_string={"uri": PICKER}).get_data(as_text=True)
    assert "<h1>fruitplukker</h1>" in html
    assert ">fruit oogsten</a>" in html
    assert ">drive a tractor</a>" in html  # no Dutch label: English


def test_a_missing_concept_answers_404(client, login, orchard):
    login("coach")
    assert client.get("/esco/concept", query_string={"uri": "http://nope"}).status_code == 404
    assert client.get("/esco/concept").status_code == 404


def test_the_explorer_needs_a_signed_in_user(client):
    assert client.get("/esco").status_code == 302


def test_the_occupation_skills_service_puts_essential_skills_first(session, orchard):
    skills = list_occupation_skills(session, PICKER, "nl")
    assert [(s.label, s.relation) for s in skills] == [
        ("fruit oogsten", "essential"),
        ("drive a tractor", "optional"),
    ]


def test_the_api_answers_suggestions_as_json(client, login, orchard):
    login("coach")
    response = client.get("/api/esco/search", query_string={"q": "fruit pick", "limit": 5})
    assert response.status_code == 200
    results = response.get_json()["results"]
    assert results[0]["uri"] == PICKER
    assert set(results[0]) == {
        "uri", "kind", "label", "lang", "matched_label", "matched_lang", "score"
    }  # fmt: skip
    assert results[0]["kind"] == "occupation"


def test_the_api_filters_by_kind(client, login, orchard):
    login("coach")
    results = client.get("/api/esco/search?q=fruit&kind=occupation").get_json()["results"]
    assert results and {r["kind"] for r in results} == {"occupation"}


def test_the_api_with_an_empty_query_answers_nothing(client, login, orchard):
    login("coach")
    assert client.get("/api/esco/search?q=").get_json() == {"results": []}


def test_the_api_refuses_a_signed_out_caller_with_401_json(client, orchard):
    response = client.get("/api/esco/search?q=fruit")
    assert response.status_code == 401
    assert response.get_json() == {"error": "Sign in first."}


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("kind=planet", "kind: Choose one of: skill, occupation."),
        ("lang=xx", "lang: Choose one of: de, en, nl."),
        ("limit=0", "limit: Number must be between 1 and 50."),
        ("limit=500", "limit: Number must be between 1 and 50."),
        ("limit=many", "limit: Not a valid integer value."),
    ],
)
def test_the_api_explains_bad_parameters_with_400(client, login, orchard, query, message):
    login("coach")
    response = client.get(f"/api/esco/search?q=fruit&{query}")
    assert response.status_code == 400
    assert response.get_json() == {"error": message}


@pytest.mark.parametrize(
    "url", ["/esco/concept?uri=http://x%00y", "/api/esco/search?q=fr%00uit", "/esco?q=" + "x" * 300]
)
def test_odd_input_gets_400_not_500(client, login, orchard, url):
    login("coach")
    assert client.get(url).status_code == 400


def test_the_english_name_is_listed_even_without_an_english_label_row(client, login, session):
    welding = make_concept(session, labels={"en": "weld metal", "nl": "metaal lassen"})
    welding.labels = [label for label in welding.labels if label.lang != "en"]
    session.commit()
    login("coach")
    html = client.get("/esco/concept", query_string={"uri": welding.uri}).get_data(as_text=True)
    assert "<li>weld metal</li>" in html.split("Labels in every language")[1]


def test_a_blank_query_shows_the_form_without_results(client, login, orchard):
    login("coach")
    html = client.get("/esco", query_string={"q": "   "}).get_data(as_text=True)
    assert "results-heading" not in html
    assert client.get("/api/esco/search?q=%20%20").get_json() == {"results": []}


def test_suggestions_are_named_in_the_readers_language(client, login, orchard):
    login("coach", language="nl")
    results = client.get("/api/esco/search?q=fruit").get_json()["results"]
    names = {r["uri"]: (r["label"], r["lang"]) for r in results}
    assert names[PICKER] == ("fruitplukker", "nl")
    assert names[HARVEST] == ("fruit oogsten", "nl")
    german = client.get("/api/esco/search?q=obstpfl&lang=de").get_json()["results"]
    assert (german[0]["label"], german[0]["matched_label"]) == ("fruitplukker", "Obstpflücker")
    assert german[0]["matched_lang"] == "de"  # so the page can mark it as German
