"""The cast every test can call on: the lead office, two units (one a street office reached only
through a group), an inspector and an outsider, with a small plan between them."""

import datetime
import socket

import pytest
from django.test import Client

from plans.models import Measure, Plan, Section, Task, Unit, UnitGroup
from tasks.models import Assignment
from tracker.models import User

PASSWORD = "correct-horse-battery"


def make_user(username: str, role: str, unit: Unit | None = None) -> User:
    return User.objects.create_user(username=username, password=PASSWORD, role=role, unit=unit,
                                    last_name=username)


@pytest.fixture
def cast(db):
    """Units, groups, a plan with two tasks, their assignments, and one user per role."""

    class Cast:
        pass

    c = Cast()
    c.justice = Unit.objects.create(name="区司法局", kind=Unit.Kind.DEPARTMENT, email="sfj@example.org")
    c.finance = Unit.objects.create(name="区财政局", kind=Unit.Kind.DEPARTMENT, email="czj@example.org")
    c.street = Unit.objects.create(name="光复道街道办事处", short_name="光复道街道", kind=Unit.Kind.STREET)
    c.streets = UnitGroup.objects.create(name="各街道办事处")
    c.streets.members.add(c.street)
    c.enforcers = UnitGroup.objects.create(name="各行政执法部门")
    c.enforcers.members.add(c.finance)

    c.plan = Plan.objects.create(title="测试区提升行政执法质量三年行动实施方案", issuer="测试区人民政府",
                                 issued_on=datetime.date(2024, 6, 14), ends_on=datetime.date(2025, 12, 31),
                                 lead_unit=c.justice, letter_prefix="测司法函", circular_prefix="测司法通")
    c.section = Section.objects.create(plan=c.plan, level=2, number="（一）", title="提升能力", order=1)
    c.task = Task.objects.create(plan=c.plan, section=c.section, number=1, title="着力提高业务能力",
                                 body="组织培训。2024年6月底前完成全员轮训。", unit_names=["区财政局", "各街道办事处"],
                                 order=1)
    c.measure = Measure.objects.create(task=c.task, order=1, text="2024年6月底前完成全员轮训。",
                                       due_on=datetime.date(2024, 6, 30), due_phrase="2024年6月底前")
    c.measure.units.add(c.finance)
    c.measure.groups.add(c.streets)
    c.finance_assignment = Assignment.objects.create(measure=c.measure, unit=c.finance, due_on=c.measure.due_on)
    c.street_assignment = Assignment.objects.create(measure=c.measure, unit=c.street, due_on=c.measure.due_on)

    c.lead = make_user("lead", User.Role.LEAD)
    c.inspector = make_user("inspector", User.Role.INSPECTOR)
    c.finance_user = make_user("finance", User.Role.UNIT, c.finance)
    c.street_user = make_user("street", User.Role.UNIT, c.street)
    c.outsider_unit = Unit.objects.create(name="区外单位")
    c.outsider = make_user("outsider", User.Role.UNIT, c.outsider_unit)
    return c


@pytest.fixture
def login():
    """login(user) -> a test client signed in as that user."""

    def _login(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return _login


def closed_port() -> int:
    """A port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def redis_down(monkeypatch) -> None:
    """Huey's queue on Redis at a closed port, as when Redis is unreachable: every enqueue raises
    redis.ConnectionError (the suite otherwise runs Huey in immediate mode). Pass `monkeypatch.context()` to
    bring Redis back when the block ends."""
    from huey.contrib.djhuey import HUEY
    from huey.storage import RedisStorage

    monkeypatch.setattr(HUEY, "_immediate", False)
    monkeypatch.setattr(HUEY, "storage", RedisStorage(name="tracker-test", url=f"redis://127.0.0.1:{closed_port()}/0"))
