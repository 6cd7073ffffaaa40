"""Demo clients of the demo coach's organisation: varied skills, languages, wishes and limits.

Everything goes through the same services a coach uses, so the demo data obeys the same rules
(and leaves the same audit trail). Skills and wished occupations are real ESCO 1.1.1 URIs; when
the ESCO tables are empty (tests, or a database not yet imported) they are left out and the
profile languages fall back to English, never failing the demo.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.accounts.models import User
from matcher.employers.models import EmployerProfile
from matcher.profiles.consent import give_consent, withdraw_consent
from matcher.profiles.models import Client, EmployerRelation, SkillLevel, SkillSource
from matcher.profiles.safety import (
    add_area_limit,
    add_employer_limit,
    add_sector_limit,
    set_housing_independent,
)
from matcher.profiles.services import create_client, set_languages, set_wishes
from matcher.profiles.skills import add_skill
from matcher.skills.models import Concept
from matcher.skills.search import available_languages

SKILL = "http://data.europa.eu/esco/skill/"
OCCUPATION = "http://data.europa.eu/esco/occupation/"
SOME, EXPERIENCED, TEACH = SkillLevel.SOME_EXPERIENCE, SkillLevel.EXPERIENCED, SkillLevel.CAN_TEACH
# The suspended demo employer (a serious signal: passports kept) and a firm said to recruit for it.
AVOIDED_EMPLOYER_KVK = "90000007"
RELATED_FIRM = ("Demo Meat Staffing", "90000077")
# Notes mark a demo client, so a second run finds it; they never reach the client's profile.
MARK = "Demo client {n}: fictional, for trying Fairmatch out."


@dataclass(frozen=True)
class DemoSkill:
    uri: str
    level: SkillLevel = SOME
    informal: bool = False
    occupation: str = ""  # ticked from this occupation; else typed


@dataclass(frozen=True)
class DemoClient:
    first_name: str | None  # fictional initials only
    language: str
    languages: list[tuple[str, str]]
    skills: list[DemoSkill]
    occupations: list[str]
    sectors: list[str]
    region: str
    matching_consent: str = "given"  # given | withdrawn
    housing_independent: bool = False
    avoid_employer: bool = False  # the suspended demo employer and a related firm
    avoid_area: str = ""
    avoid_sector: str = ""


FORKLIFT = OCCUPATION + "eeac6251-1974-42f5-91ed-513c6c883755"
WAREHOUSE = OCCUPATION + "bea705fe-06ac-4147-b8e0-6e8ac1208d8f"
ROOM_ATTENDANT = OCCUPATION + "731ecac4-06e8-4ec2-a559-101fecbd9183"
DOMESTIC_CLEANER = OCCUPATION + "cbad55a4-c7cf-4ab6-9540-eac72b26729b"
CROP_WORKER = OCCUPATION + "c9191f7f-28b5-4df8-991d-804c53009b83"
HAND_PACKER = OCCUPATION + "f5cb9901-86fc-48d0-9cde-667fbe8cef3a"
COOK = OCCUPATION + "90f75f67-495d-49fa-ab57-2f320e251d7e"
KITCHEN_ASSISTANT = OCCUPATION + "e1cf6897-158d-4b48-a39e-2a3a8cac216c"

DEMO_CLIENTS = (
    DemoClient("A.K.", "pl", [("pl", "native"), ("en", "A2"), ("nl", "A1")], [
        DemoSkill(SKILL + "28cb374e-6261-4133-8371-f9a5470145da", EXPERIENCED, occupation=FORKLIFT),
        DemoSkill(SKILL + "3d086228-d7fc-4c23-972a-22b7d44a6173", EXPERIENCED),
        DemoSkill(SKILL + "ab2bb44a-3956-4028-8715-8b70b1960b99"),
        DemoSkill(SKILL + "ee5e2297-39cc-4ed6-89e5-d58016118a7f", informal=True),
    ], [FORKLIFT, WAREHOUSE], ["logistics"], "Rotterdam", avoid_employer=True),
    DemoClient("M.", "nl", [("ar", "native"), ("nl", "B1"), ("en", "A2")], [
        DemoSkill(SKILL + "7bb01a18-4637-4535-ba18-258f48f705b8", TEACH, occupation=ROOM_ATTENDANT),
        DemoSkill(SKILL + "644617c8-fbe6-4755-b7f2-c3a623641e5b", EXPERIENCED),
        DemoSkill(SKILL + "e0c6fdd1-336a-4e2f-91d1-ab4a2f9c385d", EXPERIENCED),
        DemoSkill(SKILL + "51a26193-9abe-4bce-9108-f50835be1c35"),
        DemoSkill(SKILL + "562b1180-83e7-4041-8468-2f28d03b7893", informal=True),
    ], [ROOM_ATTENDANT, DOMESTIC_CLEANER], ["hospitality"], "Utrecht", avoid_area="Westland"),
    DemoClient("T.R.", "bg", [("bg", "native"), ("ru", "B2"), ("en", "A2")], [
        DemoSkill(SKILL + "2e4e8114-e579-453d-918e-b0262818ab76", EXPERIENCED, informal=True),
        DemoSkill(SKILL + "c5f255ef-02d3-4ab0-a652-2bf055d1d493", occupation=CROP_WORKER),
        DemoSkill(SKILL + "00dd3271-077f-4a12-a958-e297fdd724ce"),
        DemoSkill(SKILL + "667cbbaf-f377-46d8-8f2d-1f6d8a55d74a", EXPERIENCED),
    ], [CROP_WORKER, HAND_PACKER], ["horticulture"], "Venlo", housing_independent=True),
    DemoClient("J.", "el", [("el", "native"), ("en", "B1")], [
        DemoSkill(SKILL + "f3934441-4bff-4076-9945-e6c51a01c467", EXPERIENCED, occupation=COOK),
        DemoSkill(SKILL + "c42d2a2a-2f55-45ac-beb1-0a8a76412457", TEACH, occupation=COOK),
        DemoSkill(SKILL + "c662be22-f17a-4ba0-894f-d720b20c44cf", informal=True),
        DemoSkill(SKILL + "0ff99f51-40d9-42f1-a1ec-377b2bb5e15f"),
    ], [COOK, KITCHEN_ASSISTANT], ["food production"], "Amsterdam",
        matching_consent="withdrawn", avoid_sector="meat processing"),
    DemoClient(None, "en", [("ro", "native"), ("en", "B1"), ("nl", "A2")], [
        DemoSkill(SKILL + "667cbbaf-f377-46d8-8f2d-1f6d8a55d74a", EXPERIENCED),
        DemoSkill(SKILL + "6fcf2fc7-7b74-42e5-845f-f5854fd44f37"),
        DemoSkill(SKILL + "d66964f4-6f5b-443e-bf74-e61a56f5957f"),
        DemoSkill(SKILL + "156f8c5b-894a-4ccc-a70e-37a2726f3f00", informal=True),
    ], [HAND_PACKER], ["food production", "logistics"], "Eindhoven"),
)  # fmt: skip


def seed_demo_clients(session: Session, coach: User) -> int:
    """Create the demo clients the coach's organisation does not have yet; return how many."""
    present = set(
        session.scalars(select(Client.notes).where(Client.organisation_id == coach.organisation_id))
    )
    uris = [s.uri for spec in DEMO_CLIENTS for s in spec.skills]
    uris += [uri for spec in DEMO_CLIENTS for uri in spec.occupations]
    known = set(session.scalars(select(Concept.uri).where(Concept.uri.in_(uris))))
    languages = set(available_languages(session)) | {"en"}
    created = 0
    for number, spec in enumerate(DEMO_CLIENTS, start=1):
        notes = MARK.format(n=number)
        if notes in present:
            continue
        language = spec.language if spec.language in languages else "en"
        client = create_client(
            session, coach, first_name=spec.first_name, profile_language=language,
            region=spec.region, notes=notes,
        )  # fmt: skip
        _describe(session, coach, client, spec, known)
        _protect(session, coach, client, spec)
        created += 1
    return created


