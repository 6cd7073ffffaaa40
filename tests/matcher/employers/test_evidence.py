"""Evidence uploads: type by content, size, names, random storage, nothing half-saved, access."""

import hashlib
import io
import stat
from datetime import date

import pytest
from sqlalchemy import select

from matcher.audit.models import AuditEvent
from matcher.employers import evidence as evidence_module
from matcher.employers.evidence import open_evidence, remove_evidence, store_evidence
from matcher.employers.models import EVIDENCE_MAX_BYTES, EvidenceFile
from matcher.employers.services import submit_checklist
from matcher.errors import Forbidden, InvalidTransition, NotFound, ValidationError
from tests.factories import make_user
from tests.matcher.employers.builders import employer_user, passing_answers, register

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


@pytest.fixture
def employer(session):
    return employer_user(session, register(session))


def store(session, employer, upload_dir, data=PDF, filename="kvk.pdf", item_id="FE-01", **kw):
    return store_evidence(session, employer, item_id, filename, io.BytesIO(data), upload_dir, **kw)


def stored_files(upload_dir):
    return sorted(p.name for p in upload_dir.iterdir()) if upload_dir.exists() else []


@pytest.mark.parametrize(
    ("data", "filename", "content_type"),
    [(PDF, "extract.PDF", "application/pdf"), (PNG, "scan.png", "image/png"),
     (JPEG, "photo.jpeg", "image/jpeg"), (JPEG, "photo.jpg", "image/jpeg")],
)  # fmt: skip
def test_store_evidence_detects_the_type_from_the_bytes(
    session, employer, tmp_path, data, filename, content_type
):
    evidence = store(session, employer, tmp_path, data, filename)

    assert evidence.content_type == content_type
    assert evidence.original_name == filename
    assert evidence.size_bytes == len(data)
    assert evidence.sha256 == hashlib.sha256(data).hexdigest()
    assert (tmp_path / evidence.stored_name).read_bytes() == data


def test_stored_under_a_random_private_name_in_a_private_folder(session, employer, tmp_path):
    upload_dir = tmp_path / "uploads"
    first = store(session, employer, upload_dir, filename="kvk.pdf")
    second = store(session, employer, upload_dir, filename="kvk.pdf")

    assert first.stored_name != second.stored_name
    assert "kvk" not in first.stored_name and len(first.stored_name) == 32
    assert stored_files(upload_dir) == sorted([first.stored_name, second.stored_name])
    assert stat.S_IMODE(upload_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE((upload_dir / first.stored_name).stat().st_mode) == 0o600


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (PNG, "x.pdf", "not what its name says"),
        (PDF, "x.png", "not what its name says"),
        (PDF, "report.exe", "not what its name says"),
        (b"GIF89a" + b"\x00" * 20, "x.gif", "Only PDF, JPEG and PNG"),
        (b"<html><script>", "x.pdf", "Only PDF, JPEG and PNG"),
        (b"", "empty.pdf", "empty"),
    ],
)
def test_store_evidence_refuses_lying_unknown_and_empty_files(
    session, employer, tmp_path, data, filename, message
):
    with pytest.raises(ValidationError, match=message):
        store(session, employer, tmp_path, data, filename)
    assert stored_files(tmp_path) == []
    assert session.scalars(select(EvidenceFile)).all() == []


def test_store_evidence_refuses_a_file_over_10_mb_reading_no_more(session, employer, tmp_path):
    stream = io.BytesIO(PDF + b"0" * EVIDENCE_MAX_BYTES)
    with pytest.raises(ValidationError, match="at most 10 MB"):
        store_evidence(session, employer, "FE-01", "big.pdf", stream, tmp_path)
    assert stream.tell() == EVIDENCE_MAX_BYTES + 1
    assert stored_files(tmp_path) == []


def test_a_file_of_exactly_10_mb_is_accepted(session, employer, tmp_path):
    data = PDF + b"0" * (EVIDENCE_MAX_BYTES - len(PDF))
    assert store(session, employer, tmp_path, data).size_bytes == EVIDENCE_MAX_BYTES


@pytest.mark.parametrize(
    ("filename", "kept"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\an\\Desktop\\kvk.pdf", "kvk.pdf"),
        ("kvk\x00\x1b[31m\n.pdf", "kvk[31m.pdf"),
        ("", "evidence.pdf"),
        ("..", "evidence.pdf"),
        ("uittreksel", "uittreksel.pdf"),
        ("a" * 300 + ".pdf", "a" * 251 + ".pdf"),
    ],
)
def test_the_original_name_is_cleaned_for_display(session, employer, tmp_path, filename, kept):
    evidence = store(session, employer, tmp_path, filename=filename)
    assert evidence.original_name == kept
    assert stored_files(tmp_path) == [evidence.stored_name]


