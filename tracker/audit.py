"""Records sign-ins, failed attempts, lockouts and sign-outs as LoginEvent rows.

Connected in TrackerConfig.ready(). Django's auth signals carry the request; django-axes adds
`user_locked_out`, and tracker.security.LockoutBackend marks a request it refused during a lockout.
"""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.http import HttpRequest

from tracker.models import LoginEvent, User
from tracker.security import client_ip, refused_during_lockout


def record(kind: str, request: HttpRequest | None, *, user: User | None = None, username: str = "") -> LoginEvent:
    meta = request.META if request is not None else {}
    return LoginEvent.objects.create(
        kind=kind,
        user=user,
        username=(username or (user.get_username() if user else ""))[:150],
        ip_address=client_ip(request) if request is not None else None,
        user_agent=meta.get("HTTP_USER_AGENT", "")[:300],
    )


def _known_user(username: str) -> User | None:
    return User.objects.filter(username=username).first() if username else None


def on_logged_in(sender, request, user, **kwargs):
    record(LoginEvent.Kind.LOGIN, request, user=user)


def on_logged_out(sender, request, user, **kwargs):
    if user is not None:  # logging out without a session records nothing
        record(LoginEvent.Kind.LOGOUT, request, user=user)


def on_login_failed(sender, credentials, request=None, **kwargs):
    username = credentials.get("username", "") or ""
    if refused_during_lockout(request):
        record(LoginEvent.Kind.REFUSED, request, user=_known_user(username), username=username)
    else:
        _record_failure_once(request, username)


def on_locked_out(sender, request, username, ip_address, **kwargs):
    # Axes also sends this for every attempt refused during a lockout; only the failure that
    # reached the limit starts one. Axes may announce it before our failure receiver has run, so the
    # failure is recorded first here if need be: the record reads failure, then lockout.
    if not refused_during_lockout(request):
        _record_failure_once(request, username or "")
        record(LoginEvent.Kind.LOCKED, request, user=_known_user(username or ""), username=username or "")


def _record_failure_once(request: HttpRequest | None, username: str) -> None:
    if request is not None and getattr(request, "login_failure_recorded", False):
        return
    record(LoginEvent.Kind.FAILURE, request, user=_known_user(username), username=username)
    if request is not None:
        request.login_failure_recorded = True


def connect() -> None:
    user_logged_in.connect(on_logged_in, dispatch_uid="tracker.audit.logged_in")
    user_logged_out.connect(on_logged_out, dispatch_uid="tracker.audit.logged_out")
    user_login_failed.connect(on_login_failed, dispatch_uid="tracker.audit.login_failed")
    user_locked_out.connect(on_locked_out, dispatch_uid="tracker.audit.locked_out")

