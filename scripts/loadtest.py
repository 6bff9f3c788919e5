#!/usr/bin/env python
"""Load test: N simulated users for T seconds against a running tracker on loopback (see docs/load.md).

  DJANGO_SETTINGS_MODULE=tracker.settings <the server's environment> \
      .venv/bin/python scripts/loadtest.py --base-url http://127.0.0.1:8000 --users 50 --duration 120

It talks HTTP to the server like browsers behind nginx would (X-Forwarded-Proto: https), and opens the
server's own database (same environment) only to prepare accounts before the run and to check after it
that every submission the server acknowledged is stored, with every file intact (count and sha256).

Liaisons submit progress with 1-3 evidence files and read their pages; lead-office and inspector users
read the dashboard, the ledger, export it (.xlsx, .csv), and download a report PDF. Pages that do not
exist in this version of the code are skipped. Exit status 1 on any 5xx, transport error or lost
submission.
"""

import argparse
import hashlib
import http.client
import json
import os
import random
import re
import secrets
import statistics
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PREFIX = "loadtest-"
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


# --- HTTP -------------------------------------------------------------------------------------------

@dataclass
class Sample:
    name: str
    status: int  # 0 = transport error
    seconds: float


@dataclass
class Stats:
    samples: list[Sample] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, sample: Sample, error: str | None = None) -> None:
        with self.lock:
            self.samples.append(sample)
            if error:
                self.errors.append(error)


class Browser:
    """One user's connection and cookies. Cookies are kept by hand: they are Secure, the link is not."""

    def __init__(self, base_url: str, stats: Stats, timeout: float):
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port or 80
        if self.host not in ("127.0.0.1", "localhost", "::1"):
            raise SystemExit("loadtest.py runs against loopback only")
        self.origin = f"https://{self.host}:{self.port}"
        self.stats, self.timeout = stats, timeout
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None

    def request(self, name: str, method: str, path: str, body: bytes | None = None,
                content_type: str | None = None) -> tuple[int, dict, bytes]:
        headers = {"Host": f"{self.host}:{self.port}", "X-Forwarded-Proto": "https", "User-Agent": "tracker-loadtest"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method == "POST":
            headers.update({"Origin": self.origin, "Referer": self.origin + path,
                            "X-CSRFToken": self.cookies.get("csrftoken", "")})
            headers["Content-Type"] = content_type or "application/x-www-form-urlencoded"
        started = time.perf_counter()
        for attempt in (1, 2):  # a kept-alive connection the server closed is retried once
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError) as error:
                self.conn = None
                if attempt == 2 or method == "POST":
                    self.stats.add(Sample(name, 0, time.perf_counter() - started), f"{name} {path}: {error!r}")
                    return 0, {}, b""
            except OSError as error:
                self.conn = None
                self.stats.add(Sample(name, 0, time.perf_counter() - started), f"{name} {path}: {error!r}")
                return 0, {}, b""
        self.stats.add(Sample(name, response.status, time.perf_counter() - started),
                       f"{name} {path}: HTTP {response.status}" if response.status >= 500 else None)
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data

    def get(self, name: str, path: str) -> tuple[int, dict, bytes]:
        return self.request(name, "GET", path)

    def csrf(self, page: bytes) -> str:
        match = CSRF_RE.search(page.decode("utf-8", "replace"))
        return match.group(1) if match else self.cookies.get("csrftoken", "")

    def login(self, login_path: str, username: str, password: str) -> bool:
        status, _, page = self.get("login page", login_path)
        form = urlencode({"csrfmiddlewaretoken": self.csrf(page), "username": username, "password": password})
        status, headers, _ = self.request("login", "POST", login_path, form.encode())
        return status == 302 and "sessionid" in self.cookies


