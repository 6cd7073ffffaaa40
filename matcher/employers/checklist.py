"""The versioned fair-employer checklist as data: loading and strict validation."""

from __future__ import annotations

import enum
import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Any

from matcher.config import project_root
from matcher.errors import ValidationError

LANGUAGES = ("en", "nl")
SCOPE_ALL = "ALL"


class ChecklistError(ValidationError):
    """The checklist file is malformed; the message names the item and the problem."""


class AnswerType(enum.StrEnum):
    YES_NO = "yes_no"
    DATE = "date"
    NUMBER = "number"
    TEXT = "text"
    CHOICE = "choice"


class EvidenceRequirement(enum.StrEnum):
    NONE = "none"
    OPTIONAL = "optional"
    REQUIRED = "required"


@dataclass(frozen=True)
class Text:
    en: str
    nl: str


@dataclass(frozen=True)
class Option:
    value: str
    label: Text


@dataclass(frozen=True)
class Evidence:
    required: EvidenceRequirement
    description: Text
    max_age_months: int | None
    use_document_expiry: bool


@dataclass(frozen=True)
class ChecklistItem:
    id: str
    key: str
    section: str
    applies_to: tuple[str, ...]
    question: Text
    answer_type: AnswerType
    options: tuple[Option, ...]
    evidence: Evidence
    knock_out_values: tuple[Any, ...]
    knock_out_overridable: bool
    weight: float | None
    pass_values: tuple[Any, ...]
    routing: bool
    source: str
    recheck_months: int
    recheck_events: tuple[str, ...]

    @property
    def knock_out(self) -> bool:
        """Whether some answer to this item rejects the employer outright."""
        return bool(self.knock_out_values)

    def applies(self, scopes: Collection[str] | None) -> bool:
        """Whether the item applies to an employer with these scopes (None: every item applies)."""
        if scopes is None or SCOPE_ALL in self.applies_to:
            return True
        # Tags combine with AND: "NL, AGENCY" means Dutch agencies only.
        return all(tag in scopes for tag in self.applies_to)

    def knocks_out(self, value: Any) -> bool:
        """Whether this answer is a knock-out."""
        return any(_same(value, ko) for ko in self.knock_out_values)

    def passes(self, value: Any) -> bool:
        """Whether this answer earns the item's weight."""
        return any(_same(value, ok) for ok in self.pass_values)

    def accepts(self, value: Any) -> bool:
        """Whether the value is a possible answer to this item."""
        return _valid_answer(self.answer_type, self.options, value)


@dataclass(frozen=True)
class ScoringRules:
    approve_min_score: float
    conditions_min_score: float
    serious_weight: float
    condition_deadline_days: int
    condition_deadline_days_safety_or_pay: int
    reminder_days_before_expiry: tuple[int, ...]


@dataclass(frozen=True)
class Checklist:
    version: str
    name: Text
    valid_from: date
    valid_until: date | None
    max_validity_months: int
    scopes: tuple[str, ...]
    sections: Mapping[str, Text]
    scoring: ScoringRules
    items: tuple[ChecklistItem, ...]

    def item(self, item_id: str) -> ChecklistItem:
        """The item with this id."""
        for it in self.items:
            if it.id == item_id:
                return it
        raise KeyError(item_id)

    def item_by_key(self, key: str) -> ChecklistItem:
        """The item with this readable key (e.g. "no_recruitment_fees")."""
        for it in self.items:
            if it.key == key:
                return it
        raise KeyError(key)


def _same(a: Any, b: Any) -> bool:
    # bool is an int in Python: keep True from matching 1 and False from matching 0.
    return type(a) is type(b) and a == b


def default_checklist_path() -> Path:
    """The folder holding the bundled checklist versions."""
    return project_root() / "data" / "checklist"


def load_checklist(path_or_version: str | Path) -> Checklist:
    """Load and strictly validate a checklist file, by path or by version ("1")."""
    path = Path(path_or_version)
    if isinstance(path_or_version, str) and path.suffix != ".json":
        path = default_checklist_path() / f"fair-employer-v{path_or_version}.json"
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ChecklistError(f"checklist file not found: {path}") from exc
    except json.JSONDecodeError as exc:
        raise ChecklistError(f"{path.name}: not valid JSON ({exc})") from exc
    return parse_checklist(raw)


