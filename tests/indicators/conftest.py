"""A 数据报送 world on top of the cast: the standard catalogue (from the migration), the 2024 round approved
for both units, and the 2025 round open, asking 区财政局 (a department) and 光复道街道 (a street office)."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from indicators.models import FigureRound, Indicator, Period
from tests.standard_catalogue import ensure_standard_catalogue

NOW = datetime.datetime(2026, 1, 12, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
CODES = ["officers", "certified", "certified_rate", "penalties", "penalties_summary", "penalties_ordinary", "fines",
         "licences"]
# what the two units reported for 2024 (approved), and a 2025 report that passes every rule
FINANCE_2024 = {"officers": 40, "certified": 38, "penalties": 20, "penalties_summary": 12, "penalties_ordinary": 8,
                "fines": Decimal("35.50"), "licences": 300}
STREET_2024 = {"officers": 30, "certified": 12, "penalties": 100, "penalties_summary": 90, "penalties_ordinary": 10,
               "fines": Decimal("4.20")}
FINANCE_2025 = {"officers": "42", "certified": "40", "penalties": "22", "penalties_summary": "12",
                "penalties_ordinary": "10", "fines": "36.75", "licences": "310"}


@pytest.fixture(autouse=True)
def standard_catalogue(db):
    ensure_standard_catalogue()


def open_round(lead, units, year: int, codes=CODES) -> FigureRound:
    rnd = FigureRound(period_kind=Period.YEAR, year=year, due_on=datetime.date(year + 1, 1, 20), created_by=lead)
    rnd.open(units, Indicator.objects.filter(code__in=codes))
    return rnd


def approve(report, values: dict, user, lead, now=NOW) -> None:
    by_code = {i.code: i.pk for i in Indicator.objects.all()}
    report.submit({by_code[code]: (Decimal(value), "") for code, value in values.items()}, user, now)
    report.decide(lead, True, "", now)


def form_data(values: dict, notes: dict | None = None) -> dict:
    data = {f"v_{code}": value for code, value in values.items()}
    data.update({f"n_{code}": note for code, note in (notes or {}).items()})
    return data


@pytest.fixture
def figures(cast):
    """cast plus: .before (2024, approved), .round (2025, open), .finance_report / .street_report (2025)."""
    with time_machine.travel(NOW, tick=False):
        c = cast
        c.before = open_round(c.lead, [c.finance, c.street], 2024)
        approve(c.before.reports.get(unit=c.finance), FINANCE_2024, c.finance_user, c.lead)
        approve(c.before.reports.get(unit=c.street), STREET_2024, c.street_user, c.lead)
        c.round = open_round(c.lead, [c.finance, c.street], 2025)
        c.finance_report = c.round.reports.get(unit=c.finance)
        c.street_report = c.round.reports.get(unit=c.street)
        yield c
