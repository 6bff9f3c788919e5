"""The pages: inbox, letters (scoped by unit), replies, withdrawal, circulars, failed deliveries,
ladder settings and sending by hand — for each role of the cast."""

import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from notifications import letters
from notifications.models import (
    Circular,
    Delivery,
    DocumentCounter,
    LadderConfig,
    Letter,
    Message,
    Notification,
    ReplyFile,
)
from notifications.sweep import run_sweep
from tasks.models import Assignment
from tests.conftest import redis_down

D = datetime.date
TODAY = datetime.datetime(2024, 7, 22, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def fast_pdf(monkeypatch):
    """Page tests need a PDF, not a typeset one (the letter PDF has its own tests)."""
    monkeypatch.setattr(letters, "render_pdf", lambda template, context: b"%PDF-1.7 " + context["number"].encode())


@pytest.fixture
def letter(cast, fast_pdf):
    run_sweep(D(2024, 7, 1))  # both units' items due 2024-06-30: the first urge
    run_sweep(D(2024, 7, 20))  # 15 working days overdue, urged since 7/1: a letter each
    return Letter.objects.get(unit=cast.finance)


def test_unread_count_in_header_and_mark_as_read(cast, login, letter):
    client = login(cast.finance_user)
    page = client.get(reverse("notifications:inbox"))
    assert page.status_code == 200
    unread = Notification.objects.filter(user=cast.finance_user, read_at__isnull=True).count()
    assert unread == 3  # the digests of 7/1 and 7/20, and the letter
    assert f'data-testid="unread-count">{unread}<' in page.content.decode()
    assert "函告" in page.content.decode() and "每日汇总" in page.content.decode()
    note = Notification.objects.filter(user=cast.finance_user, message__kind="letter").get()
    answer = client.post(reverse("notifications:read", args=[note.pk]))
    assert answer.status_code == 302 and answer["Location"] == letter.get_absolute_url()
    assert Notification.objects.filter(user=cast.finance_user, read_at__isnull=True).count() == 2
    client.post(reverse("notifications:inbox"))
    assert not Notification.objects.filter(user=cast.finance_user, read_at__isnull=True).exists()


def test_someone_elses_notification_is_404(cast, login, letter):
    note = Notification.objects.filter(user=cast.finance_user).first()
    assert login(cast.street_user).post(reverse("notifications:read", args=[note.pk])).status_code == 404


def test_letters_are_scoped_to_the_unit(cast, login, letter):
    url = letter.get_absolute_url()
    pdf = reverse("notifications:letter_pdf", args=[letter.pk])
    assert login(cast.finance_user).get(url).status_code == 200
    assert login(cast.finance_user).get(pdf).status_code == 200
    for user in (cast.street_user, cast.outsider):
        assert login(user).get(url).status_code == 404
        assert login(user).get(pdf).status_code == 404
    listing = login(cast.street_user).get(reverse("notifications:letters")).content.decode()
    assert letter.number not in listing
    assert Letter.objects.get(unit=cast.street).number in listing
    for user in (cast.lead, cast.inspector):
        page = login(user).get(reverse("notifications:letters")).content.decode()
        assert letter.number in page and "待回复" in page


def test_inspector_reads_but_cannot_post(cast, login, letter):
    client = login(cast.inspector)
    assert client.get(letter.get_absolute_url()).status_code == 200
    assert client.post(letter.get_absolute_url(), {"action": "withdraw", "reason": "x"}).status_code == 403
    assert client.post(reverse("notifications:ladder_config", args=[cast.plan.pk]), {}).status_code == 403
    assert client.post(reverse("notifications:assignment", args=[cast.finance_assignment.pk]),
                       {"kind": "urge"}).status_code == 403


def test_unit_answers_a_letter_with_text_and_files(cast, login, letter):
    client = login(cast.finance_user)
    upload = SimpleUploadedFile("整改报告.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
                                content_type="application/pdf")
    answer = client.post(letter.get_absolute_url(), {"action": "reply", "text": "已完成全员轮训。", "files": [upload]})
    assert answer.status_code == 302
    reply = letter.replies.get()
    assert reply.text == "已完成全员轮训。" and reply.files.get().original_name == "整改报告.pdf"
    assert letter.reply_state(D(2024, 7, 22)) == "已回复"
    assert Message.objects.filter(kind="reply", notifications__user=cast.lead).exists()
    page = login(cast.lead).get(reverse("notifications:letters")).content.decode()
    assert "已回复" in page
    file_url = reverse("notifications:reply_file", args=[reply.files.get().pk])
    assert login(cast.lead).get(file_url).status_code == 200
    assert login(cast.street_user).get(file_url).status_code == 404


def test_a_bad_reply_file_is_refused_and_nothing_is_stored(cast, login, letter):
    client = login(cast.finance_user)
    fake = SimpleUploadedFile("报告.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf")
    page = client.post(letter.get_absolute_url(), {"action": "reply", "text": "见附件", "files": [fake]})
    assert page.status_code == 200 and "未能上传" in page.content.decode()
    assert not letter.replies.exists() and not ReplyFile.objects.exists()


def test_reply_state_shows_unanswered_past_due(cast, letter):
    assert letter.reply_state(D(2024, 7, 26)) == "待回复"
    assert letter.reply_state(D(2024, 7, 29)) == "逾期未回复"


def test_lead_withdraws_a_letter_with_a_reason(cast, login, letter):
    client = login(cast.lead)
    page = client.post(letter.get_absolute_url(), {"action": "withdraw", "reason": ""})
    assert page.status_code == 200 and "请填写作废理由" in page.content.decode()
    number = letter.number
    client.post(letter.get_absolute_url(), {"action": "withdraw", "reason": "误发"})
    letter.refresh_from_db()
    assert letter.is_withdrawn and letter.withdrawn_reason == "误发" and letter.number == number
    assert login(cast.finance_user).post(letter.get_absolute_url(),
                                         {"action": "withdraw", "reason": "x"}).status_code == 403


def test_ladder_settings_page(cast, login):
    url = reverse("notifications:ladder_config", args=[cast.plan.pk])
    page = login(cast.lead).get(url)
    assert page.status_code == 200 and "提醒（第1次）" in page.content.decode()
    bad = login(cast.lead).post(url, {"remind_days": "7,abc", "urge_every_workdays": 5, "letter_after_workdays": 10,
                                      "reply_workdays": 5, "circular_after_workdays": 20, "enabled": "on"})
    assert "提醒天数须为1至60之间的整数" in bad.content.decode()
    ok = login(cast.lead).post(url, {"remind_days": "10,3", "urge_every_workdays": 3, "letter_after_workdays": 8,
                                     "reply_workdays": 4, "circular_after_workdays": 15, "enabled": "on",
                                     "masthead": "测试区司法局"})
    assert ok.status_code == 302
    config = LadderConfig.objects.get(plan=cast.plan)
    assert config.remind_list == [10, 3] and config.issuer_name == "测试区司法局"
    assert login(cast.finance_user).get(url).status_code == 403  # its plan, not its page
    assert login(cast.outsider).get(url).status_code == 404  # owes nothing in the plan


def test_lead_sends_an_urge_by_hand(cast, login):
    url = reverse("notifications:assignment", args=[cast.finance_assignment.pk])
    client = login(cast.lead)
    client.post(url, {"kind": "remind"})  # overdue already: refused with a message
    assert not Message.objects.exists()
    client.post(url, {"kind": "urge", "note": "请本周内报送"})
    message = Message.objects.get()
    assert message.kind == "urge" and message.sent_by == cast.lead and "附言：请本周内报送" in message.body
    assert Notification.objects.filter(message=message, user=cast.finance_user).exists()
    page = login(cast.finance_user).get(url).content.decode()
    assert "手动发送" in page
    assert login(cast.street_user).get(url).status_code == 404
    assert login(cast.finance_user).post(url, {"kind": "urge"}).status_code == 403


def test_manual_letter_with_preview_then_number(cast, login, fast_pdf):
    url = reverse("notifications:unit_letter", args=[cast.finance.pk, cast.plan.pk])
    client = login(cast.lead)
    page = client.get(url).content.decode()
    assert "2024年6月底前完成全员轮训" not in page and "请先在任务的督办记录页面催办" in page  # never urged
    client.post(reverse("notifications:assignment", args=[cast.finance_assignment.pk]), {"kind": "urge"})
    page = client.get(url)
    assert page.status_code == 200 and "2024年6月底前完成全员轮训" in page.content.decode()
    assert "已于2024年7月22日催办" in page.content.decode()
    preview = client.get(url + "?preview=1")
    assert preview["Content-Type"] == "application/pdf" and b"\xe3\x80\x80" in preview.content  # blank number
    assert not Letter.objects.exists()
    answer = client.post(url)
    letter = Letter.objects.get()
    assert answer["Location"] == letter.get_absolute_url()
    assert letter.number == "测司法函〔2024〕1号" and letter.created_by == cast.lead and letter.pdf
    assert login(cast.finance_user).get(url).status_code == 403  # its own unit, but the lead office's page
    assert login(cast.street_user).get(url).status_code == 404  # another unit
    assert login(cast.inspector).post(url).status_code == 403


def test_circular_names_late_units_and_goes_to_everyone(cast, login, fast_pdf, monkeypatch):
    from notifications import circulars

    monkeypatch.setattr(circulars, "render_pdf", lambda template, context: b"%PDF-1.7")
    run_sweep(D(2024, 7, 20))
    client = login(cast.lead)
    url = reverse("notifications:circular_new", args=[cast.plan.pk])
    page = client.get(url).content.decode()
    assert "函告逾期未回复的单位" in page
    client.post(url)
    circular = Circular.objects.get()
    assert circular.number == "测司法通〔2024〕1号"
    assert [row["unit"] for row in circular.content["unanswered"]] == []  # reply dates not yet passed on 7/22
    assert Notification.objects.filter(message__circular=circular).count() == 5  # every active user
    detail = login(cast.street_user).get(circular.get_absolute_url())
    assert detail.status_code == 200
    assert login(cast.finance_user).post(url).status_code in (403, 404)


def test_failed_deliveries_page_and_retry(cast, login, letter):
    delivery = Delivery.objects.filter(channel="email").first()
    Delivery.objects.filter(pk=delivery.pk).update(state="failed", attempts=3, last_error="SMTP 拒绝")
    page = login(cast.lead).get(reverse("notifications:deliveries")).content.decode()
    assert "SMTP 拒绝" in page and "重新发送" in page
    assert login(cast.inspector).post(reverse("notifications:delivery_retry", args=[delivery.pk])).status_code == 403
    assert login(cast.finance_user).get(reverse("notifications:deliveries")).status_code == 403
    assert login(cast.street_user).post(reverse("notifications:delivery_retry", args=[delivery.pk])).status_code == 404
    login(cast.lead).post(reverse("notifications:delivery_retry", args=[delivery.pk]))
    delivery.refresh_from_db()
    assert delivery.state == "pending" and delivery.attempts == 0


def test_assignment_done_is_not_urged_by_hand(cast, login):
    Assignment.objects.filter(pk=cast.finance_assignment.pk).update(status="done")
    login(cast.lead).post(reverse("notifications:assignment", args=[cast.finance_assignment.pk]), {"kind": "urge"})
    assert not Message.objects.exists()


def test_circular_content_names_long_overdue_units_unanswered_letters_and_round_reporting(cast, fast_pdf):
    from notifications.circulars import circular_content
    from tasks.models import ReportingRound, Submission

    run_sweep(D(2024, 7, 1))  # the first urges
    run_sweep(D(2024, 7, 20))  # letters to both units, replies due 2024-07-26
    letter = Letter.objects.get(unit=cast.street)
    letter.replies.create(author=cast.street_user, text="已整改")
    rnd = ReportingRound.objects.create(plan=cast.plan, title="7月调度", due_on=D(2024, 7, 25), created_by=cast.lead)
    rnd.units.add(cast.finance, cast.street, cast.justice)
    Submission.objects.create(assignment=cast.finance_assignment, round=rnd, author=cast.finance_user,
                              text="进展", percent=50)
    content = circular_content(cast.plan, D(2024, 8, 1), rnd)
    assert content["round"]["on_time"] == ["区财政局"]  # submitted 2024-07-22, before the 25th
    assert content["round"]["missing"] == ["光复道街道办事处", "区司法局"]  # directory order, then name
    assert [(r["unit"], r["count"], r["max_workdays"]) for r in content["long_overdue"]] == [
        ("光复道街道办事处", 1, 24), ("区财政局", 1, 24)]
    assert [(r["unit"], r["numbers"]) for r in content["unanswered"]] == [
        ("区财政局", [Letter.objects.get(unit=cast.finance).number])]


def test_urge_and_letter_by_hand_while_redis_is_down_are_saved_and_a_repeated_letter_is_not_numbered_again(
        cast, login, fast_pdf, monkeypatch, caplog, django_capture_on_commit_callbacks):
    client = login(cast.lead)
    letter_url = reverse("notifications:unit_letter", args=[cast.finance.pk, cast.plan.pk])
    with monkeypatch.context() as m, django_capture_on_commit_callbacks(execute=True):
        redis_down(m)
        answer = client.post(reverse("notifications:assignment", args=[cast.finance_assignment.pk]), {"kind": "urge"})
        assert answer.status_code == 302 and Message.objects.get().kind == "urge"  # saved, its email not queued
        first = client.post(letter_url)
        again = client.post(letter_url)  # the same request again: the items are covered by the first letter
    letter = Letter.objects.get()
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"] == letter.get_absolute_url()
    assert letter.number == "测司法函〔2024〕1号" and letter.pdf and letter.items.count() == 1
    assert DocumentCounter.objects.get().last == 1
    assert "未重复编号" in client.get(again["Location"]).content.decode()
    assert Delivery.objects.filter(state="pending", attempts=0).count() == 2  # the urge's and the letter's email
    assert caplog.text.count("could not queue notifications.deliver_batch") == 2
