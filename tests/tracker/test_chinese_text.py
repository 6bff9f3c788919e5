"""Chinese text as documents print it: tracker.chinese_text."""

from tracker.chinese_text import book_title, normalise, title_lines


def test_ascii_marks_beside_chinese_become_full_width():
    assert normalise("按要求完成(含街道),并报送:材料;") == "按要求完成（含街道），并报送：材料；"


def test_digits_and_latin_keep_their_marks():
    assert normalise("版本1.5, ok (v2)") == "版本1.5, ok (v2)"
    assert normalise("每人每年60学时,达标率100%") == "每人每年60学时，达标率100%"


def test_a_title_inside_a_title_takes_single_marks():
    assert normalise("《关于贯彻《行政处罚法》的意见》") == "《关于贯彻〈行政处罚法〉的意见》"
    assert normalise("《甲》和《乙》") == "《甲》和《乙》"


def test_a_plan_title_quoted_in_text_nests_its_own_title():
    assert book_title("河北区贯彻落实《提升行政执法质量三年行动计划(2023—2025年)》实施方案") == (
        "《河北区贯彻落实〈提升行政执法质量三年行动计划（2023—2025年）〉实施方案》")


def test_a_list_number_before_a_digit_cannot_read_as_a_decimal():
    assert normalise("1.2024年6月底前完成") == "1．2024年6月底前完成"
    assert normalise("2、2025年底前") == "2．2025年底前"
    assert normalise("1.5倍") == "1.5倍"  # a decimal at the start is a number, kept


def test_titles_break_between_phrases_into_even_lines():
    assert title_lines(["关于督促", "区财政局", "限期整改", "逾期任务的函"]) == ["关于督促区财政局限期整改逾期任务的函"]
    assert title_lines(["关于督促", "天津市河北区财政局", "限期整改", "逾期任务的函"]) == [
        "关于督促天津市河北区财政局", "限期整改逾期任务的函"]


def test_three_line_titles_keep_the_trapezoid():
    phrases = ["关于督促", "天津市河北区", "人力资源和社会保障局", "等单位", "限期整改", "逾期任务的函"]
    assert title_lines(phrases, width=14) == ["关于督促天津市河北区", "人力资源和社会保障局等单位", "限期整改逾期任务的函"]