def parse_checklist(raw: Any) -> Checklist:
    """Validate parsed JSON and build a Checklist; ChecklistError names the first problem."""
    if not isinstance(raw, dict):
        raise ChecklistError("checklist: the file must hold a JSON object")
    version = _require(raw, "version", str, "checklist")
    where = f"checklist v{version}"
    max_months = _require(raw, "max_validity_months", int, where)
    if max_months <= 0:
        raise ChecklistError(f"{where}: max_validity_months must be positive")
    valid_from = _date(_require(raw, "valid_from", str, where), f"{where} valid_from")
    valid_until = None
    if raw.get("valid_until") is not None:
        valid_until = _date(raw["valid_until"], f"{where} valid_until")
        if valid_until < valid_from:
            raise ChecklistError(f"{where}: valid_until is before valid_from")
    scopes = tuple(_require(raw, "scopes", list, where))
    sections = {
        key: _text(value, f"{where} section {key}")
        for key, value in _require(raw, "sections", dict, where).items()
    }
    items_raw = _require(raw, "items", list, where)
    if not items_raw:
        raise ChecklistError(f"{where}: no items")
    items: list[ChecklistItem] = []
    for entry in items_raw:
        item = _parse_item(entry, sections, scopes)
        if any(item.id == other.id for other in items):
            raise ChecklistError(f"item {item.id}: duplicate id")
        if any(item.key == other.key for other in items):
            raise ChecklistError(f"item {item.id}: duplicate key {item.key!r}")
        items.append(item)
    return Checklist(
        version=version,
        name=_text(_require(raw, "name", dict, where), f"{where} name"),
        valid_from=valid_from,
        valid_until=valid_until,
        max_validity_months=max_months,
        scopes=scopes,
        sections=MappingProxyType(sections),
        scoring=_parse_scoring(_require(raw, "scoring", dict, where), where),
        items=tuple(items),
    )


def _parse_scoring(raw: dict, where: str) -> ScoringRules:
    where = f"{where} scoring"
    approve = float(_require(raw, "approve_min_score", (int, float), where))
    conditions = float(_require(raw, "conditions_min_score", (int, float), where))
    if not 0 <= conditions <= approve <= 100:
        raise ChecklistError(f"{where}: need 0 <= conditions_min_score <= approve_min_score <= 100")
    return ScoringRules(
        approve_min_score=approve,
        conditions_min_score=conditions,
        serious_weight=float(_require(raw, "serious_weight", (int, float), where)),
        condition_deadline_days=_require(raw, "condition_deadline_days", int, where),
        condition_deadline_days_safety_or_pay=_require(
            raw, "condition_deadline_days_safety_or_pay", int, where
        ),
        reminder_days_before_expiry=tuple(
            _require(raw, "reminder_days_before_expiry", list, where)
        ),
    )


def _parse_item(raw: Any, sections: Mapping[str, Text], scopes: tuple[str, ...]) -> ChecklistItem:
    if not isinstance(raw, dict):
        raise ChecklistError("item: every item must be a JSON object")
    item_id = raw.get("id") if isinstance(raw.get("id"), str) else "(without id)"
    where = f"item {item_id}"
    _require(raw, "id", str, where)
    section = _require(raw, "section", str, where)
    if section not in sections:
        raise ChecklistError(f"{where}: unknown section {section!r}")
    applies_to = tuple(_require(raw, "applies_to", list, where))
    unknown_scopes = [s for s in applies_to if s not in scopes]
    if not applies_to or unknown_scopes:
        raise ChecklistError(f"{where}: applies_to must name known scopes, got {list(applies_to)}")
    answer_name = _require(raw, "answer_type", str, where)
    try:
        answer_type = AnswerType(answer_name)
    except ValueError:
        raise ChecklistError(f"{where}: unknown answer type {answer_name!r}") from None
    options = _parse_options(raw, answer_type, where)

    knock_out = _require(raw, "knock_out", bool, where)
    ko_values = tuple(raw.get("knock_out_values") or ())
    if knock_out and not ko_values:
        raise ChecklistError(f"{where}: knock-out item without knock_out_values")
    if not knock_out and ko_values:
        raise ChecklistError(f"{where}: knock_out_values given but knock_out is false")
    weight = raw.get("weight")
    if weight is not None and (
        isinstance(weight, bool) or not isinstance(weight, int | float) or weight <= 0
    ):
        raise ChecklistError(f"{where}: weight must be a number greater than 0, got {weight!r}")
    pass_values = tuple(raw.get("pass_values") or ())
    if weight is not None and not pass_values:
        raise ChecklistError(f"{where}: weighted item without pass_values")
    routing = raw.get("routing", False) is True
    # An item that neither knocks out nor weighs must say so, so a typo cannot silently unscore it.
    if not knock_out and weight is None and not routing:
        raise ChecklistError(f"{where}: needs knock_out, a weight, or routing: true")
    for value in ko_values + pass_values:
        if not _valid_answer(answer_type, options, value):
            raise ChecklistError(f"{where}: {value!r} is not a valid {answer_type} answer")
    if set(map(repr, ko_values)) & set(map(repr, pass_values)):
        raise ChecklistError(f"{where}: a value both knocks out and passes")

    recheck = _require(raw, "recheck_months", int, where)
    if recheck <= 0:
        raise ChecklistError(f"{where}: recheck_months must be positive")
    return ChecklistItem(
        id=item_id,
        key=_require(raw, "key", str, where),
        section=section,
        applies_to=applies_to,
        question=_text(_require(raw, "question", dict, where), f"{where} question"),
        answer_type=answer_type,
        options=options,
        evidence=_parse_evidence(_require(raw, "evidence", dict, where), where),
        knock_out_values=ko_values,
        knock_out_overridable=raw.get("knock_out_overridable", True) is True,
        weight=None if weight is None else float(weight),
        pass_values=pass_values,
        routing=routing,
        source=_require(raw, "source", str, where),
        recheck_months=recheck,
        recheck_events=tuple(raw.get("recheck_events") or ()),
    )


