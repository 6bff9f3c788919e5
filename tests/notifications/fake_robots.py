"""A fake WeCom and a fake DingTalk group-robot server on 127.0.0.1, enforcing the platforms' rules.

Each answers as the real platform does (HTTP 200, a JSON errcode and errmsg):

WeCom (`/cgi-bin/webhook/send?key=…`): an unknown key 93000; markdown content over 4,096 bytes or text over
2,048 bytes 40058; more than 20 messages in a minute 45009.
DingTalk (`/robot/send?access_token=…`): an unknown token 300001; with 加签, a timestamp more than an hour
from the server's clock or missing 310000 "invalid timestamp", a wrong sign 310000 "sign not match"; with
keywords, a message without one 310000 "keywords not in content"; a body over 20,000 bytes 460101; the 21st
message in a minute 130101, and the robot stays silent (130101) for ten minutes after that.

The clock is time.time(), so a test's time-machine travel moves the servers' clocks too.
"""

import base64
import datetime
import hashlib
import hmac
import json
import threading
import time
import urllib.parse
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

import time_machine

PER_MINUTE = 20
NINE = datetime.datetime(2024, 6, 24, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
SECRET = "SECb1a2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9"  # a 加签 secret's shape


@dataclass
class RobotSettings:
    secret: str = ""
    keyword: str = ""
    silent_until: float = 0


@dataclass
class Platform:
    """One platform's robots and what they received (accepted messages) and answered."""

    base: str = ""
    robots: dict = field(default_factory=dict)  # key or token -> RobotSettings (WeCom: no settings)
    received: list = field(default_factory=list)  # (key, payload) accepted
    answers: list = field(default_factory=list)  # (key, errcode) every answer
    sent_at: dict = field(default_factory=dict)  # key -> times of accepted messages

    def within_rate(self, key: str, now: float) -> bool:
        recent = [t for t in self.sent_at.get(key, []) if t > now - 60]
        self.sent_at[key] = recent
        return len(recent) < PER_MINUTE

    def accept(self, key: str, payload: dict, now: float) -> None:
        self.sent_at.setdefault(key, []).append(now)
        self.received.append((key, payload))

    def texts(self, key: str | None = None) -> list[str]:
        return [p["markdown"].get("content") or p["markdown"].get("text") for k, p in self.received
                if key is None or k == key]


class _Handler(BaseHTTPRequestHandler):
    platform: Platform
    lock = threading.Lock()

    def do_POST(self):  # noqa: N802
        parts = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(parts.query))
        raw = self.rfile.read(int(self.headers["Content-Length"]))
        with self.lock:
            errcode, errmsg = self.answer(parts.path, query, raw, time.time())
        self.platform.answers.append((query.get("key") or query.get("access_token"), errcode))
        body = json.dumps({"errcode": errcode, "errmsg": errmsg}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class _WeCom(_Handler):
    def answer(self, path, query, raw, now):
        key = query.get("key", "")
        if path != "/cgi-bin/webhook/send" or key not in self.platform.robots:
            return 93000, "invalid webhook url, hint: [fake]"
        payload = json.loads(raw)
        kind = payload.get("msgtype")
        content = payload.get(kind, {}).get("content", "")
        limit = {"markdown": 4096, "text": 2048}.get(kind)
        if limit is None:
            return 40008, "invalid message type"
        if len(content.encode("utf-8")) > limit:
            return 40058, f"{kind}.content exceed max length {limit}. invalid Request Parameter"
        if not self.platform.within_rate(key, now):
            return 45009, "api freq out of limit"
        self.platform.accept(key, payload, now)
        return 0, "ok"


class _DingTalk(_Handler):
    def answer(self, path, query, raw, now):
        token = query.get("access_token", "")
        robot = self.platform.robots.get(token)
        if path != "/robot/send" or robot is None:
            return 300001, "token is not exist"
        if robot.secret:
            timestamp = query.get("timestamp", "")
            if not timestamp.isdigit() or abs(now * 1000 - int(timestamp)) > 3600 * 1000:
                return 310000, "invalid timestamp"
            digest = hmac.new(robot.secret.encode(), f"{timestamp}\n{robot.secret}".encode(), hashlib.sha256)
            if query.get("sign") != base64.b64encode(digest.digest()).decode():
                return 310000, "sign not match"
        payload = json.loads(raw)
        if robot.keyword:
            message = payload.get(payload.get("msgtype"), {})
            if not any(robot.keyword in str(value) for value in message.values()):
                return 310000, "keywords not in content"
        if len(raw) > 20000:
            return 460101, "message too long, exceed 20000 bytes"
        if now < robot.silent_until:
            return 130101, "send too fast, exceed 20 times per minute"
        if not self.platform.within_rate(token, now):
            robot.silent_until = now + 600
            return 130101, "send too fast, exceed 20 times per minute"
        self.platform.accept(token, payload, now)
        return 0, "ok"


class FakeRobots:
    """Both servers; `wecom()` and `dingtalk()` set up a robot and give its webhook URL."""

    def __init__(self):
        self.wecom_platform, self.dingtalk_platform = Platform(), Platform()
        self.servers = []
        for platform, handler in ((self.wecom_platform, _WeCom), (self.dingtalk_platform, _DingTalk)):
            server = ThreadingHTTPServer(("127.0.0.1", 0), type(handler.__name__, (handler,), {"platform": platform}))
            threading.Thread(target=server.serve_forever, daemon=True).start()
            platform.base = f"http://127.0.0.1:{server.server_address[1]}"
            self.servers.append(server)

    def wecom(self, key: str = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa") -> str:
        self.wecom_platform.robots[key] = RobotSettings()
        return f"{self.wecom_platform.base}/cgi-bin/webhook/send?key={key}"

    def dingtalk(self, token: str = "0c23a4b5c6d7e8f9", secret: str = "", keyword: str = "") -> str:
        self.dingtalk_platform.robots[token] = RobotSettings(secret, keyword)
        return f"{self.dingtalk_platform.base}/robot/send?access_token={token}"

    def close(self):
        for server in self.servers:
            server.shutdown()
            server.server_close()


@contextmanager
def running(at: datetime.datetime = NINE):
    """Both fake servers, with the clock (the tests' and the servers') stopped at `at`."""
    servers = FakeRobots()
    try:
        with time_machine.travel(at, tick=False):
            yield servers
    finally:
        servers.close()
