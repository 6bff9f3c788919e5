from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q


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
