"""The world of the access tests: the cast, and one of every kind of object, all belonging to 光复道街道办事处
(the street office reached only through the group 各街道办事处).

Its liaison ("own") sees them all; 区财政局's liaison ("other") owes something in the same plan, task and
measure and sees none of the street office's objects; 区外单位's liaison ("outsider") owes nothing anywhere.
"""

import datetime
import hashlib
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.base import ContentFile

import reports.models
from indicators.models import FigureRound, Indicator
from notifications import circulars, letters
from notifications.models import Circular, Delivery, Letter, LetterReply, Message, Notification, ReplyFile
from reports.models import ReportJob
from tasks import uploads
from tasks.models import ExtensionRequest, ReportingRound, RoundSchedule
from tests.standard_catalogue import ensure_standard_catalogue
from tests.tasks.conftest import PDF, upload

NOW = datetime.datetime(2024, 7, 22, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # the measure is 3 weeks overdue


def fake_pdf(template, context) -> bytes:
    return PDF


@pytest.fixture
def world(cast, settings, tmp_path, monkeypatch):
    ensure_standard_catalogue()
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr(letters, "render_pdf", fake_pdf)  # the pages need a PDF, not a typeset one
    monkeypatch.setattr(circulars, "render_pdf", fake_pdf)
    monkeypatch.setattr(reports.models, "report_pdf", lambda report: PDF)
    with time_machine.travel(NOW, tick=False):
        w, today = cast, NOW.date()
        w.assignment = w.street_assignment
        w.submission = uploads.save_submission(
            w.assignment, author=w.street_user, text="已组织培训。", percent=50, today=today,
            files=uploads.check_files([upload("培训签到表.pdf", PDF)]))
        w.evidence = w.submission.evidence.get()
        w.extension = ExtensionRequest.objects.create(
            assignment=w.assignment, requested_by=w.street_user, requested_due_on=datetime.date(2024, 9, 30),
            reason="培训场地紧张")
        w.round = ReportingRound.objects.create(plan=w.plan, title="2024年7月调度", due_on=datetime.date(2024, 7, 25),
                                                created_by=w.lead)
        w.round.units.add(w.street, w.finance)
        w.schedule = RoundSchedule.objects.create(plan=w.plan, title="月度调度", frequency=RoundSchedule.Frequency.MONTHLY,
                                                  next_open_on=datetime.date(2024, 8, 1), created_by=w.lead)
        w.figure_round = FigureRound(period_kind="year", year=2024, due_on=datetime.date(2025, 1, 20), created_by=w.lead)
        w.figure_round.open([w.street, w.finance], Indicator.objects.filter(code__in=["officers", "certified"]))
        w.figure_report = w.figure_round.reports.get(unit=w.street)
        w.indicator = Indicator.objects.get(code="officers")
        w.letter = Letter.objects.create(
            plan=w.plan, unit=w.street, seq=1, prefix="测司法函", year=2024, serial=1, number="测司法函〔2024〕1号",
            title="关于督促光复道街道办事处加快推进有关工作的函", issued_on=today,
            reply_due_on=datetime.date(2024, 7, 29), reply_workdays=5, issuer="测试区司法局", signer="测试区司法局",
            pdf=ContentFile(PDF, name="letter.pdf"), created_by=w.lead)
        reply = LetterReply.objects.create(letter=w.letter, author=w.street_user, text="已完成整改。")
        w.reply_file = ReplyFile.objects.create(
            reply=reply, file=ContentFile(PDF, name="整改报告.pdf"), original_name="整改报告.pdf", size=len(PDF),
            sha256=hashlib.sha256(PDF).hexdigest(), content_type="application/pdf")
        w.circular = Circular.objects.create(
            plan=w.plan, prefix="测司法通", year=2024, serial=1, number="测司法通〔2024〕1号",
            title="关于提升行政执法质量三年行动工作进展情况的通报", issued_on=today, issuer="测试区司法局",
            signer="测试区司法局", content=circulars.circular_content(w.plan, today), created_by=w.lead,
            pdf=ContentFile(PDF, name="circular.pdf"))
        message = Message.objects.create(kind=Message.Kind.URGE, plan=w.plan, unit=w.street, assignment=w.assignment,
                                         subject="催办", body="请尽快报送。", link=f"/tasks/assignments/{w.assignment.pk}/")
        w.notification = Notification.objects.create(message=message, user=w.street_user)
        w.delivery = Delivery.objects.create(message=message, unit=w.street, channel=Delivery.Channel.EMAIL,
                                             target="gfd@example.org", state=Delivery.State.FAILED, attempts=3,
                                             last_error="SMTP 拒绝")
        w.job = ReportJob.objects.create(kind=ReportJob.Kind.UNIT, plan=w.plan, unit=w.street, as_of=today,
                                         state=ReportJob.State.DONE, progress=100, requested_by=w.street_user)
        w.job.pdf.save("report.pdf", ContentFile(PDF), save=False)
        w.job.xlsx.save("report.xlsx", ContentFile(b"PK"), save=False)
        w.job.save()
        yield w
