"""The rules a unit's set of values obeys, and how the district's totals add up.

``check`` reads what a unit entered (on the form or in its template) into Decimals, or into Chinese messages
naming each cell and indicator; nothing is stored unless every value passes. ``totals`` adds the approved
values of a round by the catalogue's rule: a sum across units, or a formula worked out again from the summed
parts (持证率 = Σ持证人数 ÷ Σ执法人员 × 100%), never an average of the units' ratios.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db.models import Sum

from indicators.models import FigureReport, FigureRound, FigureValue, Indicator

MOVE_LIMIT = Decimal("0.3")  # a value that moves more than ±30% on the previous period's needs a 说明
CENT = Decimal("0.01")


@dataclass
class Entry:
    """What was entered for one indicator: the value as typed, the 说明, and where (an .xlsx cell, or "")."""

    indicator: Indicator
    text: str
    note: str = ""
    cell: str = ""

    @property
    def name(self) -> str:
        return f"{self.cell}（{self.indicator.label}）" if self.cell else self.indicator.label


class Problem(str):
    """One message of ``check``, a str that also knows the entries it is about (their fields and cells)."""

    entries: tuple[Entry, ...]

    def __new__(cls, text: str, *entries: Entry) -> "Problem":
        problem = super().__new__(cls, text)
        problem.entries = entries
        return problem

    @property
    def detail(self) -> str:
        """The message without the cells and indicators it names first, to stand beside their fields."""
        return self.split("：", 1)[-1]


def ratio(numerator: Decimal | None, denominator: Decimal | None) -> Decimal | None:
    """numerator ÷ denominator × 100, two places; None when there is no denominator."""
    if numerator is None or not denominator:
        return None
    return (numerator * 100 / denominator).quantize(CENT, ROUND_HALF_UP)


def number(text) -> Decimal:
    """A typed value as a Decimal (thousands separators allowed); InvalidOperation when it is none."""
    value = Decimal(str(text).strip().replace(",", "").replace("，", ""))
    if not value.is_finite():
        raise InvalidOperation
    return value


def previous_values(report: FigureReport) -> dict[int, Decimal]:
    """The unit's approved values of the period before, by indicator pk."""
    before = report.round.previous()
    if before is None:
        return {}
    return dict(FigureValue.objects.filter(report__round=before, report__unit_id=report.unit_id,
                                           report__state=FigureReport.State.APPROVED)
                .values_list("indicator_id", "value"))


def moved(value: Decimal, before: Decimal) -> bool:
    """More than ±30% on the previous value (any change on a previous 0)."""
    return abs(value - before) > MOVE_LIMIT * before


def check(report: FigureReport, entries: list[Entry]) -> tuple[dict[int, tuple[Decimal, str]], list[Problem]]:
    """The values ({indicator pk: (value, 说明)}) when every entry passes, else the messages, one per problem, each
    knowing the entries it is about."""
    errors, values, by_pk = [], {}, {}
    for entry in entries:
        text, note = str(entry.text or "").strip(), str(entry.note or "").strip()
        if not text:
            errors.append(Problem(f"{entry.name}：请填写数值（没有发生的填0）。", entry))
            continue
        try:
            value = number(text)
        except InvalidOperation:
            errors.append(Problem(f"{entry.name}：“{text}”不是数字。", entry))
            continue
        problem = entry.indicator.problem(value)
        if problem:
            errors.append(Problem(f"{entry.name}：{problem}。", entry))
            continue
        values[entry.indicator.pk] = (value, note)
        by_pk[entry.indicator.pk] = entry
    errors += _parts(entries, values, by_pk)
    errors += _ratios(report, values, by_pk)
    errors += _moves(report, values, by_pk)
    return ({} if errors else values), errors


def _parts(entries, values, by_pk) -> list[str]:
    errors = []
    for entry in entries:
        total = entry.indicator
        parts = [e for e in entries if e.indicator.parent_id == total.pk]
        if not parts or total.pk not in values or any(p.indicator.pk not in values for p in parts):
            continue
        whole, summed = values[total.pk][0], sum(values[p.indicator.pk][0] for p in parts)
        names = "、".join(p.name for p in parts)
        if summed > whole:
            errors.append(Problem(f"{names}：各分项之和{plain(summed)}超过{entry.name}{plain(whole)}。", *parts))
        elif total.parts_complete and summed != whole:
            errors.append(Problem(f"{names}：各分项之和{plain(summed)}应等于{entry.name}{plain(whole)}。", *parts))
    return errors


