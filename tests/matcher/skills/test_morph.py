"""Inflection folding: plural and feminine forms find the singular, masculine label."""

from __future__ import annotations

import pytest

from matcher.skills.index import ConceptData, IndexData, LabelIndex
from matcher.skills.morph import fold, stem_features


@pytest.mark.parametrize(
    ("forms", "lang"),
    [
        (("vendeur", "vendeuse", "vendeuses", "vendeurs"), "fr"),
        (("animateur", "animatrice", "animatrices"), "fr"),
        (("infirmier", "infirmiere", "infirmieres"), "fr"),
        (("camarero", "camarera", "camareros", "camareras"), "es"),
        (("profesor", "profesora", "profesores"), "es"),
        (("enfermeiro", "enfermeira", "enfermeiras"), "pt"),
        (("cameriere", "cameriera", "camerieri"), "it"),
    ],
)
def test_plural_and_feminine_forms_fold_to_one_stem(forms, lang):
    assert len({fold(form, lang) for form in forms}) == 1


def test_languages_without_rules_and_short_words_are_not_folded():
    assert fold("lehrerin", "de") is None
    assert fold("chef", "fr") is None
    assert stem_features("vendeuses", ["de", "fr", "es"]) == ("vendeur", "vendeus")


@pytest.mark.parametrize(
    ("query", "lang", "label", "look_alike"),
    [
        ("animatrices", "fr", "animateur", "animatronicien"),
        ("directrices", "fr", "directeur", "rectrices"),
        ("coiffeuses", "fr", "coiffeur", "coiffes"),
    ],
)
def test_a_plural_feminine_query_finds_the_masculine_label_first(query, lang, label, look_alike):
    concepts = [ConceptData("wanted", "occupation", label), ConceptData("other", "occupation", "x")]
    labels = [(0, lang, "preferred", label), (1, lang, "preferred", look_alike)]
    index = LabelIndex(IndexData(concepts, labels))
    hits = index.search(query, "occupation", lang)
    assert [h.concept for h in hits][:1] == [0]
    # The stems are read in the query's language, also when other languages count too.
    assert index.search(query, "occupation", lang, other_languages=0.5)[0].concept == 0
