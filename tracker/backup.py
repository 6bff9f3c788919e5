"""One-file backups of the database and the evidence files, and their verified restore.

An archive (tracker-backup-YYYYMMDD-HHMMSS.tar.gz) holds:
  database.sqlite3 or database.pgdump  the database: SQLite's online backup, or pg_dump --format=custom
  media/<path>                         every file under MEDIA_ROOT
  manifest.json                        sha256 of every other member, the engine, the applied migrations,
                                       the row count of every table and the time it was made

`create_backup` and `restore_backup` are the whole job; the `backup` and `restore` commands call them.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA = "media"
DB_MEMBER = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
CHUNK = 1024 * 1024
# Tables whose rows make a database "not empty": the project's own records, not what `migrate` writes.
PROJECT_APPS = ("tracker", "plans", "tasks", "notifications", "reports")


class BackupError(Exception):
    """A refusal with a message for the operator, in Chinese."""


@dataclass
class RestoreResult:
    archive: Path
    created_at: str
    tables: int
    rows: int
    files: int


# --- facts about a database --------------------------------------------------------------------------

def model_tables() -> list[str]:
    return sorted({m._meta.db_table for m in apps.get_models(include_auto_created=True) if m._meta.managed})


def project_tables() -> list[str]:
    return sorted({m._meta.db_table for label in PROJECT_APPS for m in apps.get_app_config(label).get_models(
        include_auto_created=True) if m._meta.managed})


def _table_facts(cursor, existing: set[str]) -> dict:
    counts = {}
    for table in model_tables():
        if table in existing:
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]
    migrations = []
    if "django_migrations" in existing:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        migrations = [f"{app}.{name}" for app, name in cursor.fetchall()]
    return {"counts": counts, "migrations": migrations}


def current_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        return _table_facts(cursor, set(connection.introspection.table_names(cursor)))["counts"]


def engine() -> str:
    return connection.vendor  # "sqlite" or "postgresql"


# --- backing up --------------------------------------------------------------------------------------

def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def media_files(root: Path) -> list[tuple[str, Path]]:
    """(member name, path) for every regular file under MEDIA_ROOT; symlinks are not followed."""
    if not root.is_dir():
        return []
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if path.is_file() and not path.is_symlink():
                found.append((f"{MEDIA}/{path.relative_to(root).as_posix()}", path))
    return found


def _dump_sqlite(target: Path) -> dict:
    connection.ensure_connection()
    with sqlite3.connect(target) as copy:
        connection.connection.backup(copy)  # a consistent snapshot, taken while others keep writing
        cursor = copy.cursor()
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        existing = {row[0] for row in cursor.fetchall()}
        facts = _table_facts(cursor, existing)
    copy.close()
    return facts


def pg_environment() -> tuple[dict[str, str], str]:
    db = connection.settings_dict
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if db.get(key):
            env[var] = str(db[key])
    return env, db["NAME"]


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True)
    except FileNotFoundError:
        raise BackupError(f"找不到 {command[0]} 程序，请安装与数据库版本一致的 PostgreSQL 客户端。") from None
    if result.returncode != 0:
        raise BackupError(f"{what}失败：{result.stderr.strip()[-2000:]}")


def _dump_postgresql(target: Path) -> dict:
    """pg_dump reads the very snapshot in which the row counts are taken, so the manifest matches."""
    env, name = pg_environment()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        facts = _table_facts(cursor, set(connection.introspection.table_names(cursor)))
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
              f"--file={target}", name], env, "pg_dump 导出数据库")
    return facts


def create_backup(directory: Path) -> Path:
    """Writes one dated archive into `directory` and returns its path."""
    if engine() not in DB_MEMBER:
        raise BackupError(f"不支持的数据库类型：{engine()}。")
    directory.mkdir(parents=True, exist_ok=True)
    created = timezone.localtime()
    archive = directory / f"tracker-backup-{created:%Y%m%d-%H%M%S}.tar.gz"
    if archive.exists():
        raise BackupError(f"备份文件已存在：{archive}，请稍后再试。")
    member = DB_MEMBER[engine()]
    with tempfile.TemporaryDirectory(prefix="tracker-backup-") as tmp:
        dump = Path(tmp) / member
        facts = _dump_sqlite(dump) if engine() == "sqlite" else _dump_postgresql(dump)
        members = [(member, dump), *media_files(Path(settings.MEDIA_ROOT))]
        manifest = {
            "format": FORMAT,
            "created_at": created.isoformat(),
            "engine": engine(),
            "database": member,
            "migrations": facts["migrations"],
            "counts": facts["counts"],
            "files": {name: sha256_file(path) for name, path in members},
            "sizes": {name: path.stat().st_size for name, path in members},
        }
        manifest_path = Path(tmp) / MANIFEST
        manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        partial = archive.with_name(archive.name + ".partial")
        with tarfile.open(partial, "w:gz") as tar:
            tar.add(manifest_path, arcname=MANIFEST)
            for name, path in members:
                tar.add(path, arcname=name, recursive=False)
        os.replace(partial, archive)  # never a half-written archive under the final name
    return archive


# --- checking an archive -----------------------------------------------------------------------------

def _safe_member_name(name: str) -> bool:
    path = PurePosixPath(name)
    return (
        bool(name) and not path.is_absolute() and ".." not in path.parts and "\\" not in name
        and all(ord(ch) >= 32 for ch in name) and str(path) == name
    )


def read_manifest(archive: Path) -> dict:
    """Opens the archive and checks every member against the manifest; raises BackupError on any doubt."""
    try:
        tar = tarfile.open(archive, "r:gz")
    except (OSError, tarfile.TarError) as error:
        raise BackupError(f"无法读取备份文件 {archive.name}：{error}") from None
    with tar:
        try:
            members = tar.getmembers()
        except (OSError, tarfile.TarError, EOFError) as error:
            raise BackupError(f"备份文件 {archive.name} 已损坏：{error}") from None
        names = [m.name for m in members]
        bad = [m.name for m in members if not m.isfile() or not _safe_member_name(m.name)]
        if bad:
            raise BackupError(f"备份文件含有不安全的条目，拒绝恢复：{bad[0]!r}")
        if len(names) != len(set(names)):
            raise BackupError("备份文件含有重复的条目，拒绝恢复。")
        if MANIFEST not in names:
            raise BackupError("备份文件缺少清单 manifest.json，拒绝恢复。")
        try:
            manifest = json.loads(tar.extractfile(MANIFEST).read().decode("utf-8"))
            expected = dict(manifest["files"])
            database = manifest["database"]
            fmt = manifest["format"]
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            raise BackupError("备份清单 manifest.json 无法解析，拒绝恢复。") from None
        if fmt != FORMAT:
            raise BackupError(f"不认识的备份格式版本：{fmt}。")
        actual = set(names) - {MANIFEST}
        missing, extra = sorted(set(expected) - actual), sorted(actual - set(expected))
        if missing:
            raise BackupError(f"备份文件缺少清单中登记的条目：{missing[0]}（共 {len(missing)} 个），拒绝恢复。")
        if extra:
            raise BackupError(f"备份文件含有清单中未登记的条目：{extra[0]}（共 {len(extra)} 个），拒绝恢复。")
        if database not in expected or database != DB_MEMBER.get(manifest.get("engine")):
            raise BackupError("备份清单中的数据库条目不正确，拒绝恢复。")
        for member in members:
            if member.name == MANIFEST:
                continue
            if _sha256_stream(tar.extractfile(member)) != expected[member.name]:
                raise BackupError(f"校验失败：{member.name} 的 SHA-256 与清单不符，备份可能已被篡改或损坏，拒绝恢复。")
    return manifest


def _sha256_stream(stream) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: stream.read(CHUNK), b""):
        digest.update(chunk)
    return digest.hexdigest()


# --- restoring ---------------------------------------------------------------------------------------

def rows_in_project_tables() -> int:
    with connection.cursor() as cursor:
        existing = set(connection.introspection.table_names(cursor))
        total = 0
        for table in project_tables():
            if table in existing:
                cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
                total += cursor.fetchone()[0]
    return total


def _check_target(manifest: dict, force: bool) -> None:
    if manifest["engine"] != engine():
        raise BackupError(f"备份来自 {manifest['engine']} 数据库，当前数据库是 {engine()}，不能直接恢复。")
    known = {f"{app}.{name}" for app, name in MigrationLoader(None, ignore_no_migrations=True).disk_migrations}
    unknown = sorted(set(manifest["migrations"]) - known)
    if unknown:
        raise BackupError(f"备份来自更新版本的程序（未知的数据库迁移 {unknown[0]}），请先升级程序再恢复。")
    if force:
        return
    rows = rows_in_project_tables()
    if rows:
        raise BackupError(f"目标数据库不是空的（已有 {rows} 条业务记录），拒绝恢复。请恢复到新建的空数据库，"
                          "或确认要覆盖后加 --force。")
    media = media_files(Path(settings.MEDIA_ROOT))
    if media:
        raise BackupError(f"目标文件目录 {settings.MEDIA_ROOT} 不是空的（已有 {len(media)} 个文件），拒绝恢复。"
                          "请清空该目录，或确认要覆盖后加 --force。")


def _restore_sqlite(dump: Path) -> None:
    connection.ensure_connection()
    source = sqlite3.connect(dump)
    try:
        source.backup(connection.connection)  # replaces every page of the live database
    finally:
        source.close()


def _restore_postgresql(dump: Path) -> None:
    env, name = pg_environment()
    connection.close()
    _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
          "--exit-on-error", f"--dbname={name}", str(dump)], env, "pg_restore 恢复数据库")


def _extract_media(tar: tarfile.TarFile, manifest: dict) -> int:
    root = Path(settings.MEDIA_ROOT).resolve()
    count = 0
    for name, digest in manifest["files"].items():
        if not name.startswith(f"{MEDIA}/"):
            continue
        target = (root / name[len(MEDIA) + 1:]).resolve()
        if root not in target.parents:
            raise BackupError(f"备份文件含有不安全的路径，拒绝恢复：{name!r}")
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".restoring")
        with tar.extractfile(name) as source, open(partial, "wb") as out:
            shutil.copyfileobj(source, out, CHUNK)
        if sha256_file(partial) != digest:
            partial.unlink()
            raise BackupError(f"校验失败：{name} 写入后与清单不符。")
        os.replace(partial, target)
        count += 1
    return count


def restore_backup(archive: Path, *, force: bool = False) -> RestoreResult:
    """Verifies the archive, refuses a non-empty target unless forced, restores database and files,
    and checks the restored row counts against the manifest."""
    manifest = read_manifest(archive)
    _check_target(manifest, force)
    with tarfile.open(archive, "r:gz") as tar, tempfile.TemporaryDirectory(prefix="tracker-restore-") as tmp:
        dump = Path(tmp) / manifest["database"]
        with tar.extractfile(manifest["database"]) as source, open(dump, "wb") as out:
            shutil.copyfileobj(source, out, CHUNK)
        if manifest["engine"] == "sqlite":
            _restore_sqlite(dump)
        else:
            _restore_postgresql(dump)
        files = _extract_media(tar, manifest)
    counts = current_counts()
    wrong = sorted(t for t, n in manifest["counts"].items() if counts.get(t) != n)
    if wrong:
        raise BackupError(f"恢复后记录数与清单不符：{wrong[0]} 应为 {manifest['counts'][wrong[0]]} 条，"
                          f"实际 {counts.get(wrong[0])} 条。")
    return RestoreResult(archive=archive, created_at=manifest["created_at"], tables=len(manifest["counts"]),
                         rows=sum(manifest["counts"].values()), files=files)