def _ratios(report, values, by_pk) -> list[str]:
    errors = []
    for indicator in Indicator.objects.filter(rule=Indicator.Rule.FORMULA, kind=Indicator.Kind.RATIO,
                                              numerator__in=list(values), denominator__in=list(values)):
        worked = ratio(values[indicator.numerator_id][0], values[indicator.denominator_id][0])
        if worked is not None and worked > 100:
            top, bottom = by_pk[indicator.numerator_id], by_pk[indicator.denominator_id]
            errors.append(Problem(f"{top.name}：{indicator.name}算得{plain(worked)}%，超过100%，"
                                  f"{top.indicator.name}不能多于{bottom.name}。", top))
    return errors


def _moves(report, values, by_pk) -> list[str]:
    errors, before = [], previous_values(report)
    for pk, (value, note) in values.items():
        if pk in before and moved(value, before[pk]) and not note:
            errors.append(Problem(f"{by_pk[pk].name}：较上期（{plain(before[pk])}）变化超过30%，请填写说明。", by_pk[pk]))
    return errors


def plain(value: Decimal) -> str:
    """A Decimal as people write it: 12, 3.5, 443.47."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass
class Total:
    """One indicator's district figure for a round, with the previous period's and the change."""

    indicator: Indicator
    value: Decimal | None
    before: Decimal | None
    # the two figures the change is worked out on when they are not value and before: both periods over the units
    # approved in both (``totals(same_units=True)``)
    basis: tuple[Decimal | None, Decimal | None] | None = None

    @property
    def compared(self) -> tuple[Decimal | None, Decimal | None]:
        """(this period's, the previous period's) figure that ``change`` compares."""
        return self.basis or (self.value, self.before)

    @property
    def change(self) -> str:
        """较上年/上期: 增加12.5% / 减少3.0% / 增加2.10个百分点 (a ratio moves in points); 持平 when the same, 基本持平
        when the change rounds to nothing (32338 on 32345)."""
        value, before = self.compared
        if value is None or before is None:
            return ""
        if self.indicator.kind == Indicator.Kind.RATIO:
            points = (value - before).quantize(CENT)
            return level(value, before) if not points else f"{'增加' if points > 0 else '减少'}{abs(points)}个百分点"
        if not before:
            return ""
        share = ((value - before) * 100 / before).quantize(Decimal("0.1"), ROUND_HALF_UP)
        return level(value, before) if not share else f"{'增加' if share > 0 else '减少'}{abs(share)}%"


def level(value: Decimal, before: Decimal) -> str:
    """A change too small to show: 持平 only when nothing changed."""
    return "持平" if value == before else "基本持平"


def sums(round: FigureRound, units: set[int] | None = None) -> dict[int, Decimal]:
    """The approved values of a round added up across units (only ``units`` when given), by indicator pk."""
    rows = FigureValue.objects.filter(report__round=round, report__state=FigureReport.State.APPROVED)
    if units is not None:
        rows = rows.filter(report__unit_id__in=units)
    rows = rows.values("indicator_id").annotate(total=Sum("value"))
    return {row["indicator_id"]: row["total"] for row in rows}


def worked_out(indicators, summed: dict[int, Decimal]) -> dict[int, Decimal | None]:
    """Every indicator's figure from the sums: a summed one as it is, a formula from the summed parts."""
    return {i.pk: ratio(summed.get(i.numerator_id), summed.get(i.denominator_id))
            if i.rule == Indicator.Rule.FORMULA else summed.get(i.pk) for i in indicators}


def approved_units(round: FigureRound) -> set[int]:
    return set(round.reports.filter(state=FigureReport.State.APPROVED).values_list("unit_id", flat=True))


def common_units(round: FigureRound) -> set[int] | None:
    """The units approved in both the round and the period before, when the two periods' approved units differ (a
    unit not approved this year but last year, or new this year); None when they are the same or there is none."""
    previous = round.previous()
    if previous is None:
        return None
    now, before = approved_units(round), approved_units(previous)
    return None if now == before else now & before


def totals(round: FigureRound, *, same_units: bool = False) -> list[Total]:
    """The district's figures of a round (approved reports only) beside the previous period's. With ``same_units``
    the change is worked out over the units approved in both periods (``common_units``) when they differ, so a unit
    left out one year does not read as a fall or a rise."""
    indicators = list(round.indicators.select_related("parent").order_by("order", "code"))
    now = worked_out(indicators, sums(round))
    previous = round.previous()
    before = worked_out(indicators, sums(previous)) if previous else {}
    common = common_units(round) if same_units else None
    if common is None:
        return [Total(i, now[i.pk], before.get(i.pk)) for i in indicators]
    now_common, before_common = worked_out(indicators, sums(round, common)), worked_out(indicators, sums(previous, common))
    return [Total(i, now[i.pk], before.get(i.pk), (now_common[i.pk], before_common[i.pk])) for i in indicators]
