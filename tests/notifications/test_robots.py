"""Group robots against fake WeCom and DingTalk servers that enforce the platforms' rules: DingTalk 加签 and
keywords, the size limits (at the byte), 20 messages a minute per robot, the URL masked everywhere."""

import datetime
import json
import urllib.request
from unittest import mock

import pytest
import time_machine
from django.test import override_settings
from django.urls import reverse
from huey.contrib.djhuey import HUEY

from notifications import channels, robots
from notifications.models import Delivery, Message, RobotSlot
from tests.notifications.fake_robots import NINE as NOW
from tests.notifications.fake_robots import SECRET, FakeRobots

LINE = "“着力提高业务能力”中的细化措施“完成全员轮训”，完成时限2024年7月1日，还有7天"


@pytest.fixture
def fake():
    servers = FakeRobots()
    yield servers
    servers.close()


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def scheduled():
    """The deliveries Huey (immediate in tests) was asked to try later, as (id, seconds from now)."""
    HUEY.storage.flush_schedule()
    yield lambda: sorted((task.args[0], round((task.eta - NOW.replace(tzinfo=None)).total_seconds()))
                         for task in HUEY.scheduled())
    HUEY.storage.flush_schedule()


@pytest.fixture
def notify(cast, django_capture_on_commit_callbacks):
    """notify(unit, n) dispatches n short messages to the unit (Huey tries them at once)."""

    def _notify(unit, count=1, body=LINE, subject="区财政局：一项任务将于2024年7月1日到期"):
        with django_capture_on_commit_callbacks(execute=True):
            messages = [Message.objects.create(kind=Message.Kind.REMIND, unit=unit, subject=subject, body=body,
                                               link="/tasks/mine/") for _ in range(count)]
            channels.dispatch_many([(m, [unit]) for m in messages])
        return Delivery.objects.filter(message__in=messages).exclude(channel="email").order_by("id")

    return _notify


def robot_of(unit, url, secret="", keyword=""):
    unit.webhook_url, unit.webhook_secret, unit.webhook_keyword = url, secret, keyword
    unit.save()
    return unit


# --- DingTalk 加签 and keywords --------------------------------------------------------------------------------


def test_signed_dingtalk_robot_takes_a_signed_message(cast, fake, clock, notify):
    robot_of(cast.finance, fake.dingtalk(secret=SECRET), SECRET)
    [delivery] = notify(cast.finance)
    assert (delivery.state, delivery.attempts, delivery.last_error) == ("sent", 1, "")
    assert fake.dingtalk_platform.answers == [("0c23a4b5c6d7e8f9", 0)]


def test_wrong_secret_fails_at_once_with_the_platforms_answer_in_chinese(cast, fake, clock, notify):
    robot_of(cast.finance, fake.dingtalk(secret=SECRET), "SEC" + "0" * 40)
    [delivery] = notify(cast.finance)
    assert (delivery.state, delivery.attempts) == ("failed", 1)  # another try would be refused too
    assert delivery.last_error == ("签名不匹配：请核对“通知Webhook密钥”是否为该机器人安全设置中“加签”的SEC密钥"
                                   "（错误码 310000：sign not match）")


def test_a_robot_with_a_secret_refuses_an_unsigned_message(cast, fake, clock, notify):
    robot_of(cast.finance, fake.dingtalk(secret=SECRET))
    [delivery] = notify(cast.finance)
    assert delivery.state == "failed" and "invalid timestamp" in delivery.last_error


def test_the_fake_dingtalk_refuses_a_signature_older_than_an_hour(fake, clock):
    url = fake.dingtalk(secret=SECRET)
    stale = robots.signed_url(url, SECRET, NOW - datetime.timedelta(minutes=61))
    fresh = robots.signed_url(url, SECRET, NOW - datetime.timedelta(minutes=59))
    message = robots.encode(robots.payload("dingtalk", "测试", "正文"))
    answers = [json.loads(urllib.request.urlopen(urllib.request.Request(u, data=message)).read())  # noqa: S310
               for u in (stale, fresh)]
    assert [a["errcode"] for a in answers] == [310000, 0]


def test_keyword_is_added_to_every_message(cast, fake, clock, notify):
    url = fake.dingtalk(keyword="督办")
    robot_of(cast.finance, url)
    [refused] = notify(cast.finance)
    assert refused.state == "failed" and refused.last_error.startswith("消息不含机器人的自定义关键词")
    robot_of(cast.finance, url, keyword="督办")
    [sent] = notify(cast.finance)
    assert sent.state == "sent"
    [text] = fake.dingtalk_platform.texts()
    assert text.startswith("### 【督办】区财政局：一项任务将于2024年7月1日到期\n")


def test_keyword_already_in_the_subject_is_not_repeated():
    payload = robots.payload("wecom", "【督办】区财政局：一项任务将于2024年7月1日到期", LINE, keyword="督办")
    assert payload["markdown"]["content"].startswith("### 【督办】区财政局")
    assert payload["markdown"]["content"].count("督办") == 1


