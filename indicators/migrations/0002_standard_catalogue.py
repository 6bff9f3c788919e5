"""The standard catalogue, as the districts' annual 行政执法工作报告 count (seeds 000–003): bodies and officers,
inspections, penalties with their procedures, fines, licences, coercion, training, certificates, case reviews,
administrative reconsideration and litigation with what was corrected."""

from django.db import migrations

BOTH, DEPARTMENTS = ["department", "street"], ["department"]
# code, name, measure unit, kind, section, unit kinds, parent code, parts complete
CATALOGUE = [
    ("law_bodies", "执法主体", "个", "count", "bodies", BOTH, None, False),
    ("officers", "执法人员", "人", "count", "bodies", BOTH, None, False),
    ("certified", "持证人数", "人", "count", "bodies", BOTH, None, False),
    ("legal_reviewers", "法制审核人员", "人", "count", "bodies", BOTH, None, False),
    ("inspections", "行政检查", "次", "count", "actions", BOTH, None, False),
    ("penalties", "行政处罚", "件", "count", "actions", BOTH, None, True),
    ("penalties_summary", "简易程序", "件", "count", "actions", BOTH, "penalties", False),
    ("penalties_ordinary", "普通程序", "件", "count", "actions", BOTH, "penalties", False),
    ("fines", "罚没金额", "万元", "amount", "actions", BOTH, None, False),
    ("licences", "行政许可", "件", "count", "actions", DEPARTMENTS, None, False),
    ("coercions", "行政强制", "件", "count", "actions", BOTH, None, False),
    ("reconsiderations", "行政复议", "件", "count", "review", DEPARTMENTS, None, False),
    ("reconsiderations_corrected", "复议纠错", "件", "count", "review", DEPARTMENTS, "reconsiderations", False),
    ("lawsuits", "行政诉讼", "件", "count", "review", DEPARTMENTS, None, False),
    ("lawsuits_lost", "诉讼败诉", "件", "count", "review", DEPARTMENTS, "lawsuits", False),
    ("training_sessions", "培训场次", "场次", "count", "training", BOTH, None, False),
    ("training_attendance", "培训人次", "人次", "count", "training", BOTH, None, False),
    ("training_hours", "培训学时", "学时", "count", "training", BOTH, None, False),
    ("certificates_issued", "执法证新办", "人", "count", "training", BOTH, None, False),
    ("certificates_revoked", "执法证注销", "人", "count", "training", BOTH, None, False),
    ("case_reviews", "案卷评查", "件", "count", "supervision", BOTH, None, False),
]
# code, name, section, numerator, denominator, placed after
FORMULAS = [
    ("certified_rate", "持证率", "bodies", "certified", "officers", "certified"),
    ("reconsideration_correction_rate", "复议纠错率", "review", "reconsiderations_corrected", "reconsiderations",
     "reconsiderations_corrected"),
    ("lawsuit_loss_rate", "诉讼败诉率", "review", "lawsuits_lost", "lawsuits", "lawsuits_lost"),
]


def add_catalogue(apps, schema_editor):
    Indicator = apps.get_model("indicators", "Indicator")
    made = {}
    for order, (code, name, unit, kind, section, kinds, parent, complete) in enumerate(CATALOGUE, start=1):
        made[code] = Indicator.objects.create(
            code=code, name=name, measure_unit=unit, kind=kind, rule="sum", section=section, unit_kinds=kinds,
            parent=made.get(parent), parts_complete=complete, order=order * 10)
    for code, name, section, top, bottom, after in FORMULAS:
        Indicator.objects.create(code=code, name=name, measure_unit="%", kind="ratio", rule="formula",
                                 section=section, numerator=made[top], denominator=made[bottom],
                                 order=made[after].order + 5)


def remove_catalogue(apps, schema_editor):
    Indicator = apps.get_model("indicators", "Indicator")
    Indicator.objects.filter(code__in=[row[0] for row in FORMULAS]).delete()  # they point at the parts
    codes = [row[0] for row in CATALOGUE]
    Indicator.objects.filter(code__in=codes, parent__isnull=False).delete()
    Indicator.objects.filter(code__in=codes).delete()


class Migration(migrations.Migration):
    dependencies = [("indicators", "0001_initial")]

    operations = [migrations.RunPython(add_catalogue, remove_catalogue)]
