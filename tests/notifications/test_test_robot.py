"""manage.py test_robot: one test message to a unit's robot; exit 0 when the platform took it, 2 with one
Chinese line when not (wrong secret, missing keyword, unreachable)."""

import io

import pytest
from django.core.management import call_command

from tests.notifications.fake_robots import SECRET, running


@pytest.fixture
def fake():
    with running() as servers:
        yield servers


def run(*args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("test_robot", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        return exc.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def configure(unit, url, secret="", keyword=""):
    unit.webhook_url, unit.webhook_secret, unit.webhook_keyword = url, secret, keyword
    unit.save()


def test_an_accepted_test_message_prints_the_platforms_answer(cast, fake):
    configure(cast.finance, fake.dingtalk(secret=SECRET, keyword="督办"), SECRET, "督办")
    code, out, err = run("区财政局")
    assert (code, err) == (0, "")
    assert out == "区财政局的钉钉群机器人（127.0.0.1:{}…e8f9）已接收（errcode 0：ok）。\n".format(
        fake.dingtalk_platform.base.rpartition(":")[2] + " ")
    [text] = fake.dingtalk_platform.texts()
    assert text.startswith("### 【督办】群机器人测试消息\n\n区财政局的督办提醒、催办、函告将发送到本群。")
    code, out, _ = run(str(cast.finance.pk))  # by id too
    assert code == 0 and "已接收" in out


@pytest.mark.parametrize(("secret", "keyword", "expected"), [
    ("SEC" + "0" * 40, "河北区", "签名不匹配：请核对“通知Webhook密钥”"),
    (SECRET, "", "消息不含机器人的自定义关键词"),
])
def test_a_refused_test_message_exits_2_with_one_chinese_line(cast, fake, secret, keyword, expected):
    configure(cast.finance, fake.dingtalk(secret=SECRET, keyword="河北区"), secret, keyword)
    code, out, err = run("区财政局")
    assert (code, out) == (2, "")
    assert err.startswith(f"区财政局的群机器人未收到测试消息：{expected}") and err.count("\n") == 1
    assert "310000" in err


def test_unreachable_robot_and_unknown_units_exit_2(cast, fake):
    configure(cast.finance, "http://127.0.0.1:9/cgi-bin/webhook/send?key=abcdef0123456789")
    code, _, err = run("区财政局")
    assert code == 2 and err.startswith("区财政局的群机器人未收到测试消息：连接失败：无法连接127.0.0.1:9")
    assert "abcdef0123456789" not in err
    assert run("区外星局")[::2] == (2, "找不到单位“区外星局”。\n")
    assert run("光复道街道办事处")[::2] == (2, "光复道街道办事处的群机器人未收到测试消息：光复道街道办事处未配置群机器人（通知Webhook）。\n")


def test_the_test_message_waits_for_the_robots_minute(cast, fake, settings):
    settings.ROBOT_SENDS_PER_MINUTE = 1
    configure(cast.finance, fake.wecom())
    assert run("区财政局")[0] == 0
    code, _, err = run("区财政局")
    assert code == 2 and "该机器人一分钟内已发送1条消息，61秒后才能再发" in err
