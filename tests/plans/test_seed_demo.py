"""manage.py seed_demo: the demo district, its plan, the four accounts and a simulated year of work."""

import datetime
import hashlib
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from plans.models import Plan, Unit
from tasks.models import Assignment, Evidence, Review, Submission
from tracker.models import User

TZ = ZoneInfo("Asia/Shanghai")


def seed(*args) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_no_progress_creates_plan_directory_assignments_and_accounts():
    seed("--no-progress")
    plan = Plan.objects.get()
    assert plan.tasks.filter(number__isnull=False).count() == 17
    assert sorted(plan.tasks.filter(number__isnull=True).values_list("title", flat=True)) == sorted(
        ["加强组织推动", "细化落实举措", "做好宣传交流"])
    assert (plan.letter_prefix, plan.circular_prefix, plan.lead_unit.name) == ("河北司法函", "河北司法通", "区司法局")
    units_with_work = set(Assignment.objects.values_list("unit_id", flat=True).distinct())
    assert units_with_work == set(Unit.objects.values_list("pk", flat=True))
    street = Unit.objects.get(name="宁园街道办事处")
    task17 = plan.tasks.get(number=17)
    assert Assignment.objects.filter(unit=street, measure__task=task17).exists()
    assert not task17.measures.filter(units=street).exists()  # reached through 各街道办事处 only
    roles = {u.username: (u.role, u.unit.name if u.unit else None) for u in User.objects.all()}
    assert roles == {"sifaju": ("lead", None), "ducha": ("inspector", None),
                     "caizheng": ("unit", "区财政局"), "guangfudao": ("unit", "光复道街道办事处")}
    assert User.objects.get(username="caizheng").check_password("Demo-pass-2024")
    assert not Submission.objects.exists()


@pytest.mark.django_db
def test_if_empty_does_nothing_when_a_plan_exists(cast):
    assert "跳过" in seed("--if-empty")
    assert Plan.objects.count() == 1 and not User.objects.filter(username="sifaju").exists()


@pytest.mark.django_db
def test_progress_simulates_submissions_reviews_returns_and_overdue_work(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    seed()
    start, end = datetime.datetime(2024, 6, 14, tzinfo=TZ), datetime.datetime(2025, 6, 30, 23, 59, tzinfo=TZ)
    assert Submission.objects.count() > 50
    assert Review.objects.filter(decision="return").exclude(reason="").exists()
    assert Review.objects.filter(decision="accept").exists()
    statuses = set(Assignment.objects.values_list("status", flat=True))
    assert {"done", "returned", "submitted", "in_progress", "not_started"} <= statuses
    assert Assignment.objects.overdue(datetime.date(2025, 6, 30)).exists()
    # A returned submission stays; the resubmission is a new row that was accepted.
    resubmitted = Assignment.objects.filter(submissions__state="returned").filter(submissions__state="accepted")
    assert resubmitted.exists()
    # The demo accounts' units have a record of their own.
    assert Submission.objects.filter(author__username="caizheng").exists()
    assert Submission.objects.filter(author__username="guangfudao").exists()
    # Every dated record lies in the simulated year, history included.
    for model in (Submission, Review, Evidence):
        dates = model.objects.values_list("created_at", flat=True)
        assert all(start <= d <= end for d in dates), model
    history = Assignment.history.filter(history_type="~")
    assert history.exists() and all(start <= h.history_date <= end for h in history)
    done = Assignment.objects.filter(status="done").first()
    assert [h.status for h in done.history.order_by("history_date", "history_id")][-1] == "done"
    # Evidence files are real files with their recorded size and hash.
    for evidence in Evidence.objects.all()[:20]:
        content = evidence.file.read()
        assert len(content) == evidence.size and hashlib.sha256(content).hexdigest() == evidence.sha256
        assert content.startswith(b"%PDF-" if evidence.content_type == "application/pdf" else b"\x89PNG")
    # Running it again adds nothing.
    count = Submission.objects.count()
    seed()
    assert Submission.objects.count() == count
