"""manage.py test_robot <unit name or id>: one short test message to the unit's group robot."""

import sys

from django.core.management.base import BaseCommand

from notifications import robots
from plans.models import Unit


class Command(BaseCommand):
    help = "向单位的群机器人发送一条测试消息，显示平台的应答；送达时退出码为0，未送达时为2。"

    def add_arguments(self, parser):
        parser.add_argument("unit", help="单位名称、简称或编号")

    def handle(self, *args, **options):
        wanted = options["unit"].strip()
        units = Unit.objects.filter(name=wanted) or Unit.objects.filter(short_name=wanted)
        if not units and wanted.isdigit():
            units = Unit.objects.filter(pk=int(wanted))
        if len(units) != 1:
            self.fail(f"找不到单位“{wanted}”。" if not units else f"简称“{wanted}”对应多个单位，请用全称或编号。")
        unit = units[0]
        try:
            answer = robots.send_test(unit)
        except robots.DeliveryError as exc:
            self.fail(f"{unit.name}的群机器人未收到测试消息：{exc}。")
        self.stdout.write(f"{unit.name}的{robots.PLATFORM[robots.kind(unit.webhook_url)]}群机器人"
                          f"（{robots.mask(unit.webhook_url)}）{answer}。")

    def fail(self, line: str) -> None:
        self.stderr.write(line)
        sys.exit(2)
