"""Rankings with their explanations: vacancies for a client, clients for a vacancy.

Coaches of the client's organisation and mediators see a client's vacancies; only mediators see
the clients for a vacancy, and only by code. Employers never reach either page.
"""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import Session

from matcher.accounts.models import Role
from matcher.matching import filters
from matcher.matching.engine import view_client_matches, view_vacancy_matches
from matcher.matching.results import Match
from matcher.skills.services import name_concepts
from web.access import roles_required
from web.db import get_session

bp = Blueprint("matching", __name__, template_folder="templates")

FILTER_NAMES = {
    filters.VACANCY_OPEN: _l("The vacancy is open"),
    filters.NOT_CLOSED: _l("Its closing date has not passed"),
    filters.EMPLOYER_VETTED: _l("The employer is approved and not suspended"),
    filters.CLIENT_CONSENT: _l("The client consents to matching"),
    filters.EMPLOYER_NOT_EXCLUDED: _l("Not an employer or related firm the client avoids"),
    filters.SECTOR_NOT_EXCLUDED: _l("Not a sector the client avoids"),
    filters.AREA_NOT_EXCLUDED: _l("Not an area the client avoids"),
    filters.HOUSING_INDEPENDENT: _l("Housing does not tie the client to the employer"),
    filters.SHIFTS_POSSIBLE: _l("No shift the client cannot work"),
    filters.WORK_ALLOWED: _l("The client may work by the closing date"),
}
FIT_NAMES = {
    "language": {
        "meets": _l("Speaks every language needed at the level needed"),
        "below": _l("Speaks a language needed, below the level needed"),
        "missing": _l("Does not speak a language needed"),
    },
    "travel": {
        "same_place": _l("The work is in the client's own place"),
        "other_place": _l("The work is in another place (distance not known)"),
        "unknown": _l("The client's region is not recorded"),
    },
    "hours": {
        "fits": _l("The hours fit the client's wish"),
        "more": _l("More hours than the client wants"),
        "fewer": _l("Fewer hours than the client wants"),
    },
    "wish": {
        "occupation": _l("An occupation the client wishes for"),
        "isco_group": _l("Close to an occupation the client wishes for"),
        "sector": _l("A sector the client wishes for"),
        "none": _l("None of the client's wishes"),
    },
}


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
