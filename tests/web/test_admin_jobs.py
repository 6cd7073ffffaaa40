"""/admin/jobs: the schedule and last runs of every job, and running one now."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from matcher.audit.models import AuditEvent
from matcher.db import utcnow
from matcher.jobs.models import JobRun, RunStatus, RunTrigger
from matcher.jobs.runner import take_lease
from tests.factories import PASSWORD, make_user
from tests.web.conftest import make_test_app


def test_only_admins_see_the_jobs_page(client, login):
    login(role="mediator")
    assert client.get("/admin/jobs").status_code == 403


def test_an_admin_sees_each_job_with_its_schedule_and_runs_one_now(client, login, session):
    admin = login(role="admin")
    html = client.get("/admin/jobs").get_data(as_text=True)
    assert "Re-rank what changed" in html and "every 15 minutes" in html
    assert 'href="/admin/jobs"' in html  # the nav link
    assert html.count("Not run yet.") == 7

    response = client.post("/admin/jobs/close_vacancies/run", follow_redirects=True)

    page = response.get_data(as_text=True)
    assert "Close vacancies past their closing date has run." in page
    assert "closed: 0" in page and "succeeded" in page and "an admin" in page
    run = session.scalar(select(JobRun).where(JobRun.job == "close_vacancies"))
    assert (run.status, run.trigger) == (RunStatus.SUCCEEDED, RunTrigger.MANUAL)
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "run_job"))
    assert (event.actor_id, event.object_id) == (admin.id, run.id)


def test_run_now_is_refused_while_the_lease_is_held(client, login, session):
    login(role="admin")
    take_lease(session, "retention", "scheduler-a", utcnow(), 3600)
    session.commit()

    page = client.post("/admin/jobs/retention/run", follow_redirects=True).get_data(as_text=True)

    assert "is running elsewhere just now (scheduler-a): try again later." in page
    assert session.scalar(select(JobRun)) is None


def test_an_unknown_job_is_not_found(client, login):
    login(role="admin")
    assert client.post("/admin/jobs/nothing/run").status_code == 404


def test_run_now_needs_the_csrf_token(session_factory, session):
    app = make_test_app(session_factory, WTF_CSRF_ENABLED=True)
    admin = make_user(session, role="admin")
    session.commit()
    browser = app.test_client()
    login_page = browser.get("/login").get_data(as_text=True)
    token = login_page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    browser.post("/login", data={"email": admin.email, "password": PASSWORD, "csrf_token": token})

    assert browser.post("/admin/jobs/send_outbox/run").status_code == 400
    assert session.scalar(select(JobRun)) is None


def test_the_jobs_page_in_dutch(client, login, session):
    login(role="admin", language="nl")
    session.add(JobRun(job="vetting", trigger=RunTrigger.SCHEDULED, status=RunStatus.FAILED,
                       started_at=utcnow() - timedelta(hours=1), finished_at=utcnow(),
                       counts={}, error="RuntimeError: disk full"))  # fmt: skip
    session.commit()

    html = client.get("/admin/jobs").get_data(as_text=True)

    assert "Geplande taken" in html and "elke 15 minuten" in html and "Nu uitvoeren" in html
    assert "mislukt" in html and "RuntimeError: disk full" in html