def multipart(fields: dict[str, str], files: list[tuple[str, str, bytes]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    out = bytearray()
    for key, value in fields.items():
        out += f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
    for key, filename, content in files:
        out += (f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"; filename="{filename}"\r\n'
                "Content-Type: application/octet-stream\r\n\r\n").encode()
        out += content + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return bytes(out), f"multipart/form-data; boundary={boundary}"


def evidence_file(rng: random.Random) -> tuple[str, bytes]:
    """A real-looking PDF or PNG header followed by random bytes (10 KB - 2 MB)."""
    body = rng.randbytes(rng.randint(10_000, 2_000_000))
    if rng.random() < 0.6:
        return f"佐证材料-{rng.randint(1, 9999)}.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + body + b"\n%%EOF\n"
    return f"现场照片-{rng.randint(1, 9999)}.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + body


# --- preparation and checks through the database -------------------------------------------------------

def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    import django

    django.setup()


@dataclass
class Plan:
    password: str
    liaisons: dict[str, list[int]]  # username -> assignment ids it may submit on
    readers: list[str]  # lead office and inspector accounts
    urls: dict[str, str]
    report_paths: list[str]


def prepare(users: int) -> Plan:
    """Accounts for the run (loadtest-*), the assignments they work on, and the URLs that exist."""
    from django.db.models import Count
    from django.urls import NoReverseMatch, reverse

    from tasks.models import Assignment
    from tracker.models import User

    password = secrets.token_urlsafe(12)
    n_readers = max(2, users // 5)
    n_liaisons = users - n_readers
    open_assignments = Assignment.objects.exclude(status="done").values("unit_id").annotate(n=Count("id"))
    units = [row["unit_id"] for row in open_assignments.order_by("-n") if row["n"] > 0]
    if not units:
        raise SystemExit("no open assignments: seed the database first (manage.py seed_demo)")
    liaisons: dict[str, list[int]] = {}
    for i in range(n_liaisons):
        unit_id = units[i % len(units)]
        username = f"{PREFIX}u{i:02d}"
        user, _ = User.objects.update_or_create(username=username, defaults={
            "role": User.Role.UNIT, "unit_id": unit_id, "is_active": True, "last_name": f"压测联络员{i}"})
        user.set_password(password)
        user.save()
        liaisons[username] = list(Assignment.objects.filter(unit_id=unit_id).exclude(status="done")
                                  .values_list("id", flat=True)[:50])
    readers = []
    for i in range(n_readers):
        role = User.Role.LEAD if i % 2 == 0 else User.Role.INSPECTOR
        user, _ = User.objects.update_or_create(username=f"{PREFIX}r{i:02d}", defaults={
            "role": role, "unit": None, "is_active": True, "last_name": f"压测读者{i}"})
        user.set_password(password)
        user.save()
        readers.append(user.username)

    def url(name: str, *args) -> str | None:
        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            return None

    urls = {key: value for key, value in {
        "login": url("login"), "home": url("home"), "dashboard": url("tasks:dashboard"),
        "my_tasks": url("tasks:my_tasks"), "assignments": url("tasks:assignments"), "ledger": url("tasks:ledger"),
        "ledger_xlsx": url("tasks:ledger_xlsx"), "ledger_csv": url("tasks:ledger_csv"),
        "review_queue": url("tasks:review_queue"), "reports": url("reports:index"),
    }.items() if value}
    if url("tasks:submit", 1) is None:
        raise SystemExit("this version has no submission page (tasks:submit)")
    return Plan(password, liaisons, readers, urls, report_paths(url))


def report_paths(url) -> list[str]:
    """Download paths of finished report PDFs; one unit report is made first if there is none."""
    try:
        from reports.models import ReportJob
    except ImportError:
        return []
    done = list(ReportJob.objects.filter(state="done").exclude(pdf="").values_list("id", flat=True)[:5])
    if not done:
        from django.utils import timezone

        from plans.models import Plan as PlanModel
        from tracker.models import User

        plan, lead = PlanModel.objects.first(), User.objects.filter(role="lead").first()
        unit = plan and plan.lead_unit
        if plan and lead and unit:
            job = ReportJob.objects.create(kind=ReportJob.Kind.UNIT, plan=plan, unit=unit,
                                           as_of=timezone.localdate(), requested_by=lead)
            job.run()
            job.refresh_from_db()
            if job.state == "done":
                done = [job.pk]
    return [path for pk in done if (path := url("reports:download", pk, "pdf"))]


def verify(run_id: str, acknowledged: list[dict]) -> dict:
    """Every acknowledged submission is stored once, with its files, each matching its sha256 on disk."""
    from tasks.models import Submission

    stored = {s.text: s for s in Submission.objects.filter(text__contains=run_id).prefetch_related("evidence")}
    lost, damaged = [], []
    for item in acknowledged:
        submission = stored.get(item["text"])
        if submission is None:
            lost.append(item["text"])
            continue
        evidence = list(submission.evidence.all())
        if sorted(e.sha256 for e in evidence) != sorted(item["sha256"]):
            damaged.append(f"{item['text']}: recorded checksums differ")
        for e in evidence:
            if e.actual_sha256() != e.sha256:
                damaged.append(f"{item['text']}: file {e.pk} on disk does not match")
    extra = len(stored) - (len(acknowledged) - len(lost))
    return {"acknowledged": len(acknowledged), "stored": len(stored), "lost": lost, "damaged": damaged,
            "unacknowledged_but_stored": extra,
            "files_checked": sum(len(i["sha256"]) for i in acknowledged)}


# --- the simulated users ---------------------------------------------------------------------------------

def liaison_loop(args, plan: Plan, username: str, stats: Stats, stop: float, acknowledged: list, lock, rng, run_id):
    time.sleep(min(rng.uniform(0, args.think[1]), max(0.0, stop - time.monotonic())))  # arrivals spread
    browser = Browser(args.base_url, stats, args.timeout)
    if not browser.login(plan.urls["login"], username, plan.password):
        stats.errors.append(f"login failed for {username}")
        return
    assignments = plan.liaisons[username]
    n = 0
    while time.monotonic() < stop:
        roll = rng.random()
        if roll < 0.45 and assignments:
            pk = rng.choice(assignments)
            status, _, page = browser.get("assignment page", f"/tasks/assignments/{pk}/")
            if status != 200:
                continue
            n += 1
            files = [evidence_file(rng) for _ in range(rng.randint(1, 3))]
            text = f"压测报送 {run_id} {username} #{n}"
            body, ctype = multipart({"csrfmiddlewaretoken": browser.csrf(page), "text": text,
                                     "percent": str(rng.randint(10, 90))},
                                    [("files", name, content) for name, content in files])
            status, headers, _ = browser.request("submit (with files)", "POST", f"/tasks/assignments/{pk}/submit/",
                                                 body, ctype)
            if status == 302 and f"/tasks/assignments/{pk}/" in headers.get("location", ""):
                with lock:
                    acknowledged.append({"text": text, "sha256": [hashlib.sha256(c).hexdigest() for _, c in files]})
            elif status:
                stats.add(Sample("submit not acknowledged", status, 0.0), f"{username}: submission answered {status}")
        elif roll < 0.65 and "my_tasks" in plan.urls:
            browser.get("my tasks", plan.urls["my_tasks"])
        elif roll < 0.85 and "dashboard" in plan.urls:
            browser.get("dashboard", plan.urls["dashboard"])
        elif "ledger_xlsx" in plan.urls:
            browser.get("ledger export .xlsx", plan.urls["ledger_xlsx"])
        time.sleep(rng.uniform(*args.think))


def reader_loop(args, plan: Plan, username: str, stats: Stats, stop: float, rng):
    time.sleep(min(rng.uniform(0, args.think[1]), max(0.0, stop - time.monotonic())))  # arrivals spread
    browser = Browser(args.base_url, stats, args.timeout)
    if not browser.login(plan.urls["login"], username, plan.password):
        stats.errors.append(f"login failed for {username}")
        return
    choices = [(name, plan.urls[key]) for name, key in (
        ("dashboard", "dashboard"), ("ledger", "ledger"), ("ledger export .xlsx", "ledger_xlsx"),
        ("ledger export .csv", "ledger_csv"), ("all assignments", "assignments"),
        ("review queue", "review_queue"), ("reports page", "reports")) if key in plan.urls]
    choices += [("report download .pdf", path) for path in plan.report_paths]
    while time.monotonic() < stop:
        name, path = rng.choice(choices)
        browser.get(name, path)
        time.sleep(rng.uniform(*args.think))


def think_time(text: str) -> tuple[float, float]:
    low, _, high = text.partition(",")
    try:
        pair = (float(low), float(high))
    except ValueError:
        raise argparse.ArgumentTypeError("expected MIN,MAX in seconds, e.g. 3,15") from None
    if not 0 <= pair[0] <= pair[1]:
        raise argparse.ArgumentTypeError("expected 0 <= MIN <= MAX")
    return pair


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=float, default=120, help="seconds (at most 600)")
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--json", type=Path, help="write the figures here as JSON")
    parser.add_argument("--think", type=think_time, default=(0.1, 0.5), metavar="MIN,MAX",
                        help="seconds between a user's requests (default 0.1,0.5: a stress test; "
                             "an office at a reporting deadline is nearer 3,15); users also start within MAX")
    args = parser.parse_args()
    args.duration = min(args.duration, 600)

    setup_django()
    plan = prepare(args.users)
    run_id = f"run-{uuid.uuid4().hex[:8]}"
    stats, acknowledged, lock = Stats(), [], threading.Lock()
    start = time.monotonic()
    stop = start + args.duration
    threads = []
    for i, username in enumerate(plan.liaisons):
        threads.append(threading.Thread(target=liaison_loop, args=(
            args, plan, username, stats, stop, acknowledged, lock, random.Random(args.seed + i), run_id)))
    for i, username in enumerate(plan.readers):
        threads.append(threading.Thread(target=reader_loop, args=(
            args, plan, username, stats, stop, random.Random(args.seed + 1000 + i))))
    print(f"{run_id}: {len(plan.liaisons)} liaisons + {len(plan.readers)} readers for {args.duration:.0f} s "
          f"against {args.base_url}", flush=True)
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - start

    by_name: dict[str, list[Sample]] = {}
    for sample in stats.samples:
        by_name.setdefault(sample.name, []).append(sample)
    rows = []
    for name, samples in sorted(by_name.items()):
        times = [s.seconds for s in samples]
        rows.append({"request": name, "count": len(samples), "p50_ms": round(statistics.median(times) * 1000),
                     "p95_ms": round(percentile(times, 0.95) * 1000), "max_ms": round(max(times) * 1000),
                     "5xx": sum(1 for s in samples if s.status >= 500),
                     "transport_errors": sum(1 for s in samples if s.status == 0),
                     "other_4xx": sum(1 for s in samples if 400 <= s.status < 500)})
    all_times = [s.seconds for s in stats.samples]
    checks = verify(run_id, acknowledged)
    summary = {
        "run": run_id, "users": args.users, "duration_s": round(elapsed, 1), "requests": len(stats.samples),
        "requests_per_s": round(len(stats.samples) / elapsed, 1),
        "p50_ms": round(percentile(all_times, 0.5) * 1000), "p95_ms": round(percentile(all_times, 0.95) * 1000),
        "5xx": sum(r["5xx"] for r in rows), "transport_errors": sum(r["transport_errors"] for r in rows),
        "by_request": rows, "submissions": checks, "errors": stats.errors[:20],
    }
    print(f"{'request':<24}{'count':>7}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'5xx':>6}{'err':>6}{'4xx':>6}")
    for r in rows:
        print(f"{r['request']:<24}{r['count']:>7}{r['p50_ms']:>9}{r['p95_ms']:>9}{r['max_ms']:>9}"
              f"{r['5xx']:>6}{r['transport_errors']:>6}{r['other_4xx']:>6}")
    print(f"all: {summary['requests']} requests in {summary['duration_s']} s ({summary['requests_per_s']}/s), "
          f"p50 {summary['p50_ms']} ms, p95 {summary['p95_ms']} ms, 5xx {summary['5xx']}, "
          f"transport errors {summary['transport_errors']}")
    print(f"submissions: {checks['acknowledged']} acknowledged, {checks['stored']} stored, "
          f"{len(checks['lost'])} lost, {len(checks['damaged'])} damaged, {checks['files_checked']} files checked")
    for error in stats.errors[:20]:
        print("  !", error)
    if args.json:
        args.json.write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    failed = summary["5xx"] or summary["transport_errors"] or checks["lost"] or checks["damaged"] or stats.errors
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
