import datetime
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from notifications.models import LadderConfig
from notifications.sweep import run_sweep


def parse_day(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"日期格式不正确：{value}（应为 YYYY-MM-DD，例如 2024-06-25）") from None


class Command(BaseCommand):
    help = "运行一次督办扫描（提醒、催办、函告、通报），最后一行输出JSON结果。"

    def add_arguments(self, parser):
        parser.add_argument("--as-of", dest="as_of", help="按该日期扫描（YYYY-MM-DD），默认今天")
        parser.add_argument("--dry-run", action="store_true", help="只计算，不保存、不发送")

    def handle(self, *args, as_of=None, dry_run=False, **options):
        day = parse_day(as_of) if as_of else timezone.localdate()
        paused = LadderConfig.objects.filter(enabled=False).exclude(paused_reason="")
        for title, reason in paused.order_by("plan__title").values_list("plan__title", "paused_reason"):
            self.stdout.write(f"未督办《{title}》：{reason}（督办设置页面）")
        result = run_sweep(day, dry_run=dry_run, documents="now")
        self.stdout.write(json.dumps(result, ensure_ascii=False))