# --- size: at the byte, with Chinese text ----------------------------------------------------------------------


def body_of_size(channel: str, size: int, link: str) -> str:
    """A digest body of Chinese lines whose message is exactly `size` bytes as the platform counts them."""
    def uncut(body: str) -> int:
        with mock.patch.dict(robots.LIMITS, {channel: 10**9}):
            return robots.size(channel, robots.payload(channel, "区财政局：督办汇总", body, link))

    body = ""
    for i in range(1, 400):
        longer = body + f"{i}. {LINE}\n"
        if uncut(longer + "x" * 40) > size:
            break
        body = longer
    return body + "x" * (size - uncut(body + "x") + 1)


@pytest.mark.parametrize("channel", ["wecom", "dingtalk"])
def test_a_message_at_the_limit_goes_whole_and_one_byte_more_is_cut_with_a_link(cast, fake, clock, channel):
    url = fake.wecom() if channel == "wecom" else fake.dingtalk()
    link = channels.absolute("/tasks/mine/")
    limit = {"wecom": 4096, "dingtalk": 20000}[channel]
    at_limit = body_of_size(channel, limit, link)
    whole = robots.payload(channel, "区财政局：督办汇总", at_limit, link)
    assert robots.size(channel, whole) == limit
    over = robots.payload(channel, "区财政局：督办汇总", at_limit + "x", link)
    assert robots.size(channel, over) <= limit
    lines = at_limit.count("\n") + 1
    text = over["markdown"].get("content") or over["markdown"]["text"]
    assert text.endswith(f"……\n……{'内容未显示完整' if text.count('还有7天') == lines - 1 else '其余1行未列出'}，"
                         f"请点击查看详情\n\n[查看详情]({link})")  # the last line (or the one before) cut short
    assert text.count("还有7天") >= lines - 2
    for payload in (whole, over):
        robots.post(robots.Robot(url), payload)  # the fake platform takes both
    platform = fake.wecom_platform if channel == "wecom" else fake.dingtalk_platform
    assert len(platform.received) == 2
    too_big = robots.payload(channel, "区财政局：督办汇总", at_limit, link)
    field = "content" if channel == "wecom" else "text"
    too_big["markdown"][field] += "x"  # what the project never sends: the fake refuses it
    with pytest.raises(robots.DeliveryError, match="长度上限") as refused:
        robots.post(robots.Robot(url), too_big)
    assert refused.value.final


def test_a_long_line_is_cut_to_what_fits_and_a_short_message_is_untouched():
    paragraph = "依据《中华人民共和国行政处罚法》，请你单位对照整改。" * 300
    payload = robots.payload("wecom", "【函告】区财政局", paragraph + "\n第二段", "https://example.org/l/1/")
    content = payload["markdown"]["content"]
    assert robots.size("wecom", payload) <= 4096 and robots.size("wecom", payload) > 4000
    assert content.count("整改") < 300 and "……\n……其余1行未列出，请点击查看详情\n" in content
    short = robots.payload("dingtalk", "标题", "第一行\n\n第二行")
    assert short == {"msgtype": "markdown", "markdown": {"title": "标题", "text": "### 标题\n\n第一行\n第二行"}}


def test_a_long_digest_without_a_link_points_to_the_system():
    payload = robots.payload("wecom", "汇总", "\n".join(f"{i}. {LINE}" for i in range(100)))
    assert payload["markdown"]["content"].endswith("行未列出，请登录系统查看")


# --- rate: 20 a minute per robot, across workers; waiting is no failure ------------------------------------


def test_thirty_notices_to_one_robot_wait_their_turn(cast, fake, clock, notify, scheduled):
    url = fake.dingtalk(secret=SECRET)
    robot_of(cast.finance, url, SECRET)
    robot_of(cast.street, url, SECRET)  # one robot for two units
    first = list(notify(cast.finance, 15)) + list(notify(cast.street, 15))
    states = [d.state for d in Delivery.objects.filter(pk__in=[d.pk for d in first]).order_by("id")]
    assert states == ["sent"] * 20 + ["pending"] * 10
    waiting = Delivery.objects.filter(state="pending")
    assert set(waiting.values_list("attempts", flat=True)) == {0}  # waiting is no try
    assert [seconds for _, seconds in scheduled()] == [61] * 10  # Huey tries them when a slot is free
    assert fake.dingtalk_platform.answers == [("0c23a4b5c6d7e8f9", 0)] * 20  # nothing the robot refused

    clock.shift(61)
    for delivery_id, _ in scheduled():
        channels.attempt(delivery_id)
    assert not Delivery.objects.exclude(state="sent").exists()
    assert len(fake.dingtalk_platform.received) == 30


