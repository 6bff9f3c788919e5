"""The annual 行政执法工作报告 (its kind, year, addressee and Word file), and a report's words as section texts: 存在问题 and 下步工作
move from their own columns into ``texts`` (rewritten by the lead office) or ``drafts`` (as the system drafted them)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import reports.models

SECTIONS = ("problems", "next_steps")


def to_section_texts(apps, schema_editor):
    """An edited report's two texts are the lead office's; an unedited one's are the system's draft."""
    ReportJob = apps.get_model("reports", "ReportJob")
    for job in ReportJob.objects.exclude(problems="", next_steps="").only("pk", "problems", "next_steps",
                                                                          "text_edited_at"):
        words = {key: getattr(job, key) for key in SECTIONS if getattr(job, key)}
        if job.text_edited_at:
            job.texts, job.drafts = words, {}
        else:
            job.texts, job.drafts = {}, words
        job.save(update_fields=["texts", "drafts"])


def to_columns(apps, schema_editor):
    """Back: each section's printed text (the lead office's, else the draft) in its own column. Annual reports go:
    before this migration there is no such kind, and a job without its year would break the reports page."""
    ReportJob = apps.get_model("reports", "ReportJob")
    ReportJob.objects.filter(kind="annual").delete()
    for job in ReportJob.objects.exclude(texts={}, drafts={}).only("pk", "texts", "drafts"):
        for key in SECTIONS:
            setattr(job, key, job.texts.get(key) or job.drafts.get(key, ""))
        job.save(update_fields=list(SECTIONS))


class Migration(migrations.Migration):

    dependencies = [
        ("reports", "0004_kept_report_text"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="reportjob",
            name="kind",
            field=models.CharField(choices=[("inspection", "督察进展报告（全方案）"), ("unit", "单位工作情况报告"),
                                            ("task", "任务推进情况报告"), ("annual", "年度行政执法工作报告")],
                                   max_length=16, verbose_name="报告类型"),
        ),
        migrations.AddField(
            model_name="reportjob",
            name="year",
            field=models.PositiveIntegerField(blank=True, help_text="年度行政执法工作报告的年度", null=True,
                                              verbose_name="年度"),
        ),
        migrations.AddField(
            model_name="reportjob",
            name="addressee",
            field=models.CharField(blank=True, help_text="年度行政执法工作报告的主送机关", max_length=100,
                                   verbose_name="主送"),
        ),
        migrations.AddField(
            model_name="reportjob",
            name="docx",
            field=models.FileField(blank=True, max_length=200, upload_to=reports.models.report_path,
                                   verbose_name="Word"),
        ),
        migrations.AddField(
            model_name="reportjob",
            name="texts",
            field=models.JSONField(blank=True, default=dict, help_text="牵头单位改写的各部分文字（按部分）；同一报告再次生成时沿用",
                                   verbose_name="修改后的文字"),
        ),
        migrations.AddField(
            model_name="reportjob",
            name="drafts",
            field=models.JSONField(blank=True, default=dict, help_text="最近一次生成时按数据起草的各部分文字",
                                   verbose_name="系统起草的文字"),
        ),
        migrations.AddField(
            model_name="reportjob",
            name="text_edited_by",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                                    related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="文字修改人"),
        ),
        migrations.AlterField(
            model_name="reportjob",
            name="text_edited_at",
            field=models.DateTimeField(blank=True, help_text="牵头单位最近一次保存或恢复各部分文字的时间", null=True,
                                       verbose_name="文字修改时间"),
        ),
        migrations.RunPython(to_section_texts, to_columns, elidable=False),
        migrations.RemoveField(model_name="reportjob", name="problems"),
        migrations.RemoveField(model_name="reportjob", name="next_steps"),
    ]
