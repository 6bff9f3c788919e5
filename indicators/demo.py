"""The demo's figures: 2024 and 2025 数据报送 for 河北区's departments and ten streets, at the magnitudes the
districts' reports give (seeds 000–003: 1,400–2,400 officers, tens of thousands of inspections, a few thousand
penalties), entered and reviewed through the same services as the pages (``figures.check``,
``FigureReport.submit``, ``FigureReport.decide``). All approved, but one street's 2025 figures, left 待审核."""

import datetime
import random
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from indicators import figures
from indicators.models import FigureRound, Indicator, Period
from plans.models import Measure, Unit

TZ = ZoneInfo("Asia/Shanghai")
# a department's share of the district's enforcement work, by its short name (the rest share what is left)
BIG = {"市场监管局": 6, "城市管理委": 5, "公安分局": 5, "应急局": 3, "生态环境局": 3, "交通运输局": 3, "卫生健康委": 3,
       "住房建设委": 2, "规划资源分局": 2, "文化和旅游局": 2, "人社局": 2}
LEFT_PENDING = "望海楼街道办事处"
# a few moves of more than 30%, with the 说明 a unit writes
NOTES = {("区市场监管局", "fines"): (Decimal("1.6"), "查处一起重大食品安全案件，罚没款较多"),
         ("区应急局", "inspections"): (Decimal("1.45"), "开展重大事故隐患专项排查整治行动"),
         ("建昌道街道办事处", "penalties_ordinary"): (Decimal("1.5"), "承接赋权事项后普通程序案件增加")}


def base_figures(unit: Unit, rng: random.Random) -> dict[str, Decimal]:
    """One unit's 2024 figures: a street's 综合执法队, or a department by its weight."""
    street = unit.kind == Unit.Kind.STREET
    weight = 1 if street else BIG.get(unit.short_name, 1)
    officers = rng.randint(18, 30) if street else rng.randint(20, 35) * weight
    certified = officers - rng.randint(0, max(1, officers // 12))
    penalties = rng.randint(60, 140) if street else rng.randint(15, 40) * weight
    summary = penalties * rng.randint(55, 75) // 100 if street else penalties * rng.randint(25, 45) // 100
    reconsiderations = 0 if street else rng.randint(0, 4) * weight
    lawsuits = 0 if street else rng.randint(0, 2) * weight
    values = {
        "law_bodies": 1, "officers": officers, "certified": certified,
        "legal_reviewers": rng.randint(1, 3) * (1 if street else weight),
        "inspections": rng.randint(600, 1100) if street else rng.randint(300, 700) * weight,
        "penalties": penalties, "penalties_summary": summary, "penalties_ordinary": penalties - summary,
        "fines": Decimal(rng.randint(300, 900)) / 100 if street else Decimal(rng.randint(500, 2500) * weight) / 100,
        "licences": rng.randint(50, 400) * weight, "coercions": rng.randint(0, 6) * (1 if street else weight),
        "reconsiderations": reconsiderations, "reconsiderations_corrected": reconsiderations // 8,
        "lawsuits": lawsuits, "lawsuits_lost": lawsuits // 10,
        "training_sessions": rng.randint(4, 10), "training_attendance": officers * rng.randint(3, 6),
        "training_hours": officers * 60 + rng.randint(0, 20) * 10,
        "certificates_issued": rng.randint(0, max(1, officers // 15)),
        "certificates_revoked": rng.randint(0, max(1, officers // 20)),
        "case_reviews": rng.randint(10, 30) if street else rng.randint(10, 25) * weight,
    }
    return {code: Decimal(value) for code, value in values.items()}


def next_year(unit: Unit, before: dict[str, Decimal], rng: random.Random) -> dict[str, tuple[Decimal, str]]:
    """2025 from 2024: moves within ±30% (a small count that rounds past it stays as it was), and the few
    larger ones with their 说明; the people, the hours and the parts kept consistent."""
    values = {}
    for code, value in before.items():
        factor, note = NOTES.get((unit.name, code), (Decimal(rng.randint(85, 118)) / 100, ""))
        new = (value * factor).quantize(Decimal("0.01") if code == "fines" else Decimal(1))
        values[code] = (value if figures.moved(new, value) and not note else new, note)
    officers = values["officers"][0]
    values["law_bodies"] = (Decimal(1), "")
    values["certified"] = (min(values["certified"][0], officers), "")
    values["training_hours"] = (officers * 60 + rng.randint(0, 20) * 10, "")
    values["penalties"] = (values["penalties_summary"][0] + values["penalties_ordinary"][0], "")
    for total, part in (("reconsiderations", "reconsiderations_corrected"), ("lawsuits", "lawsuits_lost")):
        values[part] = (min(values[part][0], values[total][0]), "")
    return values


def seed_figures(liaisons: dict, lead, units: list[Unit], stdout) -> None:
    """Both years' rounds, each unit's figures entered and reviewed. ``liaisons``: a liaison per unit pk."""
    from plans.management.commands.seed_demo import clock_at  # the demo's clock, as every step of it uses

    # 培训场次 checks the plan's 每年不少于2次业务培训: a department's report shows that measure's accepted figure
    Indicator.objects.filter(code="training_sessions").update(measure=Measure.objects.filter(
        target_value__isnull=False, target_per_person=False, text__contains="次业务培训").first())
    indicators = list(Indicator.objects.filter(is_active=True))
    rng = random.Random(16)
    earlier = {u.pk: base_figures(u, rng) for u in units}
    for year, opened in ((2024, datetime.datetime(2025, 1, 6, 9, tzinfo=TZ)),
                         (2025, datetime.datetime(2026, 1, 5, 9, tzinfo=TZ))):
        with clock_at(opened):
            rnd = FigureRound(period_kind=Period.YEAR, year=year, due_on=datetime.date(year + 1, 1, 20),
                              created_by=lead)
            kinds = {k for i in indicators if i.is_reported for k in i.unit_kinds}
            rnd.open([u for u in units if u.kind in kinds], indicators)
        for n, report in enumerate(rnd.reports.select_related("unit").order_by("unit__order", "unit__name")):
            unit = report.unit
            values = ({code: (value, "") for code, value in earlier[unit.pk].items()} if year == 2024
                      else next_year(unit, earlier[unit.pk], rng))
            entries = [figures.Entry(i, str(values[i.code][0]), values[i.code][1]) for i in report.indicators()]
            checked, errors = figures.check(report, entries)
            if errors:
                raise ValueError(f"{unit.name}{rnd.period}演示数据不合规则：{errors}")
            with clock_at(opened + datetime.timedelta(days=3 + n % 9, hours=n % 6)):
                report.submit(checked, liaisons[unit.pk], timezone.now())
            if year == 2025 and unit.name == LEFT_PENDING:
                continue
            with clock_at(opened + datetime.timedelta(days=14, hours=n % 8)):
                report.decide(lead, True, "", timezone.now())
        stdout.write(f"数据报送：{rnd.period}，{rnd.reports.count()}个单位报送并审核。")
