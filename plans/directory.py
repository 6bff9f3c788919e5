"""The unit directory: loading it from a spreadsheet, and finding a unit or group by the name a plan uses."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction

from notifications import robots
from plans.importer.encoding import decode_text
from plans.models import Unit, UnitAlias, UnitGroup

COLUMNS = ("名称", "简称", "类型", "所属分组", "邮箱", "通知Webhook", "通知Webhook密钥", "通知关键词")
KIND_LABELS = {label: value for value, label in Unit.Kind.choices}
GROUP_SEPARATOR = re.compile(r"[、，,；;]")


class DirectoryError(Exception):
    """The directory file cannot be loaded; the message is for the user (Chinese)."""


@dataclass
class DirectoryRow:
    row: int
    name: str
    short_name: str
    kind: str
    groups: list[str]
    email: str
    webhook_url: str
    webhook_secret: str = ""
    webhook_keyword: str = ""


@dataclass
class LoadResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    groups_created: list[str] = field(default_factory=list)
    memberships_changed: int = 0

    def summary(self) -> str:
        return (f"新增单位 {len(self.created)} 个，更新 {len(self.updated)} 个，未变 {self.unchanged} 个；"
                f"新增分组 {len(self.groups_created)} 个，调整分组成员 {self.memberships_changed} 处。")


# --- reading the file -------------------------------------------------------------------------------------


def _decode(raw: bytes) -> str:
    try:
        return decode_text(raw)
    except UnicodeDecodeError as exc:
        raise DirectoryError("文件编码无法识别：请保存为 UTF-8 或 GB18030 编码的 CSV 文件。") from exc


def _read_rows(path: Path) -> list[list[str]]:
    suffix = path.suffix.lower()
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DirectoryError(f"无法读取文件：{path.name}") from exc
    if not raw.strip():
        raise DirectoryError("文件为空。")
    if suffix == ".xlsx" or raw[:2] == b"PK":
        import openpyxl

        try:
            book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a damaged file
            raise DirectoryError("无法读取该 Excel 文件：文件已损坏或不是 .xlsx 格式。") from exc
        sheet = book.worksheets[0]
        return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    if suffix not in (".csv", ".txt", ""):
        raise DirectoryError("只支持 .csv 或 .xlsx 格式的单位名录。")
    if b"\x00" in raw:
        raise DirectoryError("该文件不是文本格式的 CSV 文件。")
    return list(csv.reader(io.StringIO(_decode(raw))))


def _clean(value: str) -> str:
    return unicodedata.normalize("NFKC", value or "").strip() if value else ""


def parse_directory(path: Path) -> list[DirectoryRow]:
    """Read and validate every row; raise DirectoryError listing every bad row."""
    rows = _read_rows(Path(path))
    header_index = next((i for i, row in enumerate(rows) if any(_clean(c) for c in row)), None)
    if header_index is None:
        raise DirectoryError("文件为空。")
    header = [_clean(c) for c in rows[header_index]]
    if "名称" not in header:
        raise DirectoryError(f"第{header_index + 1}行：缺少“名称”列（表头应为：{'、'.join(COLUMNS)}）。")
    unknown = [h for h in header if h and h not in COLUMNS]
    if unknown:
        raise DirectoryError(f"第{header_index + 1}行：无法识别的列“{'、'.join(unknown)}”（表头应为：{'、'.join(COLUMNS)}）。")
    position = {name: header.index(name) for name in COLUMNS if name in header}

    def cell(row: list[str], column: str) -> str:
        i = position.get(column)
        return _clean(row[i]) if i is not None and i < len(row) else ""

    errors: list[str] = []
    parsed: list[DirectoryRow] = []
    seen: dict[str, int] = {}
    url_validator = URLValidator(schemes=["http", "https"])
    for index, row in enumerate(rows[header_index + 1:], start=header_index + 2):
        if not any(_clean(c) for c in row):
            continue
        name = cell(row, "名称")
        if not name:
            errors.append(f"第{index}行：缺少单位名称。")
            continue
        if name in seen:
            errors.append(f"第{index}行：单位“{name}”与第{seen[name]}行重复。")
            continue
        seen[name] = index
        kind_label = cell(row, "类型") or Unit.Kind.DEPARTMENT.label
        kind = KIND_LABELS.get(kind_label)
        if kind is None:
            errors.append(f"第{index}行：类型“{kind_label}”无法识别，应为{'、'.join(KIND_LABELS)}之一。")
        email = cell(row, "邮箱")
        if email:
            try:
                validate_email(email)
            except ValidationError:
                errors.append(f"第{index}行：邮箱“{email}”格式不正确。")
        webhook = cell(row, "通知Webhook")
        if webhook:
            try:
                url_validator(webhook)
            except ValidationError:
                errors.append(f"第{index}行：通知Webhook“{robots.mask(webhook)}”不是有效的 http(s) 网址。")
        secret, keyword = cell(row, "通知Webhook密钥"), cell(row, "通知关键词")
        errors += [f"第{index}行：{problem}。" for problem in robots.problems(webhook, secret, keyword)]
        groups = [g.strip() for g in GROUP_SEPARATOR.split(cell(row, "所属分组")) if g.strip()]
        parsed.append(DirectoryRow(index, name, cell(row, "简称"), kind or "", groups, email, webhook, secret, keyword))
    if errors:
        raise DirectoryError("单位名录有误：" + " ".join(errors))
    if not parsed:
        raise DirectoryError("文件中没有单位。")
    names = {r.name for r in parsed}
    for r in parsed:
        clash = next((g for g in r.groups if g in names), None)
        if clash:
            raise DirectoryError(f"第{r.row}行：分组名称“{clash}”与单位名称相同。")
    return parsed


# --- writing the directory --------------------------------------------------------------------------------


def load_units(path: Path | str) -> LoadResult:
    """Create or update the units and groups of a directory file, all in one transaction.

    The file is authoritative for the units it lists: their fields and their group memberships are set
    to what the file says. Units not in the file are left alone. Loading the same file twice changes nothing.
    """
    rows = parse_directory(Path(path))
    result = LoadResult()
    with transaction.atomic():
        existing = {u.name: u for u in Unit.objects.filter(name__in=[r.name for r in rows])}
        group_names = {g for r in rows for g in r.groups}
        groups = {g.name: g for g in UnitGroup.objects.filter(name__in=group_names)}
        for name in sorted(group_names - groups.keys(), key=lambda n: [r.row for r in rows if n in r.groups][0]):
            groups[name] = UnitGroup.objects.create(name=name)
            result.groups_created.append(name)
        for order, r in enumerate(rows, start=1):
            values = {"short_name": r.short_name, "kind": r.kind, "email": r.email,
                      "webhook_url": r.webhook_url, "webhook_secret": r.webhook_secret,
                      "webhook_keyword": r.webhook_keyword, "order": order}
            unit = existing.get(r.name)
            if unit is None:
                unit = Unit.objects.create(name=r.name, **values)
                existing[r.name] = unit
                result.created.append(r.name)
            elif any(getattr(unit, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(unit, k, v)
                unit.save()
                result.updated.append(r.name)
            else:
                result.unchanged += 1
        current = {
            (m.unitgroup_id, m.unit_id)
            for m in UnitGroup.members.through.objects.filter(unit__in=existing.values())
        }
        for group in groups.values():
            wanted = {existing[r.name].pk for r in rows if group.name in r.groups}
            have = {unit_id for group_id, unit_id in current if group_id == group.pk}
            if wanted - have:
                group.members.add(*(wanted - have))
            result.memberships_changed += len(wanted - have)
        # Units listed in the file leave groups the file no longer puts them in.
        listed = {existing[r.name].pk: set(r.groups) for r in rows}
        by_id = {g.pk: g for g in UnitGroup.objects.filter(pk__in={g for g, _ in current})}
        for group_id, unit_id in sorted(current):
            group = by_id[group_id]
            if group.name not in listed[unit_id]:
                group.members.remove(unit_id)
                result.memberships_changed += 1
    return result


# --- resolving names --------------------------------------------------------------------------------------

TRAILING = "。．.，,、；;：:！!？?　 \t"
BRACKETS = str.maketrans({"(": "（", ")": "）", "[": "〔", "]": "〕", "【": "〔", "】": "〕"})


def normalize_name(name: str) -> str:
    """Light normalisation of a unit name as a document writes it: width, spaces, brackets, end punctuation."""
    text = unicodedata.normalize("NFKC", name or "")
    text = re.sub(r"\s+", "", text).translate(BRACKETS)
    return text.strip(TRAILING)


class Directory:
    """A snapshot of the units, groups and aliases, for resolving many names with three queries."""

    def __init__(self) -> None:
        self.by_name: dict[str, Unit | UnitGroup] = {}
        self.by_normal: dict[str, Unit | UnitGroup] = {}
        units = list(Unit.objects.filter(is_active=True))
        groups = list(UnitGroup.objects.all())
        targets = {("u", u.pk): u for u in units} | {("g", g.pk): g for g in groups}
        aliases = [
            (a.name, targets.get(("u", a.unit_id)) if a.unit_id else targets.get(("g", a.group_id)))
            for a in UnitAlias.objects.all()
        ]
        # Earlier entries win: full names, then group names, then aliases, then short names.
        entries: list[tuple[str, Unit | UnitGroup | None]] = (
            [(u.name, u) for u in units] + [(g.name, g) for g in groups] + aliases
            + [(u.short_name, u) for u in units if u.short_name]
        )
        for name, target in entries:
            if target is None:
                continue
            self.by_name.setdefault(name, target)
            self.by_normal.setdefault(normalize_name(name), target)

    def resolve(self, name: str) -> Unit | UnitGroup | None:
        if name in self.by_name:
            return self.by_name[name]
        key = normalize_name(name)
        if not key:
            return None
        if key in self.by_normal:
            return self.by_normal[key]
        # "各X" and "X" name the same group of units (各街道办事处 / 街道办事处); only groups qualify.
        other = key[1:] if key.startswith("各") else "各" + key
        target = self.by_normal.get(other)
        if isinstance(target, UnitGroup):
            return target
        return None

