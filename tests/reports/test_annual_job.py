"""The annual 行政执法工作报告 on the reports page (#16): asked for by the lead office or an inspector for a year with
a 数据报送 round, rendered in the background job (PDF, Word, Excel 附件), its four sections rewritten by the lead
office, kept, printed again, and restored to the system's draft section by section."""

import io
import re
import zipfile

import pdfplumber
import pytest
from django.urls import reverse
from django.utils import timezone

from indicators import demo
from indicators.models import FigureRound, Period
from notifications.models import Notification
from plans.models import Unit
from reports.annual import SECTIONS, annual_error
from reports.models import ReportJob
from tests.reports.conftest import at
from tests.standard_catalogue import ensure_standard_catalogue
from tracker.models import User
from tracker.recovery import recover

ASKED = (2026, 1, 26, 10)
KEYS = [key for key, _ in SECTIONS]


@pytest.fixture
def figures(cast):
    """The 2024 and 2025 rounds as the demo enters them: every unit approved, but one in 2025."""
    ensure_standard_catalogue()  # a transactional test earlier on this worker may have flushed it
    units = [cast.justice, cast.finance, cast.street,
             Unit.objects.create(name="区市场监管局", short_name="市场监管局", kind=Unit.Kind.DEPARTMENT),
             Unit.objects.create(name=demo.LEFT_PENDING, short_name="望海楼街道", kind=Unit.Kind.STREET)]
    liaisons = {u.pk: User.objects.create_user(username=f"u{u.pk}", role=User.Role.UNIT, unit=u) for u in units}
    demo.seed_figures(liaisons, cast.lead, units, io.StringIO())
    return cast


def ask(client, plan, year=2025, **extra):
    return client.post(reverse("reports:index"), {"kind": "annual", "plan": plan.pk, "year": year,
                                                  "as_of": "2026-01-26", **extra})


def asked(client, plan, capture) -> ReportJob:
    """The annual report asked for on the page, its Huey job run after the commit (Huey runs at once in tests)."""
    with at(*ASKED), capture(execute=True):
        response = ask(client, plan)
    job = ReportJob.objects.latest("pk")
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    job.refresh_from_db()
    return job


def pdf_text(job) -> str:
    with job.pdf.open("rb") as f, pdfplumber.open(io.BytesIO(f.read())) as pdf:
        return re.sub(r"\s+", "", "".join(page.extract_text() or "" for page in pdf.pages))


def docx_text(job) -> str:
    with job.docx.open("rb") as f, zipfile.ZipFile(io.BytesIO(f.read())) as z:
        return re.sub(r"<[^>]+>", "", z.read("word/document.xml").decode())


def test_the_annual_report_renders_in_the_background_and_keeps_three_files(figures, login,
                                                                           django_capture_on_commit_callbacks):
    lead = login(figures.lead)
    job = asked(lead, figures.plan, django_capture_on_commit_callbacks)
    assert (job.kind, job.year, job.state, job.runs, job.progress) == ("annual", 2025, "done", 1, 100)
    assert job.title == "2025年度行政执法工作报告"
    assert job.pdf.read(5) == b"%PDF-" and job.docx.read(2) == b"PK" and job.xlsx.read(2) == b"PK"
    assert set(job.drafts) == set(KEYS) and all(job.drafts.values()) and job.texts == {}
    assert "2025年度行政执法工作报告" in pdf_text(job) and job.drafts["basics"].splitlines()[0][:20] in docx_text(job)
    for fmt in ("pdf", "docx", "xlsx"):
        response = lead.get(reverse("reports:download", args=[job.pk, fmt]))
        assert response.status_code == 200
        assert "2025%E5%B9%B4%E5%BA%A6" in response["Content-Disposition"]  # 2025年度…
        assert job.file_name(fmt) == f"2025年度行政执法工作报告.{fmt}"
    note = Notification.objects.get(user=figures.lead)
    assert note.message.subject == "报告已生成：2025年度行政执法工作报告"
    assert "PDF、Word和Excel附件" in note.message.body
    index = lead.get(reverse("reports:index")).content.decode()
    assert "2025年度行政执法工作报告" in index and ">Word</a>" in index and ">Excel附件</a>" in index


