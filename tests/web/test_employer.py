"""Employer pages: registration, the checklist with evidence, downloads, the own users."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from matcher.accounts.models import Organisation, User
from matcher.employers.models import EmployerProfile, EvidenceFile, SubmissionStatus
from matcher.employers.overview import get_employer_overview
from matcher.employers.services import save_answers
from matcher.employers.states import VettingStatus
from tests.factories import PASSWORD, make_user
from tests.matcher.employers.builders import employer_in, employer_user, passing_answers, register

PDF = b"%PDF-1.7\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16

REGISTRATION = {
    "legal_name": "Bakkerij De Korenbloem B.V.",
    "trade_names": "De Korenbloem, Korenbloem Brood",
    "registration_country": "NL",
    "kvk_number": "1234 5678",
    "vat_number": "NL123456789B01",
    "employer_kind": "direct",
    "sector": "Food",
    "provides_housing": "y",
    "street": "Dorpsstraat 1",
    "postal_code": "1234 AB",
    "city": "Utrecht",
    "contact_name": "An de Vries",
    "contact_email": "an@korenbloem.example",
    "contact_phone": "+31 30 123 4567",
    "email": "An@Korenbloem.example",
    "password": PASSWORD,
    "password_again": PASSWORD,
}


@pytest.fixture(autouse=True)
def uploads(app, tmp_path):
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    return tmp_path / "uploads"


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def sign_in(client, user):
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302


@pytest.fixture
def employer(session, client):
    """A registered, signed-in employer user (Dutch direct employer, no housing)."""
    user = employer_user(session, register(session))
    session.commit()
    sign_in(client, user)
    return user


def answers_data(answers=None, **extra):
    data = {}
    for item_id, value in (answers or passing_answers()).items():
        name = "answer_" + item_id.replace("-", "_")
        data[name] = ("yes" if value else "no") if isinstance(value, bool) else value
    return data | extra


def upload(client, item_id="FE-01", data=PDF, filename="kvk.pdf", **dates):
    fields = {f"{item_id}-file": (io.BytesIO(data), filename)}
    fields |= {f"{item_id}-{name}": value for name, value in dates.items()}
    return client.post(
        f"/employer/checklist/evidence/{item_id}", data=fields, content_type="multipart/form-data"
    )


# --- registration ---------------------------------------------------------------------------


def test_registration_page_has_labelled_fields(client):
    html = client.get("/employer/register").get_data(as_text=True)
    assert '<label for="legal_name">Legal name</label>' in html
    assert '<label for="password_again">Password again</label>' in html
    assert 'value="NL"' in html


def test_registering_creates_the_employer_signs_in_and_opens_the_checklist(client, session):
    response = client.post("/employer/register", data=REGISTRATION)

    assert response.status_code == 302
    assert response.headers["Location"] == "/employer/checklist"
    profile = session.scalars(select(EmployerProfile)).one()
    assert profile.kvk_number == "12345678" and profile.provides_housing
    assert profile.trade_names == ["De Korenbloem", "Korenbloem Brood"]
    assert profile.organisation.users[0].email == "an@korenbloem.example"
    html = client.get("/employer/checklist").get_data(as_text=True)
    assert "Your organisation is registered." in html
    assert "Registered, checklist not yet submitted" in html
    assert "FE-19" in html  # the housing items apply: the employer provides housing


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"kvk_number": "1234567"}, "A KvK number has exactly 8 digits"),
        ({"vat_number": "NL12"}, "A Dutch VAT number reads NL"),
        ({"legal_name": ""}, "This field is required."),
        ({"employer_kind": ""}, "Choose the kind of employer."),
        ({"password_again": "something else entirely"}, "The passwords differ."),
        ({"password": "short", "password_again": "short"}, "at least 12 characters"),
        ({"registration_country": "Netherlands"}, "Use a two-letter code"),
        ({"email": "not-an-address"}, "is not a valid e-mail address"),
    ],
)
def test_registration_explains_bad_input_and_saves_nothing(client, session, changes, message):
    response = client.post("/employer/register", data=REGISTRATION | changes)

    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert count(session, EmployerProfile) == count(session, Organisation) == 0
    assert count(session, User) == 0


def test_a_known_kvk_number_is_refused_and_nothing_saved(client, session):
    register(session, kvk="12345678")
    session.commit()
    before = count(session, Organisation), count(session, User)

    response = client.post("/employer/register", data=REGISTRATION)

    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "An employer with KvK number 12345678 is already registered." in html
    assert (count(session, Organisation), count(session, User)) == before
    assert client.get("/employer/checklist").status_code == 302  # not signed in


def test_registrations_are_rate_limited_per_address(app, client, session):
    app.config["REGISTRATIONS_PER_HOUR"] = 2
    register(session, kvk="12345678")
    session.commit()
    for _ in range(2):
        assert client.post("/employer/register", data=REGISTRATION).status_code == 400

    response = client.post("/employer/register", data=REGISTRATION | {"kvk_number": "87654321"})

    assert response.status_code == 429
    assert "Too many registrations" in response.get_data(as_text=True)
    assert count(session, EmployerProfile) == 1


def test_a_signed_in_user_is_sent_home_from_registration(client, login):
    login("coach")
    response = client.get("/employer/register")
    assert response.status_code == 302 and response.headers["Location"] == "/"


# --- access ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/employer/checklist", "/employer/users"])
def test_employer_pages_are_for_employers_only(client, login, path):
    assert client.get(path).headers["Location"].startswith("/login")
    login("coach")
    assert client.get(path).status_code == 403


def test_mediators_do_not_use_the_employer_pages(client, login):
    login("mediator")
    assert client.get("/employer/checklist").status_code == 403


# --- the checklist --------------------------------------------------------------------------


def test_the_checklist_shows_status_questions_by_section_and_what_is_missing(client, employer):
    html = client.get("/employer/checklist").get_data(as_text=True)

    assert "Answer every question of the checklist" in html
    assert "Identity, registration and certification" in html
    assert "Is the employer validly registered in the trade register" in html
    assert "Still missing before you can submit" in html
    assert 'href="#item-FE-01"' in html
    assert 'accept=".pdf,.jpg,.jpeg,.png"' in html
    assert "Save draft" in html and "Submit for vetting" in html
    assert "FE-19" not in html  # no housing, so no housing items


def test_the_checklist_speaks_dutch_on_dutch_pages(client, session, employer):
    employer.language = "nl"
    session.commit()
    html = client.get("/employer/checklist").get_data(as_text=True)
    assert "Identiteit, inschrijving en certificering" in html


def test_save_draft_keeps_the_answers(client, session, employer):
    response = client.post(
        "/employer/checklist", data=answers_data({"FE-01": True, "FE-14": "written_understood"})
    )

    assert response.status_code == 302
    overview = get_employer_overview(session, employer)
    assert overview.submission.answers == {"FE-01": True, "FE-14": "written_understood"}
    html = client.get("/employer/checklist").get_data(as_text=True)
    assert "Draft saved." in html
    assert (
        '<input checked id="answer_FE_01-0" name="answer_FE_01" type="radio" value="yes">' in html
    )


def test_an_invalid_answer_saves_none_of_them(client, session, employer):
    response = client.post(
        "/employer/checklist", data=answers_data({"FE-01": True}, answer_FE_14="maybe")
    )

    assert response.status_code == 400
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert get_employer_overview(session, employer).submission is None


def test_submit_with_missing_evidence_keeps_the_draft_and_says_what_is_missing(
    client, session, employer
):
    response = client.post(
        "/employer/checklist", data=answers_data(send="Submit for vetting"), follow_redirects=True
    )

    html = response.get_data(as_text=True)
    assert "the checklist cannot be submitted yet" in html and "FE-01" in html
    overview = get_employer_overview(session, employer)
    assert overview.status == VettingStatus.PENDING
    assert overview.submission.answers == passing_answers()


def test_submitting_a_complete_checklist_makes_it_read_only(client, session, employer):
    save_answers(session, employer, passing_answers())
    session.commit()
    for entry in get_employer_overview(session, employer).missing:
        assert upload(client, entry.item.id).status_code == 302

    response = client.post("/employer/checklist", data=answers_data(send="Submit for vetting"))

    assert response.status_code == 302
    html = client.get("/employer/checklist").get_data(as_text=True)
    assert "Submitted for vetting." in html and "Submitted, waiting for vetting" in html
    assert "Save draft" not in html and 'type="file"' not in html and "Remove" not in html
    assert 'name="answer_FE_01"' not in html and "kvk.pdf" in html
    refused = client.post("/employer/checklist", data=answers_data({"FE-01": False}))
    assert refused.status_code == 400 and "read-only" in refused.get_data(as_text=True)
    assert get_employer_overview(session, employer).submission.answers["FE-01"] is True
    assert upload(client, "FE-01").status_code == 400


def test_another_employers_data_is_never_shown(client, session, employer):
    other = employer_user(session, register(session, kvk="87654321", email="x@garage.example"))
    save_answers(session, other, {"FE-01": False})
    session.commit()

    html = client.get("/employer/checklist").get_data(as_text=True)

    assert "Bakery 87654321" not in html
    assert '<input checked id="answer_FE_01-1"' not in html


# --- evidence -------------------------------------------------------------------------------


def test_upload_shows_the_file_with_download_and_remove(client, session, employer, uploads):
    response = upload(client, issued_on="2026-11-01", expires_on="2027-11-01")

    assert response.status_code == 302
    html = client.get("/employer/checklist").get_data(as_text=True)
    evidence = session.scalars(select(EvidenceFile)).one()
    assert f'href="/employer/evidence/{evidence.id}">kvk.pdf</a>' in html
    assert f'form="remove-{evidence.id}"' in html
    assert [p.name for p in uploads.iterdir()] == [evidence.stored_name]


def test_an_upload_that_lies_about_its_type_is_refused(client, session, employer, uploads):
    response = upload(client, data=PNG, filename="x.pdf")

    assert response.status_code == 400
    assert "is not what its name says" in response.get_data(as_text=True)
    assert count(session, EvidenceFile) == 0
    assert not uploads.exists() or list(uploads.iterdir()) == []


def test_an_upload_without_a_file_is_refused(client, session, employer):
    response = client.post("/employer/checklist/evidence/FE-01", data={})
    assert response.status_code == 400
    assert "Choose a PDF, JPEG or PNG file" in response.get_data(as_text=True)


def test_an_upload_over_the_request_limit_is_refused(app, client, employer):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = upload(client, data=PDF + b"0" * 2048)
    assert response.status_code == 413


def test_remove_evidence(client, session, employer, uploads):
    upload(client)
    evidence_id = session.scalars(select(EvidenceFile.id)).one()

    response = client.post(f"/employer/evidence/{evidence_id}/remove")

    assert response.status_code == 302
    assert count(session, EvidenceFile) == 0 and list(uploads.iterdir()) == []


def test_another_employer_cannot_remove_evidence(client, session, employer):
    upload(client)
    evidence_id = session.scalars(select(EvidenceFile.id)).one()
    other = employer_user(session, register(session, kvk="87654321", email="x@garage.example"))
    session.commit()
    client.post("/logout", data={})
    sign_in(client, other)

    assert client.post(f"/employer/evidence/{evidence_id}/remove").status_code == 404
    assert count(session, EvidenceFile) == 1


def test_download_for_the_own_employer(client, session, employer):
    upload(client, filename="Uittreksel KvK.pdf")
    evidence_id = session.scalars(select(EvidenceFile.id)).one()

    response = client.get(f"/employer/evidence/{evidence_id}")

    assert response.status_code == 200
    assert response.data == PDF
    assert response.mimetype == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "Uittreksel KvK.pdf" in response.headers["Content-Disposition"]
    response.close()


@pytest.mark.parametrize(("role", "status"), [("mediator", 200), ("coach", 403), ("admin", 403)])
def test_download_access_by_role(client, session, employer, role, status):
    upload(client)
    evidence_id = session.scalars(select(EvidenceFile.id)).one()
    client.post("/logout", data={})
    sign_in(client, make_user(session, role=role))
    session.commit()

    response = client.get(f"/employer/evidence/{evidence_id}")

    assert response.status_code == status
    response.close()


def test_download_refused_to_another_employer_and_to_strangers(client, session, employer):
    upload(client)
    evidence_id = session.scalars(select(EvidenceFile.id)).one()
    client.post("/logout", data={})
    assert client.get(f"/employer/evidence/{evidence_id}").headers["Location"].startswith("/login")
    other = employer_user(session, register(session, kvk="87654321", email="x@garage.example"))
    session.commit()
    sign_in(client, other)
    assert client.get(f"/employer/evidence/{evidence_id}").status_code == 404
    assert client.get(f"/employer/evidence/{evidence_id + 1000}").status_code == 404


# --- the organisation's users ---------------------------------------------------------------


def test_add_a_user_who_can_then_sign_in(client, session, employer):
    response = client.post(
        "/employer/users",
        data={"email": "colleague@bakery.example", "password": PASSWORD,
              "password_again": PASSWORD},
    )  # fmt: skip

    assert response.status_code == 302
    html = client.get("/employer/users").get_data(as_text=True)
    assert "colleague@bakery.example can now sign in." in html
    added = session.scalars(select(User).where(User.email == "colleague@bakery.example")).one()
    assert added.organisation_id == employer.organisation_id and added.role == "employer"


def test_adding_a_user_with_a_taken_address_is_refused(client, session, employer):
    response = client.post(
        "/employer/users",
        data={"email": employer.email, "password": PASSWORD, "password_again": PASSWORD},
    )
    assert response.status_code == 400
    assert "already exists" in response.get_data(as_text=True)


def test_the_users_page_lists_only_the_own_organisation(client, session, employer):
    make_user(session, role="employer", email="stranger@elsewhere.example")
    session.commit()
    html = client.get("/employer/users").get_data(as_text=True)
    assert employer.email in html and "stranger@elsewhere.example" not in html


def test_deactivate_a_colleague(client, session, employer):
    colleague = make_user(session, role="employer", organisation=employer.organisation)
    session.commit()

    response = client.post(f"/employer/users/{colleague.id}/deactivate")

    assert response.status_code == 302
    session.refresh(colleague)
    assert not colleague.active


def test_deactivating_yourself_or_a_stranger_is_refused(client, session, employer):
    stranger = make_user(session, role="employer")
    session.commit()

    own = client.post(f"/employer/users/{employer.id}/deactivate")
    assert own.status_code == 400
    assert "You cannot deactivate your own account." in own.get_data(as_text=True)
    assert client.post(f"/employer/users/{stranger.id}/deactivate").status_code == 404
    session.refresh(stranger)
    assert stranger.active


def test_submission_status_is_draft_after_saving(session, client, employer):
    client.post("/employer/checklist", data=answers_data({"FE-01": True}))
    assert get_employer_overview(session, employer).submission.status == SubmissionStatus.DRAFT


def test_a_rejected_employer_starts_a_new_checklist_from_the_page(client, session):
    profile = employer_in(session, "rejected", kvk="23456789")
    session.commit()
    sign_in(client, employer_user(session, profile))
    assert "Start a new checklist" in client.get("/employer/checklist").get_data(as_text=True)

    response = client.post("/employer/checklist/restart", follow_redirects=True)

    html = response.get_data(as_text=True)
    assert "A new checklist has been started from your last answers." in html
    assert "Start a new checklist" not in html
    session.refresh(profile)
    assert profile.status == VettingStatus.PENDING


def test_a_pending_employer_cannot_restart(client, session, employer):
    response = client.post("/employer/checklist/restart", follow_redirects=True)
    assert "Only a rejected or expired employer starts a new checklist." in response.get_data(
        as_text=True
    )
