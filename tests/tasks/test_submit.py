"""A unit's liaison reports progress: text, percent and evidence files; it waits in the review queue."""

import datetime
import hashlib
import threading

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from plans.models import Task
from tasks.models import Assignment, Evidence, ReportingRound, Submission
from tests.conftest import make_user
from tests.tasks.conftest import JPG, PDF, stored_files, upload


def submit_url(assignment):
    return f"/tasks/assignments/{assignment.pk}/submit/"


def test_liaison_submits_progress_with_several_files(frozen, cast, login, media_root):
    assignment = cast.street_assignment
    response = login(cast.street_user).post(submit_url(assignment), {
        "text": "已组织全员轮训两期，参训48人。", "percent": "60",
        "files": [upload("培训通知.pdf", PDF), upload("现场照片.jpg", JPG)],
    }, follow=True)
    assert "进展已报送，等待牵头单位审核。" in response.content.decode()
    submission = Submission.objects.get()
    assert (submission.author, submission.percent, submission.state) == (cast.street_user, 60, "pending")
    assert submission.text == "已组织全员轮训两期，参训48人。"
    names = {e.original_name: e for e in submission.evidence.all()}
    assert set(names) == {"培训通知.pdf", "现场照片.jpg"}
    pdf = names["培训通知.pdf"]
    assert pdf.sha256 == hashlib.sha256(PDF).hexdigest() and pdf.size == len(PDF)
    assert pdf.content_type == "application/pdf" and names["现场照片.jpg"].content_type == "image/jpeg"
    # Stored under generated names inside MEDIA_ROOT; the original name lives in the row only.
    files = stored_files(media_root)
    assert len(files) == 2 and all("培训" not in str(p) and "照片" not in str(p) for p in files)
    assert all(p.resolve().is_relative_to(media_root.resolve()) for p in files)
    assert sorted(p.read_bytes() for p in files) == sorted([PDF, JPG])
    assignment.refresh_from_db()
    assert (assignment.status, assignment.percent) == (Assignment.Status.SUBMITTED, 60)


def test_progress_without_files_is_allowed_but_completion_needs_evidence(cast, login):
    c = login(cast.street_user)
    response = c.post(submit_url(cast.street_assignment), {"text": "已制定培训计划。", "percent": "20"})
    assert response.status_code == 302
    response = c.post(submit_url(cast.street_assignment), {"text": "全部完成。", "percent": "100"})
    assert "报送完成（100%）时请上传佐证材料。" in response.content.decode()
    assert Submission.objects.count() == 1


@pytest.mark.parametrize("percent,message", [
    ("101", "完成进度不能大于100。"), ("-5", "完成进度不能小于0。"), ("六十", "完成进度请填写0—100的整数。"),
    ("", "请填写完成进度（0—100）。"),
])
def test_bad_percent_is_refused_and_the_text_kept(cast, login, percent, message):
    response = login(cast.street_user).post(submit_url(cast.street_assignment),
                                            {"text": "进展说明保留", "percent": percent})
    page = response.content.decode()
    assert message in page and "进展说明保留" in page
    assert not Submission.objects.exists()


def test_text_is_required(cast, login):
    response = login(cast.street_user).post(submit_url(cast.street_assignment), {"text": " ", "percent": "10"})
    assert "请填写进展情况。" in response.content.decode()


def test_done_assignment_takes_no_more_submissions(cast, login):
    Assignment.objects.filter(pk=cast.street_assignment.pk).update(status="done")
    response = login(cast.street_user).post(submit_url(cast.street_assignment),
                                            {"text": "补充", "percent": "100"}, follow=True)
    assert "该任务已完成，无需再报送。" in response.content.decode()
    assert not Submission.objects.exists()


def test_submission_answers_the_open_round_for_its_unit_and_task(frozen, cast, submit_with):
    today = timezone.localdate()
    closed = ReportingRound.objects.create(plan=cast.plan, title="5月调度", due_on=datetime.date(2024, 5, 25),
                                           created_by=cast.lead, closed_at=timezone.now())
    other_task = Task.objects.create(plan=cast.plan, number=2, title="另一任务", order=2)
    elsewhere = ReportingRound.objects.create(plan=cast.plan, title="其他任务调度", due_on=datetime.date(2024, 6, 22),
                                              created_by=cast.lead)
    elsewhere.tasks.add(other_task)
    june = ReportingRound.objects.create(plan=cast.plan, title="6月调度", due_on=datetime.date(2024, 6, 25),
                                         created_by=cast.lead)
    for r in (closed, elsewhere, june):
        r.units.add(cast.street)
    not_ours = ReportingRound.objects.create(plan=cast.plan, title="财政局专项调度",
                                             due_on=datetime.date(2024, 6, 21), created_by=cast.lead)
    not_ours.units.add(cast.finance)

    assert list(ReportingRound.objects.open_for(cast.street_assignment, today)) == [june]
    submission = submit_with(cast.street_assignment, cast.street_user)
    assert submission.round == june
    # A round closed later than the day asked about was still open on that day.
    assert closed in ReportingRound.objects.open_for(cast.street_assignment, datetime.date(2024, 5, 20))


def test_submission_without_an_open_round_has_none(cast, submit_with):
    assert submit_with(cast.finance_assignment, cast.finance_user).round is None


def test_two_liaisons_of_one_unit_both_kept(cast, submit_with):
    colleague = make_user("street2", "unit", cast.street)
    submit_with(cast.street_assignment, cast.street_user, text="第一位联络员的报送")
    submit_with(cast.street_assignment, colleague, text="第二位联络员的报送")
    assert set(Submission.objects.values_list("text", flat=True)) == {"第一位联络员的报送", "第二位联络员的报送"}
    assert Evidence.objects.count() == 2


postgres_only = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="two real threads need PostgreSQL (DATABASE_URL)",
)


@postgres_only
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_liaisons_submitting_at_the_same_moment_on_postgresql(cast, media_root):
    from tasks import uploads

    colleague = make_user("street2", "unit", cast.street)
    barrier = threading.Barrier(2)
    errors = []

    def report(user, text):
        try:
            checked = uploads.check_files([upload(f"{text}.pdf", PDF)])
            barrier.wait()
            uploads.save_submission(cast.street_assignment, author=user, text=text, percent=50, files=checked,
                                    today=timezone.localdate())
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=report, args=(u, t))
               for u, t in ((cast.street_user, "甲"), (colleague, "乙"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert set(Submission.objects.values_list("text", flat=True)) == {"甲", "乙"}
    assert Evidence.objects.count() == 2 and len(stored_files(media_root)) == 2


def test_submit_still_checks_the_csrf_token(cast):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.street_user)
    response = client.post(submit_url(cast.street_assignment), {"text": "进展", "percent": "10"})
    assert response.status_code == 403
    assert not Submission.objects.exists()
