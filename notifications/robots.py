"""WeCom and DingTalk group robots as the platforms run them.

- Security: a DingTalk robot set up with 加签 takes a request only when its URL carries `timestamp` (ms) and
  `sign` = urlencode(base64(HmacSHA256(key=secret, msg=timestamp + "\\n" + secret))), within an hour of the
  platform's clock; a robot set up with keywords refuses a message that contains none of them (errcode
  310000 either way).
- Size: WeCom takes markdown content up to 4,096 bytes (errcode 40058 beyond), DingTalk a request body up to
  20,000 bytes (460101). `payload` keeps a longer message's first lines and points to the full text.
- Rate: a robot takes 20 messages a minute (WeCom 45009; DingTalk 130101, then ten minutes' silence).
  `claim` gives each send one of the robot's `RobotSlot`s, shared by every worker; a send without one waits.
- The robot's URL is a credential: `mask` is how pages, logs and error texts name it.
"""

import base64
import datetime
import hashlib
import hmac
import json
import math
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Min
from django.utils import timezone

from notifications.models import Delivery, RobotSlot
from plans.models import Unit

WECOM, DINGTALK = Delivery.Channel.WECOM, Delivery.Channel.DINGTALK
TIMEOUT = 10  # seconds for one request
# The most a robot takes in one message, in UTF-8 bytes: WeCom counts the markdown content, DingTalk the body.
LIMITS = {WECOM: 4096, DINGTALK: 20000}
# A slot is free again a minute after its send, and a second more for the request to reach the platform.
WINDOW = datetime.timedelta(seconds=61)
NEVER = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
# The platforms' answer to a robot that sent too much, and how long it stays silent then.
THROTTLED = {(WECOM, 45009): 60, (DINGTALK, 130101): 600}
BUSY = -1  # "系统繁忙": try again later
PLATFORM = {WECOM: "企业微信", DINGTALK: "钉钉"}
KEYWORD_MAX = Unit._meta.get_field("webhook_keyword").max_length


class DeliveryError(Exception):
    """A try that did not deliver, in Chinese for the failed list. `final`: the platform refused and another
    try would be refused too; `wait`: seconds until the robot takes messages again (no try spent)."""

    def __init__(self, text: str, *, final: bool = False, wait: float = 0):
        super().__init__(text)
        self.final, self.wait = final, wait


def kind(url: str) -> str | None:
    """wecom / dingtalk from the robot URL's host (or, for a relay, its path); None if neither."""
    parts = urllib.parse.urlsplit(url)
    host = (parts.hostname or "").lower()
    if host == "qyapi.weixin.qq.com" or parts.path.endswith("/cgi-bin/webhook/send"):
        return WECOM
    if host == "oapi.dingtalk.com" or parts.path.endswith("/robot/send"):
        return DINGTALK
    return None


def mask(url: str) -> str:
    """The robot as pages and logs may name it: its host and the last four characters of its key."""
    parts = urllib.parse.urlsplit(url)
    host = parts.netloc.rpartition("@")[2] or "?"  # never a user:password before the host
    query = dict(urllib.parse.parse_qsl(parts.query))
    key = query.get("key") or query.get("access_token") or parts.path.rstrip("/").rpartition("/")[2]
    return f"{host} …{key[-4:]}" if len(key) >= 8 else host


def sign(secret: str, timestamp: int) -> str:
    """DingTalk's 加签: base64(HmacSHA256(key=secret, msg=timestamp + "\\n" + secret))."""
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def signed_url(url: str, secret: str, now: datetime.datetime) -> str:
    timestamp = int(now.timestamp() * 1000)
    separator = "&" if urllib.parse.urlsplit(url).query else "?"
    return f"{url}{separator}timestamp={timestamp}&sign={urllib.parse.quote_plus(sign(secret, timestamp))}"


SECRET = re.compile(r"SEC[0-9A-Za-z]{8,}")


def problems(url: str, secret: str, keyword: str) -> list[str]:
    """What is wrong with a unit's robot settings (the URL already a valid http(s) address), in Chinese."""
    found = []
    if url and kind(url) is None:
        found.append("通知Webhook不是企业微信或钉钉群机器人的地址（应为 https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=… "
                     "或 https://oapi.dingtalk.com/robot/send?access_token=…）")
    if (secret or keyword) and not url:
        found.append("填写了通知Webhook密钥或通知关键词，但没有填写通知Webhook")
    if secret and url and kind(url) == WECOM:
        found.append("企业微信群机器人没有加签密钥，通知Webhook密钥只用于钉钉机器人")
    elif secret and not SECRET.fullmatch(secret):
        found.append("通知Webhook密钥应为钉钉机器人安全设置中“加签”处以SEC开头的一串字母和数字")
    if len(keyword) > KEYWORD_MAX:
        found.append(f"通知关键词不能超过{KEYWORD_MAX}个字")
    return found


