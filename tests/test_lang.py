"""assistant/lang: the language utilities every stage shares, checked in both directions."""
from __future__ import annotations

import datetime as dt

import pytest

from assistant.lang import (LANGS, MONTHS_EN, WORDS_TO_MONTH_EN, WORDS_TO_WEEKDAY_EN,
                            WORDS_TO_WEEKDAY_ZH, cjk_only, detect_lang, has_cjk, is_cjk,
                            latin_sound, number_to_words_en, number_to_words_zh, ordinal_suffix_en,
                            pinyin, pinyin_syllables, sound_key, spoken_form, to_simplified,
                            weekday_to_words, words_to_number_en, words_to_number_zh)


def test_the_two_languages():
    assert LANGS == ("en", "zh")


def test_numbers_survive_words_and_back_in_both_languages():
    for n in range(1000):
        assert words_to_number_zh(number_to_words_zh(n)) == n, n
        words = number_to_words_en(n).replace("-", " ").split()
        assert words_to_number_en(words, 0) == (n, len(words)), n


def test_number_words_as_spoken():
    en = ["seven", "fifteen", "twenty-three", "one hundred five"]
    assert [number_to_words_en(n) for n in (7, 15, 23, 105)] == en
    zh = ["十", "十五", "二十三", "一百零五", "一百一十", "二百"]
    assert [number_to_words_zh(n) for n in (10, 15, 23, 105, 110, 200)] == zh
    assert words_to_number_zh("两百零五") == 205 and words_to_number_zh("一二三") == 123
    assert words_to_number_zh("三点") is None
    assert words_to_number_en(["set", "it", "to", "forty", "five", "please"], 3) == (45, 5)
    assert words_to_number_en(["oh"], 0) is None            # "oh" counts only inside a number


def test_months_and_weekdays_both_ways():
    assert WORDS_TO_MONTH_EN["sept"] == 9 and MONTHS_EN[WORDS_TO_MONTH_EN["may"] - 1] == "May"
    wednesday = dt.date(2026, 11, 25)
    assert weekday_to_words(wednesday.weekday(), "en") == "Wednesday"
    assert weekday_to_words(wednesday.weekday(), "zh") == "星期三"
    assert WORDS_TO_WEEKDAY_EN["wednesday"] == WORDS_TO_WEEKDAY_ZH["三"] == 2
    assert WORDS_TO_WEEKDAY_ZH["天"] == WORDS_TO_WEEKDAY_ZH["日"] == 6
    days = ["1st", "2nd", "3rd", "11th", "22nd", "25th"]
    assert [ordinal_suffix_en(n) for n in (1, 2, 3, 11, 22, 25)] == days


def test_one_chinese_character_class():
    assert detect_lang("播放 Taylor Swift 的歌") == "zh" and detect_lang("turn on the TV") == "en"
    assert is_cjk("㐀") and is_cjk("娜") and is_cjk("\uf900")
    assert not is_cjk("a") and not is_cjk("、")
    assert has_cjk("hey 小娜") and not has_cjk("") and cjk_only("你好, Cortana 小娜!") == "你好小娜"


def test_traditional_becomes_simplified_and_latin_text_is_left_alone():
    assert to_simplified("計時器") == "计时器"
    assert to_simplified("「quote」") == "「quote」"


def test_pinyin_by_character_and_in_context():
    assert pinyin("娜") == "na" and pinyin("a") == "a"
    assert pinyin_syllables("长大了") == ["zhang", "da", "le"]   # in context, not 长 = chang
    assert pinyin_syllables("Jazz Walk 爵士") == ["Jazz Walk ", "jue", "shi"]


def test_the_english_sound_keys_each_hear_their_own_mistakes():
    assert sound_key("paws") == sound_key("pause")
    assert spoken_form("dark rose")[:4] == spoken_form("dark roast")[:4]
    assert latin_sound("Kotano") == latin_sound("cortana")


def test_the_old_names_still_import_while_other_branches_use_them():
    """Re-exports marked "moved to assistant/lang": remove them with this test when unused."""
    import assistant.lang as lang
    from assistant.asr.chinese import to_simplified as old_simplified
    from assistant.audio.wake import is_chinese, latin_sound as old_latin_sound
    from assistant.phrases.locale import en_number as say_en, zh_number as say_zh
    from assistant.nlu import normalize, numbers, phonetics

    assert old_simplified is lang.to_simplified and is_chinese is lang.has_cjk
    assert old_latin_sound is lang.latin_sound
    assert say_en is lang.number_to_words_en and say_zh is lang.number_to_words_zh
    assert numbers.en_number is lang.words_to_number_en
    assert numbers.zh_number is lang.words_to_number_zh
    assert normalize.detect_lang is lang.detect_lang and normalize.is_cjk is lang.is_cjk
    assert phonetics.pinyin is lang.pinyin and phonetics.sound_key is lang.sound_key


@pytest.mark.parametrize(
    ("n", "en", "zh"),
    [
        (1005, "one thousand five", "一千零五"),
        (2024, "two thousand twenty-four", "两千零二十四"),
        (20005, "twenty thousand five", "两万零五"),
        (10015, "ten thousand fifteen", "一万零一十五"),
        (1_000_000, "one million", "一百万"),
        (-3, "minus three", "负三"),
    ],
)
def test_numbers_past_a_thousand_and_below_zero_are_said_in_words(n, en, zh):
    """A maker's reply may say any count ("order 1005"): once this raised IndexError past 999
    and said -3 as "seventeen"."""
    from assistant.lang import (
        number_to_words_en,
        number_to_words_zh,
        words_to_number_en,
        words_to_number_zh,
    )

    assert number_to_words_en(n) == en and number_to_words_zh(n) == zh
    if n >= 0:
        assert words_to_number_zh(zh) == n
        assert words_to_number_en(en.replace("-", " ").split(), 0)[0] == n
