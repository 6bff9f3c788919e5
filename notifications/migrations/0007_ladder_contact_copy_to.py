from django.db import migrations, models


def fields():
    return [
        ("contact", models.CharField(blank=True, help_text="函告、通报附注中的联系人；与联系电话同时填写才印出",
                                     max_length=50, verbose_name="联系人")),
        ("contact_phone", models.CharField(blank=True, max_length=50, verbose_name="联系电话")),
        ("copy_to", models.CharField(blank=True, help_text="函告、通报版记的抄送机关，用顿号分隔，例如：区委依法治区办、区人大法制委",
                                     max_length=500, verbose_name="抄送机关")),
    ]


class Migration(migrations.Migration):

    dependencies = [
        ("notifications", "0006_letter_after_first_urge"),
    ]

    operations = [
        migrations.AddField(model_name=model, name=name, field=field)
        for model in ("ladderconfig", "historicalladderconfig") for name, field in fields()
    ]
