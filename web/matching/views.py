"""Rankings with their explanations: vacancies for a client, clients for a vacancy.

Coaches of the client's organisation and mediators see a client's vacancies; only mediators see
the clients for a vacancy, and only by code. Employers never reach either page.
"""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy.orm import Session

from matcher.accounts.models import Role
from matcher.matching.engine import view_client_matches, view_vacancy_matches
from matcher.matching.results import Match
from matcher.skills.services import name_concepts
from web.access import roles_required
from web.db import get_session
from web.names import FILTER_NAMES, FIT_NAMES

bp = Blueprint("matching", __name__, template_folder="templates")


@bp.get("/coach/clients/<int:client_id>/matches")
@roles_required(Role.COACH, Role.MEDIATOR)
def client_matches(client_id: int) -> ResponseReturnValue:
    session = get_session()
    page = view_client_matches(session, current_user.user, client_id)
    names = _skill_names(session, page.matches)
    session.commit()  # the view of the client is in the audit log
    return render_template("matching/client_matches.html", page=page, names=names, **_named())


@bp.get("/mediator/vacancies/<int:vacancy_id>/matches")
@roles_required(Role.MEDIATOR)
def vacancy_matches(vacancy_id: int) -> ResponseReturnValue:
    session = get_session()
    page = view_vacancy_matches(session, current_user.user, vacancy_id)
    names = _skill_names(session, page.matches)
    session.commit()  # the view of the clients is in the audit log
    return render_template("matching/vacancy_matches.html", page=page, names=names, **_named())


def _skill_names(session: Session, matches: list[Match]) -> dict[str, str]:
    uris = set()
    for match in matches:
        e = match.explanation
        uris.update(e.matched, e.missing_essential)
        uris.update(u for p in e.partly for u in (p.skill_uri, p.via_uri))
    named = name_concepts(session, uris, str(get_locale()))
    return {uri: named[uri][0] if uri in named else uri for uri in uris}


def _named() -> dict:
    return {"filter_names": FILTER_NAMES, "fit_names": FIT_NAMES}
