import datetime
import ipaddress
import os
import re
import runpy
import secrets
import string
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD
from tracker.security import client_ip

ROOT = Path(__file__).resolve().parents[2]


def run_manage(tmp_path, *args: str, **env_vars: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SECURE_", "SESSION_", "CSRF_"))}
    for name in ("SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        env.pop(name, None)
    env.update(VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="tracker.settings", **env_vars)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)


def production_key() -> str:
    return "".join(secrets.choice(string.ascii_letters + string.digits + "!@#%^&*") for _ in range(50))


def test_check_deploy_passes_in_production_mode(tmp_path):
    result = run_manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING",
                        DEBUG="False", SECRET_KEY=production_key(), ALLOWED_HOSTS="example.org")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_wsgi_application_refuses_to_load_without_secret_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE")}
    env.update(VAR_DIR=str(tmp_path), DEBUG="False")
    result = subprocess.run([sys.executable, "-c", "import tracker.wsgi"], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_gunicorn_refuses_to_start_without_secret_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE")}
    env.update(VAR_DIR=str(tmp_path), DEBUG="False", GUNICORN_BIND="127.0.0.1:0", GUNICORN_WORKERS="1")
    gunicorn = Path(sys.executable).parent / "gunicorn"
    result = subprocess.run([str(gunicorn), "-c", "deploy/gunicorn.conf.py"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "Configuration error: SECRET_KEY is not set" in result.stderr
    assert "Traceback" not in result.stderr


def production_settings(monkeypatch, tmp_path, **env_vars: str) -> dict:
    """tracker/settings.py evaluated afresh with a production environment."""
    for name in list(os.environ):
        if name.startswith(("SECURE_", "SESSION_", "CSRF_", "LOGIN_", "USE_X_")):
            monkeypatch.delenv(name)
    env = {"VAR_DIR": str(tmp_path), "DEBUG": "False", "SECRET_KEY": production_key(),
           "ALLOWED_HOSTS": "example.org", **env_vars}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "tracker" / "settings.py"))


def test_production_defaults_are_strict(monkeypatch, tmp_path):
    s = production_settings(monkeypatch, tmp_path)
    assert s["SECURE_HSTS_SECONDS"] == 31536000
    assert s["SECURE_HSTS_INCLUDE_SUBDOMAINS"] and s["SECURE_HSTS_PRELOAD"] and s["SECURE_SSL_REDIRECT"]
    assert s["SESSION_COOKIE_SECURE"] and s["CSRF_COOKIE_SECURE"] and s["SECURE_CONTENT_TYPE_NOSNIFF"]
    assert (s["X_FRAME_OPTIONS"], s["SECURE_REFERRER_POLICY"]) == ("DENY", "same-origin")
    assert (s["SESSION_COOKIE_AGE"], s["SESSION_SAVE_EVERY_REQUEST"], s["SESSION_RENEW_SECONDS"]) == (7200, False, 300)
    assert s["SECURE_PROXY_SSL_HEADER"] is None and s["TRUSTED_PROXIES"] == ()
    assert (s["AXES_FAILURE_LIMIT"], s["AXES_COOLOFF_TIME"]) == (5, datetime.timedelta(minutes=15))
    assert s["AXES_LOCKOUT_PARAMETERS"] == [["username", "ip_address"]] and s["AXES_RESET_ON_SUCCESS"]


def test_security_switches_come_from_the_environment(monkeypatch, tmp_path):
    s = production_settings(monkeypatch, tmp_path, SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO",
                            TRUSTED_PROXIES="127.0.0.1, 10.0.1.0/24", SECURE_HSTS_PRELOAD="False",
                            SECURE_HSTS_SECONDS="600",
                            SECURE_SSL_REDIRECT="False", LOGIN_FAILURE_LIMIT="7", LOGIN_LOCKOUT_MINUTES="30",
                            SESSION_IDLE_MINUTES="45")
    assert s["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    assert s["TRUSTED_PROXIES"] == (ipaddress.ip_network("127.0.0.1/32"), ipaddress.ip_network("10.0.1.0/24"))
    assert (s["SECURE_HSTS_PRELOAD"], s["SECURE_HSTS_SECONDS"], s["SECURE_SSL_REDIRECT"]) == (False, 600, False)
    assert (s["AXES_FAILURE_LIMIT"], s["AXES_COOLOFF_TIME"], s["SESSION_COOKIE_AGE"]) == (
        7, datetime.timedelta(minutes=30), 2700)


def test_development_mode_keeps_plain_http(monkeypatch, tmp_path):
    s = production_settings(monkeypatch, tmp_path, DEBUG="True")
    assert (s["SECURE_SSL_REDIRECT"], s["SESSION_COOKIE_SECURE"], s["SECURE_HSTS_SECONDS"]) == (False, False, 0)


# --- the headers every page carries (tests run with the same middleware) --------------------------------

INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "<style> block"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "on* handler"),
    (re.compile(r"(src|href)\s*=\s*[\"']?(https?:)?//", re.I), "external asset"),
]