def _parse_options(raw: dict, answer_type: AnswerType, where: str) -> tuple[Option, ...]:
    options_raw = raw.get("options") or []
    if answer_type is not AnswerType.CHOICE:
        if options_raw:
            raise ChecklistError(f"{where}: options are only allowed for choice answers")
        return ()
    if len(options_raw) < 2:
        raise ChecklistError(f"{where}: a choice needs at least two options")
    options = tuple(
        Option(
            value=_require(o, "value", str, f"{where} option"),
            label=_text(_require(o, "label", dict, f"{where} option"), f"{where} option label"),
        )
        for o in options_raw
    )
    if len({o.value for o in options}) != len(options):
        raise ChecklistError(f"{where}: duplicate option value")
    return options


def _valid_answer(answer_type: AnswerType, options: tuple[Option, ...], value: Any) -> bool:
    """Whether a value is a possible answer of this type."""
    if answer_type is AnswerType.YES_NO:
        return isinstance(value, bool)
    if answer_type is AnswerType.CHOICE:
        return isinstance(value, str) and value in {o.value for o in options}
    if answer_type is AnswerType.NUMBER:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if answer_type is AnswerType.DATE:
        return isinstance(value, date)
    return isinstance(value, str)


def _parse_evidence(raw: dict, where: str) -> Evidence:
    where = f"{where} evidence"
    name = _require(raw, "required", str, where)
    try:
        required = EvidenceRequirement(name)
    except ValueError:
        raise ChecklistError(f"{where}: required must be none, optional or required") from None
    expiry = raw.get("expiry") or {}
    max_age = expiry.get("max_age_months")
    if max_age is not None and (not isinstance(max_age, int) or max_age <= 0):
        raise ChecklistError(f"{where}: max_age_months must be a positive whole number")
    return Evidence(
        required=required,
        description=_text(_require(raw, "description", dict, where), f"{where} description"),
        max_age_months=max_age,
        use_document_expiry=expiry.get("use_document_expiry", False) is True,
    )


def _require(raw: Any, key: str, kind: type | tuple[type, ...], where: str) -> Any:
    if not isinstance(raw, dict):
        raise ChecklistError(f"{where}: expected a JSON object, got {raw!r}")
    value = raw.get(key)
    if value is None:
        raise ChecklistError(f"{where}: missing {key}")
    if isinstance(value, bool) and kind is not bool:
        raise ChecklistError(f"{where}: {key} has the wrong type")
    if not isinstance(value, kind):
        raise ChecklistError(f"{where}: {key} has the wrong type")
    return value


def _text(raw: Any, where: str) -> Text:
    if not isinstance(raw, dict):
        raise ChecklistError(f'{where}: expected {{"en": ..., "nl": ...}}, got {raw!r}')
    for lang in LANGUAGES:
        value = raw.get(lang)
        if not isinstance(value, str) or not value.strip():
            name = "Dutch" if lang == "nl" else "English"
            raise ChecklistError(f"{where}: missing {name} text ({lang!r})")
    return Text(en=raw["en"], nl=raw["nl"])


def _date(value: Any, where: str) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ChecklistError(f"{where}: not an ISO date: {value!r}") from None
