"""/esco (search), /esco/concept?uri= (one concept) and /api/esco/search (type-ahead JSON)."""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, abort, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_login import login_required

from matcher.skills.search import SearchHit, available_languages, search_concepts
from matcher.skills.services import get_concept_detail, name_concepts
from web.db import get_session
from web.esco.forms import ApiSearchForm, SearchForm
from web.i18n import language_name

bp = Blueprint("esco", __name__, template_folder="templates", url_prefix="/esco")
api_bp = Blueprint("esco_api", __name__, url_prefix="/api/esco")

PAGE_RESULTS = 25


@bp.get("")
@login_required
def search() -> ResponseReturnValue:
    form = _search_form()
    hits = []
    if form.q.data and form.validate():
        hits = _search(form, limit=PAGE_RESULTS)
    status = 400 if form.errors else 200
    return render_template("esco/search.html", form=form, hits=hits), status


@bp.get("/concept")
@login_required
def concept() -> ResponseReturnValue:
    uri = request.args.get("uri", "").strip()
    if not uri:
        abort(404)
    detail = get_concept_detail(get_session(), uri, str(get_locale()))
    return render_template("esco/concept.html", concept=detail)


@api_bp.get("/search", endpoint="search")
@login_required
def search_api() -> ResponseReturnValue:
    form = _search_form(ApiSearchForm)
    if not form.validate():
        message = "; ".join(f"{name}: {errors[0]}" for name, errors in form.errors.items())
        return jsonify(error=message), 400
    hits = _search(form, limit=form.limit.data or 10) if form.q.data else []
    return jsonify(results=[_hit_json(hit) for hit in hits])


def _search_form(form_class: type[SearchForm] = SearchForm) -> SearchForm:
    form = form_class(request.args)
    form.set_languages([(code, language_name(code)) for code in available_languages(get_session())])
    return form


def _hit_json(hit: SearchHit) -> dict:
    return {
        "uri": hit.uri,
        "kind": hit.kind,
        "label": hit.label,
        "lang": hit.lang,
        "matched_label": hit.matched_label,
        "matched_lang": hit.matched_lang,
        "score": round(float(hit.score), 4),
    }


def _search(form: SearchForm, limit: int) -> list[SearchHit]:
    session = get_session()
    hits = search_concepts(
        session,
        form.q.data,
        kind=form.kind.data or None,
        lang=form.lang.data or None,
        limit=limit,
    )
    # The language filter says where to look; the reader still wants names in their own language.
    names = name_concepts(session, [hit.uri for hit in hits], str(get_locale()))
    named = []
    for hit in hits:
        label, lang = names.get(hit.uri, (hit.label, hit.lang))  # index older than the rows
        named.append(replace(hit, label=label, lang=lang))
    return named
