from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tracker.backup import BackupError, create_backup


class Command(BaseCommand):
    help = "备份数据库和佐证材料文件到一个带日期的归档（含 SHA-256 清单）。"

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", type=Path, default=None,
                            help="备份目录（默认 VAR_DIR/backups）")

    def handle(self, *args, output: Path | None, **options):
        directory = output or Path(settings.VAR_DIR) / "backups"
        try:
            archive = create_backup(directory)
        except BackupError as error:
            raise CommandError(str(error), returncode=2) from None
        self.stdout.write(str(archive))
