"""A plan measure's figures in 数据报送: an indicator linked to the measure whose target it checks
(``Indicator.measure``, e.g. 培训场次 ↔ 每年不少于2次业务培训) takes, for a unit's report, the figure the unit
reported on that measure and the lead office accepted (``Assignment.achieved_value``, copied there by
``Submission.decide`` on 通过 only, so a pending or returned report's figure never shows). The assignment is the
unit's assignment of the measure for the round's period: the one its period names (a yearly measure's 2025年 for
the 2025 round, a quarterly one's 2025年第4季度 for 2025年第四季度, wherever an extension moved its due date), or a
one-off measure's due within the period; never a year's figure for a quarter, nor a quarter's for a year. The figure
pre-fills the unit's form, marked with where it came from; it is still checked by ``figures.check`` and stored
by ``FigureReport.submit`` as any value is. The lead office's review page shows the measure's figures beside
the indicator.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q

from indicators.models import FigureReport, FigureRound, Period
from plans.importer.deadlines import period_label
from plans.models import Measure
from tasks.models import Assignment, Figures

SHORT = 24  # characters of the measure's text in the marker


@dataclass
class Linked:
    """A linked indicator's assignment in the report's period."""

    assignment: Assignment

    @property
    def achieved(self) -> Decimal | None:
        """The accepted achieved figure (None: nothing accepted yet)."""
        return self.assignment.achieved_value

    @property
    def figures(self) -> Figures:
        return Figures.of(self.assignment.measure, self.assignment)

    @property
    def measure_name(self) -> str:
        measure = self.assignment.measure
        text = measure.text if len(measure.text) <= SHORT else measure.text[:SHORT] + "…"
        return f"{measure.task.name}措施“{text}”"

    @property
    def source(self) -> str:
        """The marker beside a pre-filled value."""
        return f"来自任务报送：{self.measure_name}（已审核）"


def measure_period(rnd: FigureRound) -> str:
    """The round's period as a recurring measure's assignments name it (``Assignment.period``)."""
    if rnd.period_kind == Period.YEAR:
        return period_label(Measure.Recurrence.YEARLY, rnd.year, 1)
    return period_label(Measure.Recurrence.QUARTERLY, rnd.year, 3 * rnd.quarter - 2)


def linked(report: FigureReport) -> dict[int, Linked]:
    """The report's indicators linked to a measure the unit owes in the round's period, by indicator pk."""
    indicators = [i for i in report.indicators() if i.measure_id]
    if not indicators:
        return {}
    first, last = report.round.days
    period = Q(period=measure_period(report.round)) | Q(period="", due_on__range=(first, last))
    assignments = (Assignment.objects.filter(period, measure__in={i.measure_id for i in indicators},
                                             unit=report.unit_id)
                   .select_related("measure__task").order_by("due_on", "pk"))
    by_measure = {a.measure_id: a for a in assignments}  # the last due when several are
    return {i.pk: Linked(by_measure[i.measure_id]) for i in indicators if i.measure_id in by_measure}