def test_the_form_offers_the_years_with_a_round_newest_first(figures, login):
    FigureRound.objects.create(period_kind=Period.YEAR, year=2023, due_on="2024-01-20", created_by=figures.lead)
    # a quarter's round gives no annual report: 2026 is not offered
    FigureRound.objects.create(period_kind=Period.QUARTER, year=2026, quarter=1, due_on="2026-04-20",
                               created_by=figures.lead)
    for user in (figures.lead, figures.inspector):
        with at(*ASKED):
            form = login(user).get(reverse("reports:index")).context["form"]
        assert ("annual", "年度行政执法工作报告") in form.fields["kind"].choices
        assert [year for year, _ in form.fields["year"].choices] == ["", 2025, 2024, 2023]
    with at(*ASKED):
        page = login(figures.street_user).get(reverse("reports:index"))
    form = page.context["form"]
    assert form.fields["kind"].choices == [("unit", "单位工作情况报告")] and "year" not in form.fields
    assert "年度行政执法工作报告" not in page.content.decode()


def test_a_year_the_builder_refuses_gets_its_message_on_the_field(figures, login):
    FigureRound.objects.create(period_kind=Period.YEAR, year=2023, due_on="2024-01-20", created_by=figures.lead)
    message = annual_error(2023, figures.plan)
    assert message  # a round with nothing approved in it
    lead = login(figures.lead)
    with at(*ASKED):
        refused = ask(lead, figures.plan, year=2023)
        missing = ask(lead, figures.plan, year="")
    assert refused.status_code == 200 and refused.context["form"].errors["year"] == [message]
    assert message in refused.content.decode()
    assert missing.context["form"].errors["year"] == ["年度报告请选择年度。"]
    assert not ReportJob.objects.exists()


def test_edits_are_kept_shown_with_who_and_when_and_printed_again(figures, login,
                                                                  django_capture_on_commit_callbacks):
    lead, inspector = login(figures.lead), login(figures.inspector)
    job = asked(lead, figures.plan, django_capture_on_commit_callbacks)
    with at(*ASKED):
        page = lead.get(job.get_absolute_url()).content.decode()
    assert page.count("<textarea") == 4 and "保存并重新生成" in page
    for key, title in SECTIONS:
        assert title in page and job.drafts[key].splitlines()[0] in page  # the draft, prefilled
    # as a browser sends them: every line ended by "\r\n"; the sections left as drafted follow the draft
    written = {**{key: text.replace("\n", "\r\n") for key, text in job.drafts.items()},
               "practices": "（一）全区开展行政执法案卷评查，评查案卷120卷。\r\n"}
    with at(2026, 1, 27, 9, 30), django_capture_on_commit_callbacks(execute=True):
        response = lead.post(reverse("reports:text", args=[job.pk]), written)
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.state == "done" and job.runs == 2
    assert job.texts == {"practices": "（一）全区开展行政执法案卷评查，评查案卷120卷。"}  # the others follow the draft
    assert job.text_edited_by == figures.lead
    assert "评查案卷120卷。" in pdf_text(job) and "评查案卷120卷。" in docx_text(job)
    with at(2026, 1, 27, 10):
        page = lead.get(job.get_absolute_url()).content.decode()
        shown = inspector.get(job.get_absolute_url()).content.decode()
    assert f"由{figures.lead}于2026年1月27日 09:30修改" in page and "恢复为系统起草" in page
    assert "评查案卷120卷。" in shown and "<textarea" not in shown and "恢复为系统起草" not in shown

    again = asked(inspector, figures.plan, django_capture_on_commit_callbacks)  # the same year, asked again
    assert again.pk != job.pk and again.texts == job.texts and again.text_edited_by == figures.lead
    assert "评查案卷120卷。" in pdf_text(again)