@dataclass(frozen=True)
class Robot:
    url: str
    secret: str = ""
    keyword: str = ""

    @property
    def kind(self) -> str | None:
        return kind(self.url)

    @classmethod
    def of(cls, url: str, unit: Unit | None) -> "Robot":
        """The robot at `url`, with the unit's secret and keyword while the unit still uses that robot."""
        if unit is not None and unit.webhook_url == url:
            return cls(url, unit.webhook_secret, unit.webhook_keyword)
        return cls(url)


# --- the message, cut to the robot's size -----------------------------------------------------------------------


def encode(payload: dict) -> bytes:
    """The request body exactly as sent."""
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")


def size(channel: str, payload: dict) -> int:
    if channel == WECOM:
        return len(payload["markdown"]["content"].encode("utf-8"))
    return len(encode(payload))


def _wrap(channel: str, title: str, text: str) -> dict:
    if channel == WECOM:
        return {"msgtype": "markdown", "markdown": {"content": text}}
    return {"msgtype": "markdown", "markdown": {"title": title, "text": text}}


def payload(channel: str, subject: str, body: str, link: str = "", keyword: str = "") -> dict:
    """The message as the robot's markdown, with the keyword in its title when the subject lacks it.

    Over the robot's limit, it keeps the body's first lines that fit (the next one cut short if even it does
    not fit whole) and says how many lines are left out, pointing to the full text behind `link`.
    """
    title = subject if not keyword or keyword in subject else f"【{keyword}】{subject}"
    head = [f"### {title}", ""]
    lines = [line for line in body.splitlines() if line.strip()]
    pointer = "请点击查看详情" if link else "请登录系统查看"
    tail = ["", f"[查看详情]({link})"] if link else []

    def build(kept: list[str], left: int, cut: bool = False) -> dict:
        note = [f"……其余{left}行未列出，{pointer}"] if left else [f"……内容未显示完整，{pointer}"] if cut else []
        return _wrap(channel, title, "\n".join(head + kept + note + tail))

    def fits(candidate: dict) -> bool:
        return size(channel, candidate) <= LIMITS[channel]

    whole = build(lines, 0)
    if fits(whole) or not lines:  # a subject (200 characters) and a link always fit
        return whole
    # The most whole lines that fit (more lines are always longer: a line adds more than a shorter count saves).
    low, high = 0, len(lines) - 1
    while low < high:
        middle = (low + high + 1) // 2
        low, high = (middle, high) if fits(build(lines[:middle], len(lines) - middle)) else (low, middle - 1)
    kept, rest = lines[:low], lines[low:]
    # Then as much of the next line as fits.
    shortest, longest = 0, len(rest[0]) - 1
    while shortest < longest:
        middle = (shortest + longest + 1) // 2
        part = rest[0][:middle] + "……"
        if fits(build(kept + [part], len(rest) - 1, cut=True)):
            shortest = middle
        else:
            longest = middle - 1
    if shortest:
        return build(kept + [rest[0][:shortest] + "……"], len(rest) - 1, cut=True)
    return build(kept, len(rest))


# --- the rate: a robot's slots ------------------------------------------------------------------------------------


def robot_key(url: str) -> str:
    return hashlib.sha256(url.encode()).hexdigest()


def claim(url: str, now: datetime.datetime | None = None) -> float:
    """Take one of the robot's sends of this minute: 0 when taken, else the seconds until one is free.

    The slot used longest ago is taken by a conditional update of its `used_at`; a worker that lost the race
    looks again, so no robot sends more than ROBOT_SENDS_PER_MINUTE messages in any minute.
    """
    now = now or timezone.now()
    key, limit = robot_key(url), settings.ROBOT_SENDS_PER_MINUTE
    slots = RobotSlot.objects.filter(robot=key, slot__lt=limit)
    if slots.count() < limit:
        RobotSlot.objects.bulk_create([RobotSlot(robot=key, slot=i, used_at=NEVER) for i in range(limit)],
                                      ignore_conflicts=True)
    for _ in range(2 * limit):
        oldest = slots.aggregate(used=Min("used_at"))["used"]
        if oldest + WINDOW > now:
            return (oldest + WINDOW - now).total_seconds()
        slot = slots.filter(used_at=oldest).order_by("slot").first()
        if slot is not None and slots.filter(pk=slot.pk, used_at=oldest).update(used_at=now) == 1:
            return 0
    return 1.0  # every look lost a race: the robot is busy, look again in a second