def test_the_file_is_removed_when_the_database_write_fails(
    session, employer, tmp_path, monkeypatch
):
    def broken_record_event(*args, **kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(evidence_module, "record_event", broken_record_event)
    with pytest.raises(RuntimeError):
        store(session, employer, tmp_path)
    assert stored_files(tmp_path) == []


def test_upload_is_recorded_in_the_audit_log(session, employer, tmp_path):
    evidence = store(session, employer, tmp_path)
    event = session.scalars(
        select(AuditEvent).where(
            AuditEvent.object_type == "evidence_file", AuditEvent.object_id == evidence.id
        )
    ).one()
    assert event.action == "upload" and event.actor_id == employer.id
    assert event.details["item"] == "FE-01"


@pytest.mark.parametrize(
    ("item_id", "message"), [("FE-99", "no item FE-99"), ("FE-03", "does not apply")]
)
def test_only_items_of_this_employer_take_uploads(session, employer, tmp_path, item_id, message):
    with pytest.raises(ValidationError, match=message):
        store(session, employer, tmp_path, item_id=item_id)


@pytest.mark.parametrize(
    ("issued_on", "expires_on", "message"),
    [
        (date(2026, 12, 1), None, "in the future"),
        (date(2026, 11, 1), date(2026, 10, 31), "expire before it was issued"),
    ],
)
def test_document_dates_are_checked(session, employer, tmp_path, issued_on, expires_on, message):
    with pytest.raises(ValidationError, match=message):
        store(session, employer, tmp_path, issued_on=issued_on, expires_on=expires_on,
              today=date(2026, 11, 23))  # fmt: skip
    assert stored_files(tmp_path) == []


def test_documents_dates_are_kept(session, employer, tmp_path):
    evidence = store(
        session, employer, tmp_path, issued_on=date(2026, 11, 1), expires_on=date(2027, 11, 1)
    )
    assert (evidence.issued_on, evidence.expires_on) == (date(2026, 11, 1), date(2027, 11, 1))


def test_evidence_is_read_only_after_submitting(session, employer, tmp_path):
    from matcher.employers.services import save_answers

    evidence = store(session, employer, tmp_path)
    save_answers(session, employer, passing_answers())
    submit_checklist(session, employer)

    with pytest.raises(InvalidTransition, match="read-only"):
        store(session, employer, tmp_path, filename="other.pdf")
    with pytest.raises(InvalidTransition, match="read-only"):
        remove_evidence(session, employer, evidence.id, tmp_path)
    assert stored_files(tmp_path) == [evidence.stored_name]


def test_remove_evidence_deletes_the_row_and_the_file(session, employer, tmp_path):
    evidence = store(session, employer, tmp_path)
    evidence_id = evidence.id

    remove_evidence(session, employer, evidence_id, tmp_path)

    assert session.get(EvidenceFile, evidence_id) is None
    assert stored_files(tmp_path) == []


def test_an_employer_cannot_remove_another_employers_evidence(session, employer, tmp_path):
    evidence = store(session, employer, tmp_path)
    other = employer_user(session, register(session, kvk="87654321", email="boss@garage.example"))
    with pytest.raises(NotFound):
        remove_evidence(session, other, evidence.id, tmp_path)
    assert stored_files(tmp_path) == [evidence.stored_name]


def test_open_evidence_for_own_employer_users_and_mediators(session, employer, tmp_path):
    evidence = store(session, employer, tmp_path)
    colleague = make_user(session, role="employer", organisation=employer.organisation)
    mediator = make_user(session, role="mediator")

    for user in (employer, colleague, mediator):
        found, path = open_evidence(session, user, evidence.id, tmp_path)
        assert found is evidence and path.read_bytes() == PDF


def test_open_evidence_refuses_other_employers_and_coaches(session, employer, tmp_path):
    evidence = store(session, employer, tmp_path)
    other = employer_user(session, register(session, kvk="87654321", email="boss@garage.example"))
    for user in (make_user(session, role="coach"), make_user(session, role="admin")):
        with pytest.raises(Forbidden):
            open_evidence(session, user, evidence.id, tmp_path)
    # Another employer is told no more than about a number that does not exist.
    with pytest.raises(NotFound):
        open_evidence(session, other, evidence.id, tmp_path)
    with pytest.raises(NotFound):
        open_evidence(session, employer, evidence.id + 1000, tmp_path)
