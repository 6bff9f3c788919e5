import datetime
import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest
import time_machine
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command

from tasks.models import Evidence, Submission
from tracker.models import User

pytestmark = pytest.mark.django_db(transaction=True)

FILES = {"整改报告.pdf": b"%PDF-1.7 report " * 500, "photo.jpg": b"\xff\xd8\xff" + bytes(range(256)) * 40}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def records(cast, media):
    """The cast plus a submission with two evidence files on disk."""
    submission = Submission.objects.create(assignment=cast.finance_assignment, author=cast.finance_user,
                                           text="已完成全员轮训。", percent=100)
    for name, content in FILES.items():
        evidence = Evidence(submission=submission, original_name=name, size=len(content),
                            sha256=hashlib.sha256(content).hexdigest(), content_type="application/octet-stream")
        evidence.file.save(name, ContentFile(content), save=True)
    return cast


def snapshot(media: Path) -> tuple[dict, dict, list]:
    counts = {m._meta.label: m._base_manager.count() for m in apps.get_models() if m._meta.managed}
    files = {p.relative_to(media).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
             for p in media.rglob("*") if p.is_file()}
    users = sorted(User.objects.values_list("username", "password", "role", "unit__name"))
    return counts, files, users


def wipe(media: Path) -> None:
    call_command("flush", "--no-input")
    for path in sorted(media.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()


def make_backup(tmp_path) -> Path:
    out = io.StringIO()
    call_command("backup", "-o", str(tmp_path / "backups"), stdout=out)
    return Path(out.getvalue().strip())


def rewrite(archive: Path, change) -> Path:
    """A copy of the archive with its members passed through change(name, data) -> [(name, data), ...]."""
    target = archive.with_name("changed.tar.gz")
    with tarfile.open(archive, "r:gz") as src, tarfile.open(target, "w:gz") as dst:
        for member in src.getmembers():
            for name, data in change(member.name, src.extractfile(member).read()):
                info = tarfile.TarInfo(name)
                info.size = len(data)
                dst.addfile(info, io.BytesIO(data))
    return target


def test_round_trip_restores_every_record_and_file(records, media, tmp_path):
    before = snapshot(media)
    assert before[0]["tasks.Evidence"] == 2 and len(before[1]) == 2
    archive = make_backup(tmp_path)
    wipe(media)
    assert snapshot(media)[0]["tracker.User"] == 0 and not snapshot(media)[1]

    out = io.StringIO()
    call_command("restore", str(archive), stdout=out)
    assert "记录数与清单一致" in out.getvalue()
    assert snapshot(media) == before
    for evidence in Evidence.objects.all():
        assert evidence.actual_sha256() == evidence.sha256


def test_archive_is_dated_and_its_manifest_lists_every_member(records, media, tmp_path):
    with time_machine.travel(datetime.datetime(2024, 11, 21, 0, 30, tzinfo=datetime.UTC), tick=False):
        archive = make_backup(tmp_path)
    assert archive.name == "tracker-backup-20241121-083000.tar.gz"  # Beijing time
    with tarfile.open(archive, "r:gz") as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
        names = set(tar.getnames())
        for name, digest in manifest["files"].items():
            assert hashlib.sha256(tar.extractfile(name).read()).hexdigest() == digest
    assert names == {"manifest.json", *manifest["files"]}
    assert manifest["database"] in manifest["files"]
    assert len([n for n in names if n.startswith("media/evidence/")]) == 2
    assert manifest["counts"]["tracker_user"] == 5 and manifest["counts"]["tasks_evidence"] == 2
    assert "tracker.0001_initial" in manifest["migrations"]
    assert manifest["created_at"].startswith("2024-11-21T08:30:00")


@pytest.mark.parametrize("tamper, message", [
    (lambda n, d: [(n, d + b"x" if n.startswith("media/") else d)], "校验失败"),
    (lambda n, d: [(n, d)] + ([("media/extra.txt", b"x")] if n == "manifest.json" else []), "未登记的条目"),
    (lambda n, d: [] if n.startswith("media/") else [(n, d)], "缺少清单中登记的条目"),
    (lambda n, d: [(n, d)] + ([("media/../../evil.txt", b"x")] if n == "manifest.json" else []), "不安全的条目"),
    (lambda n, d: [(n, b"{not json" if n == "manifest.json" else d)], "无法解析"),
])
def test_a_damaged_archive_is_refused_and_nothing_is_written(records, media, tmp_path, tamper, message):
    archive = rewrite(make_backup(tmp_path), tamper)
    wipe(media)
    with pytest.raises(CommandError, match=message) as raised:
        call_command("restore", str(archive))
    assert raised.value.returncode == 2
    assert User.objects.count() == 0 and not any(media.rglob("*.*"))
    assert not (tmp_path / "evil.txt").exists()


def test_a_non_empty_database_is_refused_unless_forced(records, media, tmp_path):
    archive = make_backup(tmp_path)
    User.objects.create_user("added-after-backup", role=User.Role.LEAD)
    with pytest.raises(CommandError, match="目标数据库不是空的") as raised:
        call_command("restore", str(archive))
    assert raised.value.returncode == 2
    assert User.objects.filter(username="added-after-backup").exists()

    call_command("restore", str(archive), "--force", stdout=io.StringIO())
    assert not User.objects.filter(username="added-after-backup").exists()
    assert User.objects.count() == 5


def test_files_left_in_media_are_refused(records, media, tmp_path):
    archive = make_backup(tmp_path)
    call_command("flush", "--no-input")
    with pytest.raises(CommandError, match="目标文件目录") as raised:
        call_command("restore", str(archive))
    assert raised.value.returncode == 2 and User.objects.count() == 0


def test_missing_archive_is_reported_in_chinese(db, tmp_path):
    with pytest.raises(CommandError, match="找不到备份文件"):
        call_command("restore", str(tmp_path / "nope.tar.gz"))
