"""A unit's 群机器人 page: the lead office sets the URL, the 加签 secret and the keyword, sends a test message;
the URL and the secret are credentials, never shown whole."""

import pytest
from django.urls import reverse

from plans.models import Unit
from tests.notifications.fake_robots import SECRET, running

DING = "https://oapi.dingtalk.com/robot/send?access_token=9f8e7d6c5b4a39281706"
WECOM = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7aaa-4bc4-97a0-0ec2sifa5bbb"


@pytest.fixture
def fake():
    with running() as servers:
        yield servers


def url_of(unit):
    return reverse("plans:unit_robot", args=[unit.pk])


def test_lead_sets_a_signed_robot_and_the_page_shows_it_masked(cast, login):
    client = login(cast.lead)
    response = client.post(url_of(cast.finance), {"webhook_url": DING, "webhook_secret": SECRET,
                                                  "webhook_keyword": "督办"}, follow=True)
    assert "已保存区财政局的群机器人设置。" in response.content.decode()
    unit = Unit.objects.get(pk=cast.finance.pk)
    assert (unit.webhook_url, unit.webhook_secret, unit.webhook_keyword) == (DING, SECRET, "督办")
    for page in (response, client.get(reverse("plans:units")), client.get(reverse("tasks:unit_detail",
                                                                                  args=[unit.pk]))):
        html = page.content.decode()
        assert "oapi.dingtalk.com …1706" in html and "加签" in html and "督办" in html
        assert "9f8e7d6c5b4a" not in html and SECRET[3:20] not in html


def test_empty_fields_keep_the_credentials_and_ticks_clear_them(cast, login):
    Unit.objects.filter(pk=cast.finance.pk).update(webhook_url=DING, webhook_secret=SECRET, webhook_keyword="督办")
    client = login(cast.lead)
    client.post(url_of(cast.finance), {"webhook_url": "", "webhook_secret": "", "webhook_keyword": "督办"})
    assert Unit.objects.filter(pk=cast.finance.pk, webhook_url=DING, webhook_secret=SECRET).exists()
    client.post(url_of(cast.finance), {"webhook_keyword": "督办", "clear_secret": "on"})
    assert Unit.objects.filter(pk=cast.finance.pk, webhook_url=DING, webhook_secret="").exists()
    response = client.post(url_of(cast.finance), {"webhook_keyword": "督办", "clear_robot": "on"}, follow=True)
    assert "已删除区财政局的群机器人。" in response.content.decode()
    assert Unit.objects.filter(pk=cast.finance.pk, webhook_url="", webhook_keyword="").exists()


@pytest.mark.parametrize(("data", "error"), [
    ({"webhook_url": "https://example.org/hook?key=abcdef123456"}, "不是企业微信或钉钉群机器人的地址"),
    ({"webhook_url": WECOM, "webhook_secret": SECRET}, "企业微信群机器人没有加签密钥"),
    ({"webhook_url": DING, "webhook_secret": "abc"}, "以SEC开头的一串字母和数字"),
    ({"webhook_secret": SECRET}, "但没有填写通知Webhook"),
])
def test_bad_settings_are_refused_and_nothing_is_saved(cast, login, data, error):
    response = login(cast.lead).post(url_of(cast.finance), data)
    assert response.status_code == 200 and error in response.content.decode()
    assert Unit.objects.filter(pk=cast.finance.pk, webhook_url="", webhook_secret="").exists()


def test_test_button_shows_the_platforms_answer(cast, login, fake):
    url = fake.dingtalk(secret=SECRET)
    Unit.objects.filter(pk=cast.finance.pk).update(webhook_url=url, webhook_secret=SECRET)
    client = login(cast.lead)
    html = client.post(url_of(cast.finance), {"action": "test"}, follow=True).content.decode()
    assert "测试消息已发送到127.0.0.1:" in html and "机器人已接收（errcode 0：ok）。" in html
    Unit.objects.filter(pk=cast.finance.pk).update(webhook_secret="SEC" + "1" * 40)
    html = client.post(url_of(cast.finance), {"action": "test"}, follow=True).content.decode()
    assert "测试消息未送达：签名不匹配" in html and "310000" in html
    assert len(fake.dingtalk_platform.received) == 1


def test_only_the_lead_office_sees_the_robot_on_the_units_page(cast, login):
    page = reverse("tasks:unit_detail", args=[cast.finance.pk])
    assert 'data-testid="unit-robot"' in login(cast.lead).get(page).content.decode()
    assert 'data-testid="unit-robot"' not in login(cast.inspector).get(page).content.decode()
    assert login(cast.inspector).get(url_of(cast.finance)).status_code == 403
    assert login(cast.finance_user).get(url_of(cast.finance)).status_code == 403
    assert login(cast.street_user).get(url_of(cast.finance)).status_code == 404
