"""Cross-cutting security helpers: the Content-Security-Policy header and the client address."""

import ipaddress
from collections.abc import Callable

from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied
from csp.constants import SELF, UNSAFE_INLINE
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.contrib.auth.password_validation import MinimumLengthValidator as DjangoMinimumLengthValidator
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware: settings.CONTENT_SECURITY_POLICY on every response, in every mode.

    Under /admin/ styles may also be inline: Django's own admin writes a <style> block on some change
    lists. (django-csp leaves the header off 404 and 500 pages while DEBUG is on, for Django's debug pages.)
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        super().__init__(get_response)
        self.admin_prefix = reverse("admin:index")

    def get_policy_parts(self, request: HttpRequest, response: HttpResponse, report_only: bool = False):
        parts = super().get_policy_parts(request, response, report_only)
        if request.path.startswith(self.admin_prefix):
            parts.replace = {**(parts.replace or {}), "style-src": [SELF, UNSAFE_INLINE]}
        return parts


def _trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in settings.TRUSTED_PROXIES)


def client_ip(request: HttpRequest) -> str | None:
    """The address of the person at the keyboard, for login throttling and the sign-in record.

    The socket's peer (REMOTE_ADDR), unless it is one of our own proxies (settings.TRUSTED_PROXIES): then
    X-Forwarded-For is read from the right, each proxy having appended the address it was reached from,
    past our proxies' own hops, and the first address no trusted proxy wrote is the client. What a client
    puts in the header itself stands further left and is never reached; a request that reaches gunicorn
    directly is judged by its peer address, whatever its headers say. A hop that is not an address ends
    the walk at the last trusted one.
    """
    peer = request.META.get("REMOTE_ADDR") or None
    if peer is None or not _trusted(peer):
        return peer
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    client = peer
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            break
        client = hop
        if not _trusted(hop):
            break
    return client


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' gate in front of the password check, marking the requests it refuses."""

    def authenticate(self, request: HttpRequest, username: str | None = None, password: str | None = None, **kwargs):
        if request is None:
            return None  # no request, no address to throttle (the shell, Client.login in tests)
        try:
            return super().authenticate(request, username=username, password=password, **kwargs)
        except AxesBackendPermissionDenied:
            request.refused_during_lockout = True
            raise


def refused_during_lockout(request: HttpRequest | None) -> bool:
    return bool(getattr(request, "refused_during_lockout", False))


def lockout_policy() -> dict:
    """The throttling rule in the words the pages use."""
    return {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "lockout_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }


def locked_out_addresses(username: str) -> list[str]:
    """Addresses from which `username` is locked out right now."""
    from axes.models import AccessAttempt
    from django.utils import timezone

    return list(AccessAttempt.objects.filter(
        username=username, failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
        attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME,
    ).values_list("ip_address", flat=True))


def lockout_response(request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None):
    """The Chinese page for a locked-out login (AXES_LOCKOUT_CALLABLE), status 429."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    context = {"username": username, **lockout_policy()}
    return render(request, "tracker/accounts/locked.html", context, status=429)


class MinimumLengthValidator(DjangoMinimumLengthValidator):
    """Django's rule with its message in Chinese (the stock plural message falls back to English)."""

    def validate(self, password: str, user=None) -> None:
        if len(password) < self.min_length:
            raise ValidationError(
                f"密码长度太短，至少需要 {self.min_length} 个字符。", code="password_too_short",
                params={"min_length": self.min_length},
            )

    def get_help_text(self) -> str:
        return f"密码至少需要 {self.min_length} 个字符。"
