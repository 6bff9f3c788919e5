from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tracker.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = "校验备份归档的清单，并将数据库和佐证材料文件恢复到空数据库。"

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="backup 命令生成的 .tar.gz 文件")
        parser.add_argument("--force", action="store_true",
                            help="目标数据库或文件目录不为空时仍然恢复（覆盖现有数据）")

    def handle(self, *args, archive: Path, force: bool, **options):
        if not archive.is_file():
            raise CommandError(f"找不到备份文件：{archive}", returncode=2)
        try:
            result = restore_backup(archive, force=force)
        except BackupError as error:
            raise CommandError(str(error), returncode=2) from None
        self.stdout.write(
            f"已从 {result.archive.name}（备份时间 {result.created_at}）恢复 {result.tables} 张表、"
            f"{result.rows} 条记录和 {result.files} 个文件，记录数与清单一致。"
        )
        self.stdout.write("如程序版本比备份新，请再运行 manage.py migrate。")
