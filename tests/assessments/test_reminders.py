"""Overdue-review reminders: who is told, what counts as overdue, once a day per city."""

from __future__ import annotations

import datetime

from django.core import mail
from django.core.management import call_command

from pactesur.assessments.actions import (
    do_approve_assessment,
    do_send_assessment_reminders,
    do_submit_assessment,
)
from pactesur.assessments.models import ReminderLog
from tests.assessments.helpers import rate, settle_the_rest, start
from tests.factories import MembershipFactory, UserFactory

# A review date the reviewer may choose: at most 12 months ahead.
DUE = datetime.date.today() + datetime.timedelta(days=180)


def _approved(city, author, reviewer, name="Place Masséna", due=DUE):  # type: ignore[no-untyped-def]
    a = start(city, author, name=name)
    rate(a, "vehicle", 3, 3, author)
    settle_the_rest(a, author)
    do_submit_assessment(a, acting_user=author)
    do_approve_assessment(a, acting_user=reviewer, review_due=due)
    return a


def test_reminders_go_to_security_and_admins_of_the_city_only(  # type: ignore[no-untyped-def]
    city,
    other_city,
    city_admin,
    security_officer,
    planner,
    other_city_admin,
    django_capture_on_commit_callbacks,
) -> None:
    _approved(city, security_officer, city_admin)
    with django_capture_on_commit_callbacks(execute=True):
        result = do_send_assessment_reminders(today=DUE + datetime.timedelta(days=1))
    assert (result.cities, result.emails) == (1, 2)
    recipients = sorted(r for m in mail.outbox for r in m.to)
    assert recipients == sorted([city_admin.email, security_officer.email])
    assert "Place Masséna" in mail.outbox[0].body
    assert "Nice" in mail.outbox[0].subject


def test_an_assessment_is_not_overdue_on_its_review_day(city, city_admin, security_officer) -> None:  # type: ignore[no-untyped-def]
    _approved(city, security_officer, city_admin)
    assert do_send_assessment_reminders(today=DUE).cities == 0
    assert mail.outbox == []


def test_reminders_are_sent_once_a_day_and_again_the_next_day(  # type: ignore[no-untyped-def]
    city, city_admin, security_officer, django_capture_on_commit_callbacks
) -> None:
    _approved(city, security_officer, city_admin)
    day = DUE + datetime.timedelta(days=3)
    with django_capture_on_commit_callbacks(execute=True):
        do_send_assessment_reminders(today=day)
        second = do_send_assessment_reminders(today=day)
    assert (second.emails, second.skipped) == (0, 1)
    assert len(mail.outbox) == 2
    with django_capture_on_commit_callbacks(execute=True):
        do_send_assessment_reminders(today=day + datetime.timedelta(days=1))
    assert len(mail.outbox) == 4
    assert ReminderLog.objects.filter(city=city).count() == 2


def test_one_message_lists_every_overdue_space_and_skips_members_without_email(  # type: ignore[no-untyped-def]
    city, city_admin, security_officer, django_capture_on_commit_callbacks
) -> None:
    silent = UserFactory(username="no_mail", email="")
    MembershipFactory(user=silent, city=city, role="security")
    _approved(city, security_officer, city_admin, name="Place Masséna")
    _approved(city, security_officer, city_admin, name="Cours Saleya", due=DUE - datetime.timedelta(days=10))
    _approved(city, security_officer, city_admin, name="Port Lympia", due=DUE + datetime.timedelta(days=150))
    with django_capture_on_commit_callbacks(execute=True):
        do_send_assessment_reminders(today=DUE + datetime.timedelta(days=1))
    assert len(mail.outbox) == 2
    body = mail.outbox[0].body
    assert "Place Masséna" in body
    assert "Cours Saleya" in body
    assert "Port Lympia" not in body


def test_the_command_sends_the_reminders(city, city_admin, security_officer, capsys) -> None:  # type: ignore[no-untyped-def]
    _approved(city, security_officer, city_admin)
    call_command("send_assessment_reminders", "--date", (DUE + datetime.timedelta(days=1)).isoformat())
    assert "2 e-mails sent for 1 cities" in capsys.readouterr().out
    assert ReminderLog.objects.filter(city=city).exists()


def test_the_task_sends_the_reminders(city, city_admin, security_officer, settings) -> None:  # type: ignore[no-untyped-def]
    from pactesur.assessments.models import Assessment
    from pactesur.assessments.tasks import send_assessment_reminders

    a = _approved(city, security_officer, city_admin)
    # A year passes: the review date is now behind us.
    Assessment.objects.filter(pk=a.pk).update(review_due=datetime.date(2001, 1, 1))
    assert send_assessment_reminders.call() == 2


def test_the_background_workers_sweep_sends_the_reminders_once_an_hour(
    city, city_admin, security_officer
) -> None:  # type: ignore[no-untyped-def]
    from pactesur.assessments.models import Assessment
    from pactesur.jobs import sweeps

    a = _approved(city, security_officer, city_admin)
    Assessment.objects.filter(pk=a.pk).update(review_due=datetime.date(2001, 1, 1))
    sweeps._last_reminders_at = 0.0  # a worker that just started
    assert sweeps.do_sweep().reminders == 2
    assert ReminderLog.objects.filter(city=city).count() == 1
    assert sweeps.do_sweep().reminders == 0  # within the hour: not even looked at
    sweeps._last_reminders_at -= sweeps.REMINDERS_EVERY_S
    assert sweeps.do_sweep().reminders == 0  # an hour later: already reminded today
    assert ReminderLog.objects.filter(city=city).count() == 1


def test_the_reminder_writes_the_due_date_the_readers_way(  # type: ignore[no-untyped-def]
    city, city_admin, security_officer, django_capture_on_commit_callbacks
) -> None:
    type(security_officer).objects.filter(pk=security_officer.pk).update(preferred_language="fr")
    _approved(city, security_officer, city_admin)
    with django_capture_on_commit_callbacks(execute=True):
        do_send_assessment_reminders(today=DUE + datetime.timedelta(days=1))

    bodies = {m.to[0]: m.body for m in mail.outbox}
    shown = DUE.strftime("%d/%m/%Y")
    assert f"- Place Masséna: review was due on {shown} — " in bodies[city_admin.email]
    assert f"- Place Masséna\u00a0: revue prévue le {shown} — " in bodies[security_officer.email]
    assert DUE.isoformat() not in "".join(bodies.values())
