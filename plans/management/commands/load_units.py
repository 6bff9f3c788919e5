"""manage.py load_units FILE: create or update the unit directory from a .csv or .xlsx file."""

import sys

from django.core.management.base import BaseCommand

from plans.directory import DirectoryError, load_units


class Command(BaseCommand):
    help = "从 .csv 或 .xlsx 文件导入单位名录（列：名称、简称、类型、所属分组、邮箱、通知Webhook、通知Webhook密钥、通知关键词）。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="单位名录文件（.csv 或 .xlsx）")

    def handle(self, *args, **options):
        try:
            result = load_units(options["file"])
        except DirectoryError as exc:
            self.stderr.write(str(exc))
            sys.exit(2)
        self.stdout.write(result.summary())
