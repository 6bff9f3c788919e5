"""The unit directory: loading it from .csv/.xlsx and resolving the names plans use."""

from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command

from plans.directory import Directory, DirectoryError, load_units
from plans.models import Unit, UnitAlias, UnitGroup

DEMO = Path(__file__).resolve().parents[2] / "plans" / "demo" / "units.csv"
HEADER = "名称,简称,类型,所属分组,邮箱,通知Webhook\n"
ROBOT_HEADER = "名称,通知Webhook,通知Webhook密钥,通知关键词\n"
DING, WECOM = "https://oapi.dingtalk.com/robot/send", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send"
SECRET = "SEC" + "0a1b2c3d4e5f" * 5


def write(tmp_path, text: str, encoding: str = "utf-8", name: str = "units.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.django_db
def test_demo_directory_loads_units_and_groups():
    result = load_units(DEMO)
    assert len(result.created) == Unit.objects.count() >= 30
    streets = UnitGroup.objects.get(name="各街道办事处")
    assert streets.members.count() == 10
    assert set(streets.members.values_list("kind", flat=True)) == {Unit.Kind.STREET}
    enforcers = set(UnitGroup.objects.get(name="各行政执法部门").members.values_list("name", flat=True))
    assert "区市场监管局" in enforcers and "区委全面依法治区办" not in enforcers and "区司法局" not in enforcers
    related = set(UnitGroup.objects.get(name="相关执法部门").members.values_list("name", flat=True))
    assert related and related < enforcers
    assert Unit.objects.get(name="区委全面依法治区办").kind == Unit.Kind.OFFICE


@pytest.mark.django_db
def test_loading_twice_changes_nothing():
    load_units(DEMO)
    history = Unit.history.count() + UnitGroup.history.count()
    again = load_units(DEMO)
    assert again.created == [] and again.updated == [] and again.memberships_changed == 0
    assert Unit.history.count() + UnitGroup.history.count() == history


@pytest.mark.django_db
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_encodings(tmp_path, encoding):
    path = write(tmp_path, HEADER + "区财政局,财政局,区级部门,各行政执法部门、相关执法部门,czj@example.org,\n", encoding)
    load_units(path)
    unit = Unit.objects.get(name="区财政局")
    assert unit.short_name == "财政局" and unit.email == "czj@example.org"
    assert set(unit.groups.values_list("name", flat=True)) == {"各行政执法部门", "相关执法部门"}


@pytest.mark.django_db
def test_xlsx_directory(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["名称", "类型", "所属分组", "通知Webhook", "通知Webhook密钥", "通知关键词"])
    sheet.append(["光复道街道办事处", "街道办事处", "各街道办事处", f"{DING}?access_token=0c23a4b5c6d7e8f9", SECRET, "督办"])
    path = tmp_path / "units.xlsx"
    book.save(path)
    load_units(path)
    unit = Unit.objects.get(name="光复道街道办事处")
    assert unit.kind == Unit.Kind.STREET and unit.webhook_url.startswith(DING)
    assert (unit.webhook_secret, unit.webhook_keyword) == (SECRET, "督办")


@pytest.mark.django_db
def test_bad_rows_are_reported_with_row_numbers_and_nothing_is_written(tmp_path):
    path = write(tmp_path, HEADER + "区财政局,,区级部门,,czj@example.org,\n"
                 ",,区级部门,,,\n区税务局,,税务,,,\n区民政局,,,,not-an-email,\n区商务局,,,,,ftp://x\n")
    with pytest.raises(DirectoryError) as err:
        load_units(path)
    message = str(err.value)
    assert "第3行：缺少单位名称" in message
    assert "第4行：类型“税务”无法识别" in message
    assert "第5行：邮箱“not-an-email”格式不正确" in message
    assert "第6行：通知Webhook" in message
    assert not Unit.objects.exists()


@pytest.mark.django_db
def test_robot_settings_are_checked_per_row_and_the_url_never_shown_whole(tmp_path):
    path = write(tmp_path, ROBOT_HEADER + f"区财政局,{DING}?access_token=tok123456789,{SECRET},督办\n"
                 f"区民政局,https://hooks.example.org/x?key=abcdef987654,,\n"
                 f"区商务局,{WECOM}?key=wecomkey123456,{SECRET},\n"
                 f"区教育局,{DING}?access_token=tok987654321,sec-wrong,\n"
                 f"区应急局,,{SECRET},关键词\n")
    with pytest.raises(DirectoryError) as err:
        load_units(path)
    message = str(err.value)
    assert "第2行" not in message
    assert "第3行：通知Webhook不是企业微信或钉钉群机器人的地址" in message
    assert "第4行：企业微信群机器人没有加签密钥" in message
    assert "第5行：通知Webhook密钥应为钉钉机器人安全设置中“加签”处以SEC开头" in message
    assert "第6行：填写了通知Webhook密钥或通知关键词，但没有填写通知Webhook" in message
    assert "abcdef987654" not in message and "ftp" not in message
    assert not Unit.objects.exists()


@pytest.mark.django_db
def test_a_bad_url_is_named_by_its_host_only(tmp_path):
    with pytest.raises(DirectoryError) as err:
        load_units(write(tmp_path, ROBOT_HEADER + "区财政局,https://oapi.dingtalk.com:bad/robot/send?access_token=tok1234567890,,\n"))
    assert "通知Webhook“oapi.dingtalk.com" in str(err.value) and "tok1234567890" not in str(err.value)


@pytest.mark.django_db
def test_missing_name_column(tmp_path):
    with pytest.raises(DirectoryError, match="缺少“名称”列"):
        load_units(write(tmp_path, "单位,邮箱\n区财政局,a@b.cn\n"))


@pytest.mark.django_db
def test_file_decides_group_membership_of_its_units(tmp_path):
    load_units(write(tmp_path, HEADER + "区财政局,,区级部门,各行政执法部门,,\n"))
    load_units(write(tmp_path, HEADER + "区财政局,,区级部门,,,\n"))
    assert not UnitGroup.objects.get(name="各行政执法部门").members.exists()


@pytest.mark.django_db
def test_load_units_command_exit_status(tmp_path, capsys):
    call_command("load_units", str(DEMO))
    assert "新增单位" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exit_info:
        call_command("load_units", str(write(tmp_path, "")))
    assert exit_info.value.code == 2
    assert "文件为空" in capsys.readouterr().err


@pytest.mark.django_db
def test_directory_resolves_by_name_short_name_alias_and_normalisation():
    load_units(DEMO)
    finance = Unit.objects.get(name="区财政局")
    streets = UnitGroup.objects.get(name="各街道办事处")
    UnitAlias.objects.create(name="区人力社保局", unit=Unit.objects.get(name="区人社局"))
    resolve_name = Directory().resolve  # the directory the importer's writer and preview read
    assert resolve_name("区财政局") == finance
    assert resolve_name("财政局") == finance
    assert resolve_name(" 区财政局。") == finance
    assert resolve_name("各街道办事处") == streets
    assert resolve_name("街道办事处") == streets
    assert resolve_name("光复道街道") == Unit.objects.get(name="光复道街道办事处")
    assert resolve_name("区人力社保局").name == "区人社局"
    assert resolve_name("市财政局") is None
    assert resolve_name("各财政局") is None  # 各 only relates group names
    assert resolve_name("") is None


@pytest.mark.django_db
def test_directory_resolves_brackets_of_either_width():
    Unit.objects.create(name="市交通委（市道运局）")
    assert Directory().resolve("市交通委(市道运局)").name == "市交通委（市道运局）"