def _describe(
    session: Session, coach: User, client: Client, spec: DemoClient, known: set[str]
) -> None:
    set_languages(session, coach, client.id, list(spec.languages))
    for skill in spec.skills:
        if skill.uri in known:
            source = SkillSource.OCCUPATION if skill.occupation else SkillSource.TYPED
            add_skill(session, coach, client.id, skill.uri, source, level=skill.level,
                      informal=skill.informal, source_detail=skill.occupation)  # fmt: skip
    occupations = [uri for uri in spec.occupations if uri in known]
    set_wishes(session, coach, client.id, occupations, spec.sectors)


def _protect(session: Session, coach: User, client: Client, spec: DemoClient) -> None:
    if spec.avoid_employer:
        employer = session.scalar(
            select(EmployerProfile).where(EmployerProfile.kvk_number == AVOIDED_EMPLOYER_KVK)
        )
        if employer is not None:
            add_employer_limit(session, coach, client.id, employer_id=employer.id,
                               relation=EmployerRelation.ITSELF)  # fmt: skip
        add_employer_limit(session, coach, client.id, employer_name=RELATED_FIRM[0],
                           registration_number=RELATED_FIRM[1],
                           relation=EmployerRelation.AGENCY_OR_RECRUITER)  # fmt: skip
    if spec.avoid_area:
        add_area_limit(session, coach, client.id, spec.avoid_area)
    if spec.avoid_sector:
        add_sector_limit(session, coach, client.id, spec.avoid_sector)
    if spec.housing_independent:
        set_housing_independent(session, coach, client.id, True)
    consent = give_consent(session, coach, client.id, "matching")
    if spec.matching_consent == "withdrawn":
        withdraw_consent(session, coach, client.id, consent.id)
    else:
        give_consent(session, coach, client.id, "share_with_mediators")
