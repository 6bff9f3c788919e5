"""存在问题 and 下步工作: drafted from the figures, edited by the lead office, kept with the report and used again
when the same report is printed; the change since the previous kept report; the follow-up done (#15)."""

import io
import re

import pdfplumber
from django.urls import reverse
from django.utils import timezone

from reports.models import ReportJob
from tests.reports.conftest import at


def ask(client, plan, as_of="2024-07-15"):
    return client.post(reverse("reports:index"), {"kind": "inspection", "plan": plan.pk, "as_of": as_of})


def pdf_text(job) -> str:
    with job.pdf.open("rb") as f, pdfplumber.open(io.BytesIO(f.read())) as pdf:
        return re.sub(r"\s+", "", "".join(page.extract_text() or "" for page in pdf.pages))


def test_the_draft_is_written_from_the_figures(worked, login):
    with at(2024, 7, 20, 9):
        ask(login(worked.lead), worked.plan)
    job = ReportJob.objects.get()
    assert job.state == ReportJob.State.DONE
    assert job.text("problems").startswith("（一）截至2024年7月15日，到期事项2项，已完成1项，到期事项完成率50%；逾期未完成1项。")
    assert "逾期事项较多的单位：光复道街道办事处（1项）。" in job.text("problems")
    assert "函告1件逾期未回复（光复道街道办事处）。" in job.text("problems")
    assert "6月调度（逾期1家、未报送0家）" in job.text("problems")
    assert "督促未回复函告的单位限期报送整改回复" in job.text("next_steps")
    text = pdf_text(job)
    assert "存在问题" in text and "函告1件逾期未回复（光复道街道办事处）。" in text
    # 督办工作情况: the letter, the round, the return
    assert "督办工作情况" in text and "6月调度" in text


def test_lead_edits_the_text_it_is_kept_and_printed_again(worked, login):
    lead, inspector = login(worked.lead), login(worked.inspector)
    with at(2024, 7, 20, 9):
        ask(lead, worked.plan)
        job = ReportJob.objects.get()
        page = lead.get(job.get_absolute_url()).content.decode()
        assert "保存并重新生成" in page and "函告1件逾期未回复" in page
        response = lead.post(reverse("reports:text", args=[job.pk]),
                             {"problems": "（一）区财政局按期完成，光复道街道仍有逾期。", "next_steps": "（一）月底前完成整改。"})
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.text_edited_at is not None and job.text_edited_by == worked.lead and job.state == ReportJob.State.DONE
    assert set(job.texts) == {"problems", "next_steps"} and "函告1件逾期未回复" in job.drafts["problems"]
    assert "光复道街道仍有逾期。" in pdf_text(job) and "函告1件逾期未回复" not in pdf_text(job)

    with at(2024, 7, 21, 9):
        refused = inspector.post(reverse("reports:text", args=[job.pk]), {"problems": "改", "next_steps": "改"})
        assert refused.status_code == 403
        assert "保存并重新生成" not in inspector.get(job.get_absolute_url()).content.decode()
        ask(inspector, worked.plan)  # the same report printed again: the lead office's text, not a new draft
    again = ReportJob.objects.exclude(pk=job.pk).get()
    assert again.text("problems") == "（一）区财政局按期完成，光复道街道仍有逾期。"
    assert "月底前完成整改。" in pdf_text(again)
    job.refresh_from_db()
    assert job.text("problems") == "（一）区财政局按期完成，光复道街道仍有逾期。"


def test_words_kept_before_drafts_were_kept_are_shown_and_editable(worked, login):
    # a report edited before migration 0005 has the lead office's words and no draft
    lead = login(worked.lead)
    with at(2024, 7, 20, 9):
        ask(lead, worked.plan)
        ReportJob.objects.update(drafts={}, texts={"problems": "（一）旧的存在问题。", "next_steps": "（一）旧的下步工作。"},
                                 text_edited_at=timezone.now())
        page = lead.get(ReportJob.objects.get().get_absolute_url()).content.decode()
    assert "保存并重新生成" in page and "（一）旧的存在问题。" in page and "（一）旧的下步工作。" in page


def test_empty_text_is_refused_and_nothing_is_written(worked, login):
    lead = login(worked.lead)
    with at(2024, 7, 20, 9):
        ask(lead, worked.plan)
        job = ReportJob.objects.get()
        response = lead.post(reverse("reports:text", args=[job.pk]), {"problems": "", "next_steps": "x"})
    assert response.status_code == 400 and "这个字段是必填项" in response.content.decode()
    job.refresh_from_db()
    assert job.text_edited_at is None and job.text("next_steps") != "x"


def test_change_since_the_previous_kept_report(worked, login):
    lead = login(worked.lead)
    with at(2024, 7, 20, 9):
        ask(lead, worked.plan, "2024-06-26")
        ask(lead, worked.plan, "2024-07-15")
    first, second = ReportJob.objects.order_by("as_of")
    assert first.figures["done"] == 0 and second.figures["done"] == 1
    text = pdf_text(second)
    assert "与上次报告比较" in text and "上次报告截至2024年6月26日" in text
    assert "已完成（项）01+1" in text and "逾期未完成（项）01+1" in text
    assert "与上次报告比较" not in pdf_text(first)






def test_the_command_prints_the_kept_text_and_the_change(worked, login, tmp_path):
    from django.core.management import call_command

    lead = login(worked.lead)
    with at(2024, 7, 20, 9):
        ask(lead, worked.plan, "2024-06-26")
        ask(lead, worked.plan)
        job = ReportJob.objects.get(as_of="2024-07-15")
        lead.post(reverse("reports:text", args=[job.pk]), {"problems": "（一）命令行沿用的文字。", "next_steps": "（一）下步。"})
        call_command("render_report", "inspection", "--as-of", "2024-07-15", "-o", str(tmp_path / "x.pdf"),
                     stdout=io.StringIO())
    with pdfplumber.open(tmp_path / "x.pdf") as pdf:
        text = re.sub(r"\s+", "", "".join(page.extract_text() or "" for page in pdf.pages))
    assert "命令行沿用的文字。" in text and "上次报告截至2024年6月26日" in text
