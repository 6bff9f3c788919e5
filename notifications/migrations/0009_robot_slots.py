from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("notifications", "0008_delivery_pending"),
    ]

    operations = [
        migrations.CreateModel(
            name="RobotSlot",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("robot", models.CharField(max_length=64)),
                ("slot", models.PositiveSmallIntegerField()),
                ("used_at", models.DateTimeField()),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("robot", "slot"), name="robotslot_robot_slot")],
            },
        ),
    ]
