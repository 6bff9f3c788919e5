"""A measure with a lead unit: the letter about it goes to the lead and copies (抄送) the measure's other owners;
a supporting unit is reminded and urged but gets no letter of its own."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from notifications import letters
from notifications.models import Letter, Message, Notification
from notifications.sweep import run_sweep

D = datetime.date
TZ = datetime.timezone(datetime.timedelta(hours=8))


@pytest.fixture
def led(cast, monkeypatch):
    """The training measure led by the finance bureau; the street office supports it. Both items due 06-30,
    urged from 07-01, 15 working days overdue on 07-20."""
    monkeypatch.setattr(letters, "render_pdf", lambda template, context: b"%PDF-1.7 " + context["number"].encode())
    cast.measure.lead_units.add(cast.finance)
    run_sweep(D(2024, 7, 1))
    run_sweep(D(2024, 7, 20))
    return cast


def test_the_lead_gets_the_letter_copying_the_supporters_who_get_none(led):
    letter = Letter.objects.get()
    assert letter.unit == led.finance
    assert list(letter.copy_units.all()) == [led.street]
    assert list(letter.items.values_list("assignment", flat=True)) == [led.finance_assignment.pk]
    assert letters.context_for(letter)["copy_units"] == ["光复道街道办事处"]
    sent = Message.objects.get(kind="letter")
    assert sent.body.endswith("抄送：光复道街道办事处。")
    assert Notification.objects.filter(message=sent, user=led.street_user).exists()  # the copy reaches them


def test_a_supporter_is_urged_without_the_threat_of_its_own_letter(led):
    digest = Message.objects.filter(kind="digest", unit=led.street).latest("pk")
    assert "催办（1项，已逾期）" in digest.body
    assert "发函督办" not in digest.body and "请积极配合牵头单位推进" in digest.body
    lead_digest = Message.objects.filter(kind="digest", unit=led.finance).latest("pk")
    assert "逾期满10个工作日仍未完成的，将向你单位发函督办。" in lead_digest.body


def test_a_copied_unit_reads_the_letter_but_the_lead_replies(led, login):
    letter = Letter.objects.get()
    with time_machine.travel(datetime.datetime(2024, 7, 22, 10, tzinfo=TZ), tick=False):
        page = login(led.street_user).get(letter.get_absolute_url())
        assert page.status_code == 200 and "抄送：光复道街道办事处" in page.content.decode()
        assert "提交整改回复" not in page.content.decode()
        assert login(led.street_user).post(letter.get_absolute_url(),
                                           {"action": "reply", "text": "已配合"}).status_code == 403
        assert letter.number in login(led.street_user).get(reverse("notifications:letters")).content.decode()
        assert "提交整改回复" in login(led.finance_user).get(letter.get_absolute_url()).content.decode()
        assert login(led.outsider).get(letter.get_absolute_url()).status_code == 404
