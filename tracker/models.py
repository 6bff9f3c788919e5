import secrets

from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

# Letters and digits that cannot be confused with each other when read aloud or copied from paper.
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789"


def generate_password(length: int = 14) -> str:
    """A random password that passes the configured validators (checked, never assumed)."""
    while True:
        password = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(length))
        try:
            validate_password(password)
        except ValidationError:  # a rare weak draw (e.g. all digits): draw again
            continue
        return password


class TrackerUserManager(UserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        # A superuser belongs to no unit, so it cannot keep the default liaison role.
        extra_fields.setdefault("role", "lead")
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in. Liaisons belong to a unit; the lead office and inspectors to none."""

    class Role(models.TextChoices):
        LEAD = "lead", "牵头单位"
        UNIT = "unit", "责任单位"
        INSPECTOR = "inspector", "督察"

    role = models.CharField("角色", max_length=16, choices=Role.choices, default=Role.UNIT)
    unit = models.ForeignKey(
        "plans.Unit",
        verbose_name="所属单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    phone = models.CharField("联系电话", max_length=32, blank=True)
    # The plan this person last chose on 总览, 调度, 台账 or the 工作台 (tracker.plan_choice); kept on the
    # user rather than the session so it follows them to another device.
    current_plan = models.ForeignKey(
        "plans.Plan", verbose_name="当前实施方案", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = TrackerUserManager()

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        constraints = [
            models.CheckConstraint(
                condition=Q(role="unit", unit__isnull=False) | ~Q(role="unit"),
                name="user_unit_role_has_unit",
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def get_full_name(self) -> str:
        return f"{self.last_name}{self.first_name}".strip()

    @property
    def is_lead(self) -> bool:
        return self.role == self.Role.LEAD

    @property
    def is_inspector(self) -> bool:
        return self.role == self.Role.INSPECTOR

    @property
    def is_liaison(self) -> bool:
        return self.role == self.Role.UNIT

    @property
    def can_read_all(self) -> bool:
        """Lead office and inspectors see every unit's work."""
        return self.role in (self.Role.LEAD, self.Role.INSPECTOR)


class LoginEvent(models.Model):
    """One sign-in, failed attempt, lockout or sign-out, kept for the lead office to review."""

    class Kind(models.TextChoices):
        LOGIN = "login", "登录成功"
        FAILURE = "failure", "登录失败"
        LOCKED = "locked", "账户锁定"
        REFUSED = "refused", "锁定期间拒绝"
        LOGOUT = "logout", "退出"
        PASSWORD = "password", "修改密码"

    at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    kind = models.CharField("事件", max_length=16, choices=Kind.choices)
    user = models.ForeignKey(
        User, verbose_name="用户", null=True, blank=True, on_delete=models.SET_NULL, related_name="login_events"
    )
    username = models.CharField("用户名", max_length=150, blank=True, help_text="登录时填写的用户名")
    ip_address = models.GenericIPAddressField("IP地址", null=True, blank=True)
    user_agent = models.CharField("浏览器", max_length=300, blank=True)

    class Meta:
        verbose_name = "登录记录"
        verbose_name_plural = "登录记录"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["kind", "-at"]), models.Index(fields=["username", "-at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.username} {self.at:%Y-%m-%d %H:%M}"
