"""The explanation of a match: which of the vacancy's skills the client has, partly has, or lacks.

A vacancy skill is matched when the client has it; partly matched when the client has one of
its broader, narrower or sibling skills (the one named is the first in URI order, so the same
pair always reads the same); an essential skill neither matched nor partly matched is missing.
Optional skills the client lacks are not listed: they are not needed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from matcher.matching.results import Explanation, PartialMatch


def explain(
    essential: Iterable[str],
    optional: Iterable[str],
    client_skills: frozenset[str],
    related: Mapping[str, Sequence[str]],
    *,
    filters_passed: Sequence[str],
    fit: Mapping[str, str],
) -> Explanation:
    """Matched (essential first), partly matched and missing essential skills, with the codes."""
    matched: list[str] = []
    partly: list[PartialMatch] = []
    missing: list[str] = []
    essential = sorted(set(essential))
    optional = sorted(set(optional) - set(essential))
    for uri, is_essential in [(u, True) for u in essential] + [(u, False) for u in optional]:
        if uri in client_skills:
            matched.append(uri)
            continue
        via = next((s for s in sorted(related.get(uri, ())) if s in client_skills), None)
        if via is not None:
            partly.append(PartialMatch(uri, via))
        elif is_essential:
            missing.append(uri)
    return Explanation(
        matched=tuple(matched),
        partly=tuple(partly),
        missing_essential=tuple(missing),
        filters_passed=tuple(filters_passed),
        fit=dict(fit),
    )
