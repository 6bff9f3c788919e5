import json

from django.core.management.base import BaseCommand
from django.utils import timezone

from tracker.recovery import recover


class Command(BaseCommand):
    help = "找出后台进程退出后遗留的工作（报告、投递、函告、通报）并重新排队，最后一行输出JSON结果。"

    def handle(self, *args, **options):
        self.stdout.write(json.dumps(recover(timezone.now()), ensure_ascii=False))
