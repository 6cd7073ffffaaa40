"""The few ESCO concepts the demo needs, so tests can seed it without the full import."""

from __future__ import annotations

from sqlalchemy.orm import Session

from matcher.demo.clients import DEMO_CLIENTS
from matcher.demo.matching import DEMO_VACANCIES
from tests.factories import link_skill, make_concept


def add_demo_concepts(session: Session) -> None:
    """Each demo vacancy's occupation lists the skills of the demo clients who wish for it."""
    skills = {
        uri: make_concept(session, uri=uri)
        for uri in {s.uri for spec in DEMO_CLIENTS for s in spec.skills}
    }
    for occupation_uri in {spec.occupation for spec in DEMO_VACANCIES}:
        occupation = make_concept(session, kind="occupation", uri=occupation_uri)
        wished_by = [c for c in DEMO_CLIENTS if occupation_uri in c.occupations]
        for uri in {s.uri for c in wished_by for s in c.skills}:
            link_skill(session, occupation, skills[uri])