def directives(header: str) -> dict[str, list[str]]:
    """A Content-Security-Policy header as {directive: sources}: django-csp writes them in no fixed order."""
    parts = (part.split() for part in header.split(";") if part.strip())
    return {name: sources for name, *sources in parts}


# Every page ships its scripts and styles as files under /static/: no inline code, no other origin.
POLICY = directives("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
                    "frame-ancestors 'none'; form-action 'self'")


def assert_satisfies_csp(response) -> None:
    assert directives(response["Content-Security-Policy"]) == POLICY
    html = response.content.decode()
    for pattern, what in INLINE:
        match = pattern.search(html)
        assert match is None, f"{what} in {response.wsgi_request.path}: {html[max(0, match.start() - 80):match.end() + 80]}"


def test_headers_on_the_login_page(db):
    response = Client().get(reverse("login"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    csp = response["Content-Security-Policy"]
    assert directives(csp) == POLICY
    assert "unsafe" not in csp


def test_pages_of_this_area_satisfy_the_policy(cast, login):
    assert_satisfies_csp(Client().get(reverse("login")))
    client = login(cast.lead)
    for url in (reverse("home"), reverse("accounts:list"), reverse("accounts:events"), reverse("accounts:create"),
                reverse("accounts:edit", args=[cast.finance_user.pk])):
        assert_satisfies_csp(client.get(url))
    assert_satisfies_csp(client.post(reverse("accounts:reset_password", args=[cast.finance_user.pk]),
                                     {"mode": "generate"}))


def test_lockout_page_satisfies_the_policy(cast):
    client = Client()
    for _ in range(5):
        response = client.post(reverse("login"), {"username": "finance", "password": "wrong-password"})
    assert response.status_code == 429
    assert_satisfies_csp(response)


def test_error_pages_carry_the_policy_in_production(cast, login, settings):
    """django-csp leaves it off 404 and 500 pages only while DEBUG shows Django's own debug pages."""
    settings.DEBUG = False
    response = login(cast.lead).get("/no-such-page/")
    assert response.status_code == 404
    assert_satisfies_csp(response)


def test_admin_relaxes_styles_only_under_admin(cast, login):
    from tracker.models import User

    root = User.objects.create_superuser("root", password="x-root-password", role=User.Role.LEAD)
    response = login(root).get("/admin/tracker/user/")
    assert response.status_code == 200
    assert directives(response["Content-Security-Policy"]) == {**POLICY, "style-src": ["'self'", "'unsafe-inline'"]}
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", response.content.decode())


@pytest.mark.parametrize("value", ["nginx", "10.0.0.0/33", "127.0.0.1;10.0.0.1"])
def test_a_trusted_proxy_that_is_no_address_stops_the_start(monkeypatch, tmp_path, value):
    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXIES"):
        production_settings(monkeypatch, tmp_path, TRUSTED_PROXIES=value)


def test_the_old_forwarded_switch_stops_the_start_with_what_to_set_instead(monkeypatch, tmp_path):
    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXIES"):
        production_settings(monkeypatch, tmp_path, USE_X_FORWARDED_FOR="True")


NGINX, BALANCER = "127.0.0.1", "10.0.1.7"


@pytest.mark.parametrize("trusted, peer, forwarded, expected", [
    # no proxy configured: the header is never read, whatever it says
    ((), "203.0.113.9", "198.51.100.1", "203.0.113.9"),
    ((), NGINX, "198.51.100.1", NGINX),
    # through nginx: the address nginx appended is the client's
    (("127.0.0.1",), NGINX, "203.0.113.9", "203.0.113.9"),
    (("127.0.0.1",), NGINX, "real, spoof, 203.0.113.9", "203.0.113.9"),  # what the client wrote is ignored
    (("127.0.0.1",), NGINX, "6.6.6.6, 203.0.113.9", "203.0.113.9"),
    (("127.0.0.1",), NGINX, "", NGINX),
    (("127.0.0.1",), NGINX, "unknown", NGINX),
    # straight to gunicorn, headers and all: the peer's own address
    (("127.0.0.1",), "203.0.113.9", "1.2.3.4", "203.0.113.9"),
    (("127.0.0.1",), "203.0.113.9", "real, spoof", "203.0.113.9"),
    # a load balancer in front of nginx: both hops skipped, the first one they did not write is the client
    (("127.0.0.1", "10.0.1.0/24"), NGINX, f"6.6.6.6, 203.0.113.9, {BALANCER}", "203.0.113.9"),
    (("127.0.0.1", "10.0.1.0/24"), NGINX, f"{BALANCER}", BALANCER),
    (("::1",), "::1", "2001:db8::5", "2001:db8::5"),
])
def test_client_ip_trusts_forwarded_addresses_only_from_our_proxies(rf, settings, trusted, peer, forwarded,
                                                                    expected):
    settings.TRUSTED_PROXIES = tuple(ipaddress.ip_network(n) for n in trusted)
    request = rf.get("/", REMOTE_ADDR=peer, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_a_rotated_forwarded_header_does_not_walk_around_the_lockout(cast, settings, time_machine):
    """Six failures sent straight to gunicorn, each with a new X-Forwarded-For, lock the one real address."""
    settings.TRUSTED_PROXIES = (ipaddress.ip_network("127.0.0.1/32"),)
    time_machine.move_to(datetime.datetime(2024, 6, 20, 9, 0, tzinfo=datetime.UTC), tick=False)
    for i in range(settings.AXES_FAILURE_LIMIT):
        Client().post(reverse("login"), {"username": "finance", "password": "wrong-password"},
                      REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}")
    response = Client().post(reverse("login"), {"username": "finance", "password": PASSWORD},
                             REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.200")
    assert response.status_code == 429
    # through nginx, a client rotating the header it writes is still the address nginx appended
    for i in range(settings.AXES_FAILURE_LIMIT):
        Client().post(reverse("login"), {"username": "street", "password": "wrong-password"},
                      REMOTE_ADDR=NGINX, HTTP_X_FORWARDED_FOR=f"198.51.100.{i}, 192.0.2.44")
    response = Client().post(reverse("login"), {"username": "street", "password": PASSWORD},
                             REMOTE_ADDR=NGINX, HTTP_X_FORWARDED_FOR="198.51.100.99, 192.0.2.44")
    assert response.status_code == 429


@pytest.mark.parametrize("who", ["lead", "inspector", "finance_user", "street_user"])
def test_every_page_in_the_navigation_satisfies_the_policy(cast, login, who):
    client = login(getattr(cast, who))
    nav = client.get(reverse("home")).content.decode().split('<nav class="nav">', 1)[1].split("</nav>", 1)[0]
    urls = sorted(set(re.findall(r'href="(/[^"]*)"', nav)) - {"/admin/"})
    assert reverse("home") in urls and len(urls) > 3
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        if response["Content-Type"].startswith("text/html"):
            assert_satisfies_csp(response)


def test_env_example_lists_every_variable_the_settings_read():
    read = set(re.findall(r'env_(?:str|int|bool|list|networks)\("([A-Z_]+)"', (ROOT / "tracker" / "settings.py").read_text()))
    read |= set(re.findall(r'environ\.get\("([A-Z_]+)"', (ROOT / "deploy" / "gunicorn.conf.py").read_text()))
    listed = set(re.findall(r"^#?\s*([A-Z_]+)=", (ROOT / "deploy" / "env.example").read_text(), re.M))
    assert {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "SECURE_PROXY_SSL_HEADER"} <= read
    assert read - listed == set()