# --- sending --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """The platform's answer to an accepted message."""

    errcode: int
    errmsg: str

    def __str__(self) -> str:
        return f"已接收（errcode {self.errcode}：{self.errmsg}）"


def explain(channel: str, errcode: int, errmsg: str) -> str:
    """What a refusal means, in Chinese, for the lead office."""
    message = errmsg.lower()
    if (channel, errcode) in THROTTLED:
        return f"发送过于频繁：每个机器人每分钟最多接收20条消息，{PLATFORM[channel]}暂停接收"
    if channel == DINGTALK and errcode == 310000:
        if "sign" in message or "签名" in message:
            return "签名不匹配：请核对“通知Webhook密钥”是否为该机器人安全设置中“加签”的SEC密钥"
        if "timestamp" in message or "时间戳" in message:
            return "时间戳无效：请核对服务器时钟，与钉钉相差不能超过1小时"
        if "keyword" in message or "关键词" in message:
            return "消息不含机器人的自定义关键词：请在“通知关键词”中填写机器人安全设置里的一个关键词"
        if re.search(r"\bip\b", message) or "白名单" in message:
            return "本服务器的IP地址不在机器人安全设置的IP地址段内"
        return "未通过机器人的安全设置校验（加签、自定义关键词或IP地址段）"
    if (channel, errcode) in ((WECOM, 40058), (DINGTALK, 460101)):
        return f"消息超过{PLATFORM[channel]}机器人的长度上限"
    if (channel, errcode) in ((WECOM, 93000), (DINGTALK, 300001)):
        return "机器人地址无效：机器人可能已被删除或移出群聊，请核对“通知Webhook”"
    if errcode == BUSY:
        return f"{PLATFORM[channel]}服务繁忙"
    return f"{PLATFORM[channel]}机器人拒绝了这条消息"


def channel_of(robot: Robot) -> str:
    if robot.kind is None:
        raise DeliveryError(f"无法识别的机器人地址（{mask(robot.url)}）：应为企业微信或钉钉群机器人的Webhook地址",
                            final=True)
    return robot.kind


def post(robot: Robot, message: dict, now: datetime.datetime | None = None) -> Answer:
    """Send one message to the robot (signed when it has a secret); raise DeliveryError unless accepted."""
    channel = channel_of(robot)
    url = signed_url(robot.url, robot.secret, now or timezone.now()) if robot.secret else robot.url
    request = urllib.request.Request(url, data=encode(message), method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8"})
    where = mask(robot.url)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 (http(s) checked on save)
            body = response.read(65536)
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"HTTP {exc.code}") from None
    except TimeoutError:
        raise DeliveryError(f"连接{where}超时") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
        raise DeliveryError(f"连接失败：无法连接{where}（{reason}）") from None
    try:
        answer = json.loads(body or b"{}")
        errcode, errmsg = int(answer.get("errcode", 0)), str(answer.get("errmsg", ""))
    except (ValueError, TypeError, AttributeError):
        raise DeliveryError(f"{where}返回的不是机器人的应答") from None
    if errcode == 0:
        return Answer(errcode, errmsg)
    text = f"{explain(channel, errcode, errmsg)}（错误码 {errcode}：{errmsg[:300]}）"
    wait = THROTTLED.get((channel, errcode), 0)
    raise DeliveryError(text, final=not wait and errcode != BUSY, wait=wait)


def send(robot: Robot, subject: str, body: str, link: str = "") -> Answer:
    """One message to the robot in its turn: DeliveryError(wait=…) when its minute is full."""
    channel = channel_of(robot)
    wait = claim(robot.url)
    if wait:
        raise DeliveryError(f"该机器人一分钟内已发送{settings.ROBOT_SENDS_PER_MINUTE}条消息，"
                            f"{math.ceil(wait)}秒后才能再发", wait=wait)
    return post(robot, payload(channel, subject, body, link, robot.keyword))


def send_test(unit: Unit) -> Answer:
    """The 发送测试消息 button and `manage.py test_robot`: one short message to the unit's robot."""
    if not unit.webhook_url:
        raise DeliveryError(f"{unit.name}未配置群机器人（通知Webhook）", final=True)
    now = timezone.localtime()
    return send(Robot.of(unit.webhook_url, unit), "群机器人测试消息",
                f"{unit.name}的督办提醒、催办、函告将发送到本群。\n发送时间：{now:%Y-%m-%d %H:%M}")
