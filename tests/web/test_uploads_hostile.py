"""Hostile evidence uploads through the web: wrong types behind right names, oversize requests and
file names that try to leave UPLOAD_DIR. Whatever comes in, the only files written are random names
inside UPLOAD_DIR, each with its row; a refusal writes nothing and says why.

The service-level checks (name cleaning, 10 MB, type detection) are in
tests/matcher/employers/test_evidence.py; this file drives them through the real request.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from matcher.employers.models import EvidenceFile
from tests.matcher.employers.builders import employer_user, register
from tests.web.test_employer import PDF, PNG, sign_in, upload

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"
HTML = b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48
ZIP = b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 32  # a .docx is a zip
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
RANDOM_NAME = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def employer(session, client):
    """A registered, signed-in employer user with an open checklist."""
    user = employer_user(session, register(session))
    session.commit()
    sign_in(client, user)
    return user


@pytest.fixture
def root(app, tmp_path) -> Path:
    """UPLOAD_DIR inside an otherwise empty folder, so a file written beside it shows."""
    app.config["UPLOAD_DIR"] = str(tmp_path / "root" / "uploads")
    (tmp_path / "root").mkdir()
    return tmp_path / "root"


def files_under(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def rows(session) -> list[EvidenceFile]:
    session.expire_all()
    return list(session.scalars(select(EvidenceFile).order_by(EvidenceFile.id)))


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (HTML, "kvk.pdf"),
        (EXE, "kvk.pdf"),
        (ZIP, "kvk.pdf"),
        (PDF, "scan.png"),
        (SVG, "logo.png"),
        (HTML, "page.html"),
        (EXE, "setup.exe"),
        (b"", "empty.pdf"),
        (PDF[:3], "short.pdf"),
    ],
)
def test_a_file_that_is_not_what_its_name_says_is_refused_and_nothing_is_written(
    client, session, employer, root, data, filename
):
    before = files_under(root)

    response = upload(client, data=data, filename=filename)

    assert response.status_code == 400
    assert 'class="flash flash-error"' in response.get_data(as_text=True)
    assert rows(session) == []
    assert files_under(root) - before <= {"uploads"}  # at most the (empty) folder itself


def test_a_request_over_the_limit_gets_a_clear_page_and_writes_nothing(
    app, client, session, employer, root
):
    too_big = PDF + b"0" * app.config["MAX_CONTENT_LENGTH"]
    # Encoded here: the test client would spool a body this big to a file it never closes.
    boundary, body = encode_multipart({"FE-01-file": FileStorage(io.BytesIO(too_big), "kvk.pdf")})

    response = client.post(
        "/employer/checklist/evidence/FE-01",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )

    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "What you sent is too large. A file may be at most 10 MB." in html
    assert "Traceback" not in html
    assert rows(session) == [] and files_under(root) == set()


@pytest.mark.parametrize(
    "filename",
    [
        "../../etc/passwd.pdf",
        "/etc/passwd.pdf",
        "..\\..\\windows\\win.ini.pdf",
        "C:\\Windows\\system32\\kvk.pdf",
        "uploads/../../escape.pdf",
        "kvk\x00.png.pdf",
        "\u202efdp.exe",
        "a" * 5000 + ".pdf",
        "\u0643\u0634\u0641 \u0627\u0644\u062d\u0633\u0627\u0628.pdf",
        "e\u0301\u0301\u0301.pdf",
        ".pdf",
        "..",
    ],
)
def test_a_file_name_with_path_tricks_is_stored_under_a_random_name_inside_upload_dir(
    client, session, employer, root, filename
):
    response = upload(client, data=PDF, filename=filename)

    assert response.status_code in (302, 400), response.status_code
    stored = rows(session)
    if response.status_code == 400:
        assert stored == [] and files_under(root) <= {"uploads"}
        return
    [evidence] = stored
    assert RANDOM_NAME.fullmatch(evidence.stored_name)
    assert files_under(root) == {"uploads", f"uploads/{evidence.stored_name}"}
    assert (root / "uploads" / evidence.stored_name).read_bytes() == PDF
    name = evidence.original_name
    assert "/" not in name and "\\" not in name and "\x00" not in name and len(name) <= 255
    assert not name.startswith(".")


file_names = st.one_of(
    st.text(max_size=300),
    st.builds(lambda a, b: a + b, st.text(max_size=40), st.sampled_from([".pdf", ".PDF"])),
    st.sampled_from(["../" * 20 + "x.pdf", "/" * 300, "\\\\server\\share\\x.pdf", "~/x.pdf"]),
)
contents = st.sampled_from([PDF, PNG, JPEG, HTML, EXE, b""])


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@example(data=b"\x89PNG\r\n\x1a\n" + bytes(16), filename="\n")  # found in CI
@given(data=contents, filename=file_names)
def test_whatever_the_upload_only_random_names_inside_upload_dir_are_written(
    client, session, employer, root, data, filename
):
    # The fixtures live for all examples (hypothesis cannot renew them): so compare before/after.
    before_files, before_rows = files_under(root), len(rows(session))
    response = upload(client, data=data, filename=filename.replace("\x00", ""))

    assert response.status_code in (302, 400), response.status_code
    new_files = files_under(root) - before_files - {"uploads"}
    stored = rows(session)
    if response.status_code == 400:
        assert new_files == set() and len(stored) == before_rows
        page = response.get_data(as_text=True)
        # A name that breaks the multipart header itself (a newline) never reaches the view: the
        # parser refuses it and the error page gives the message instead of the form's flash.
        assert 'class="flash flash-error"' in page or 'class="error-message"' in page
        return
    assert len(stored) == before_rows + 1
    assert new_files == {f"uploads/{stored[-1].stored_name}"}
    assert RANDOM_NAME.fullmatch(stored[-1].stored_name)


def test_a_nul_byte_in_the_file_name_does_not_crash(client, session, employer, root):
    response = upload(client, data=PDF, filename="kvk\x00.pdf")
    assert response.status_code in (302, 400)
    assert all("\x00" not in e.original_name for e in rows(session))