def test_two_edits_at_once_do_not_overwrite_each_other_unknowingly(figures, login,
                                                                   django_capture_on_commit_callbacks):
    first, second = login(figures.lead), login(figures.lead)
    job = asked(first, figures.plan, django_capture_on_commit_callbacks)
    with at(2026, 1, 27, 9):
        shown = second.get(job.get_absolute_url()).context["text_form"]["edited_at"].value()  # a second tab
    assert shown == ""
    mine = {**job.drafts, "problems": "（一）个别单位数据报送不及时。", "edited_at": shown}
    theirs = {**job.drafts, "next_steps": "（一）健全执法监督体系。", "edited_at": shown}
    with at(2026, 1, 27, 9, 30), django_capture_on_commit_callbacks(execute=True):
        first.post(reverse("reports:text", args=[job.pk]), mine)
    with at(2026, 1, 27, 9, 40), django_capture_on_commit_callbacks(execute=True):
        refused = second.post(reverse("reports:text", args=[job.pk]), theirs)
    job.refresh_from_db()
    assert refused.status_code == 409 and job.texts == {"problems": "（一）个别单位数据报送不及时。"}
    page = refused.content.decode()
    assert "您的修改未保存" in page and "健全执法监督体系。" in page  # the words typed are shown again
    # saved again from that page, knowingly
    with at(2026, 1, 27, 9, 45), django_capture_on_commit_callbacks(execute=True):
        saved = second.post(reverse("reports:text", args=[job.pk]),
                            {**theirs, "edited_at": refused.context["text_form"]["edited_at"].value()})
    job.refresh_from_db()
    assert saved.status_code == 302 and job.texts["next_steps"] == "（一）健全执法监督体系。"
    assert job.text("problems") == job.drafts["problems"]  # the words of the second tab, as it was told


def test_a_section_is_restored_to_the_draft(figures, login, django_capture_on_commit_callbacks):
    lead = login(figures.lead)
    job = asked(lead, figures.plan, django_capture_on_commit_callbacks)
    draft = job.drafts["problems"]
    rewritten = {**job.drafts, "problems": "（一）个别单位数据报送不及时。", "next_steps": "（一）健全执法监督体系。"}
    with at(2026, 1, 27, 9), django_capture_on_commit_callbacks(execute=True):
        lead.post(reverse("reports:text", args=[job.pk]), rewritten)
    job.refresh_from_db()
    assert set(job.texts) == {"problems", "next_steps"}
    with at(2026, 1, 28, 9), django_capture_on_commit_callbacks(execute=True):
        lead.post(reverse("reports:text", args=[job.pk]),
                  {**rewritten, "restore": "problems", "edited_at": job.text_version})
    job.refresh_from_db()
    assert job.texts == {"next_steps": "（一）健全执法监督体系。"} and job.text("problems") == draft
    text = pdf_text(job)
    assert "数据报送不及时" not in text and "健全执法监督体系。" in text
    with at(2026, 1, 28, 10):
        page = lead.get(job.get_absolute_url()).content.decode()
    assert 'data-testid="restore-problems"' not in page and 'data-testid="restore-next_steps"' in page


def test_a_liaison_cannot_ask_for_or_see_it_and_an_inspector_cannot_edit_it(figures, login,
                                                                            django_capture_on_commit_callbacks):
    job = asked(login(figures.inspector), figures.plan, django_capture_on_commit_callbacks)
    assert job.requested_by == figures.inspector and job.state == "done"
    liaison = login(figures.street_user)
    with at(*ASKED):
        refused = ask(liaison, figures.plan)
        hidden = liaison.get(job.get_absolute_url())
        edit = login(figures.inspector).post(reverse("reports:text", args=[job.pk]), job.drafts)
    assert refused.status_code == 403 and "只能生成本单位的报告。" in refused.content.decode()
    assert hidden.status_code == 404 and edit.status_code == 403
    assert ReportJob.objects.count() == 1


def test_an_annual_job_left_by_a_dead_worker_is_queued_again_and_finished(figures):
    with at(*ASKED):
        job = ReportJob.ask(requested_by=figures.lead, kind="annual", plan=figures.plan, year=2025,
                            as_of=timezone.localdate())
        assert job.runs_in_background() and job.claim()
        job._progress(30, "排版PDF")
    with at(2026, 1, 26, 10, 16):
        assert recover(timezone.now())["reports"] == 1  # queued again; Huey runs it at once in the tests
    job.refresh_from_db()
    assert (job.state, job.runs) == ("done", 2) and job.docx.read(2) == b"PK"