def test_the_limit_is_a_sliding_minute_shared_by_every_worker(db, clock):
    url = "https://oapi.dingtalk.com/robot/send?access_token=abcdef123456"
    assert [robots.claim(url) for _ in range(20)] == [0] * 20
    assert robots.claim(url) == 61
    clock.shift(30)
    assert robots.claim(url) == 31  # a fixed window would allow 20 more now
    assert robots.claim("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=other") == 0  # another robot
    clock.shift(31)
    assert robots.claim(url) == 0
    assert RobotSlot.objects.filter(robot=robots.robot_key(url)).count() == 20


@override_settings(ROBOT_SENDS_PER_MINUTE=5)
def test_the_rate_is_configurable(db, clock):
    url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abcdef123456"
    assert [robots.claim(url) == 0 for _ in range(6)] == [True] * 5 + [False]


def test_a_robot_the_platform_silenced_waits_ten_minutes_without_failing(cast, fake, clock, notify, scheduled):
    url = fake.dingtalk()
    robot_of(cast.finance, url)
    fake.dingtalk_platform.sent_at["0c23a4b5c6d7e8f9"] = [NOW.timestamp()] * 20  # another system used it up
    [delivery] = notify(cast.finance)
    assert (delivery.state, delivery.attempts) == ("pending", 0)
    assert "发送过于频繁" in delivery.last_error and "130101" in delivery.last_error
    assert scheduled() == [(delivery.pk, 600)]


def test_wecom_rate_refusal_is_a_wait_too(cast, fake, clock, notify, scheduled):
    robot_of(cast.finance, fake.wecom())
    fake.wecom_platform.sent_at["693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"] = [NOW.timestamp()] * 20
    [delivery] = notify(cast.finance)
    assert (delivery.state, delivery.attempts) == ("pending", 0) and "45009" in delivery.last_error
    assert scheduled() == [(delivery.pk, 60)]


# --- the URL is a credential -------------------------------------------------------------------------------------


def test_the_url_is_masked_to_its_host_and_the_end_of_its_key():
    assert robots.mask("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa") \
        == "qyapi.weixin.qq.com …5aaa"
    assert robots.mask("https://oapi.dingtalk.com/robot/send?access_token=0c23a4b5c6d7e8f9") == "oapi.dingtalk.com …e8f9"
    assert robots.mask("http://127.0.0.1:9/robot/send?access_token=x") == "127.0.0.1:9"


def test_failed_list_and_errors_never_show_the_whole_url(cast, fake, clock, notify, login):
    url = fake.wecom("deadbeef-0000-1111-2222-333344445555")
    robot_of(cast.finance, url)
    fake.wecom_platform.robots.clear()  # the robot was removed from the group
    [delivery] = notify(cast.finance)
    assert delivery.state == "failed" and delivery.last_error.startswith("机器人地址无效")
    page = login(cast.lead).get(reverse("notifications:deliveries")).content.decode()
    assert "127.0.0.1" in page and "…5555" in page and "deadbeef" not in page
    assert "deadbeef" not in str(delivery)


def test_unreachable_robot_names_only_its_host(cast, clock, notify):
    robot_of(cast.finance, "http://127.0.0.1:9/robot/send?access_token=secret-token-1234")
    [delivery] = notify(cast.finance)
    assert delivery.state == "pending" and delivery.last_error.startswith("连接失败：无法连接127.0.0.1:9")
    assert "secret-token" not in delivery.last_error


def test_a_retry_after_the_robot_was_corrected_goes_to_the_units_robot_now(cast, fake, clock, notify,
                                                                          django_capture_on_commit_callbacks):
    robot_of(cast.finance, fake.wecom())
    fake.wecom_platform.robots.clear()  # the robot was removed from the group
    [delivery] = notify(cast.finance)
    assert delivery.state == "failed"
    robot_of(cast.finance, fake.dingtalk(secret=SECRET), SECRET)  # the lead office sets the group's new robot
    with django_capture_on_commit_callbacks(execute=True):
        channels.retry(delivery)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.channel, delivery.target) == ("sent", "dingtalk", cast.finance.webhook_url)
    assert len(fake.dingtalk_platform.received) == 1


@pytest.mark.parametrize(("errmsg", "meaning"), [
    ("description:机器人发送签名不匹配;solution:请确认签名和生成签名的时间戳必须都放在调用的网址中", "签名不匹配"),
    ("description:关键词不匹配;solution:请联系群管理员查看此机器人的关键词，并在发送的信息中包含此关键词;", "消息不含机器人的自定义关键词"),
    ("invalid timestamp, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]", "时间戳无效"),
    ("ip 1.2.3.4 not in whitelist", "IP地址不在机器人安全设置的IP地址段内"),
    ("description:未知;solution:请稍后", "未通过机器人的安全设置校验"),
])
def test_dingtalk_security_refusals_are_explained_in_either_wording(errmsg, meaning):
    assert meaning in robots.explain("dingtalk", 310000, errmsg)
