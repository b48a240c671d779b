"""Every user-facing string exists in Chinese and English; every finding code has its texts."""

from __future__ import annotations

import string

import pytest

from simlib.audit import all_checks
from simlib.i18n import LANGS, catalogue, get_lang, set_lang, t


def _fields(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


def test_every_message_has_both_languages_with_the_same_placeholders() -> None:
    for key, texts in catalogue().items():
        assert set(texts) == set(LANGS), key
        assert all(texts[lang].strip() for lang in LANGS), key
        assert _fields(texts["zh"]) == _fields(texts["en"]), key


def test_every_finding_code_has_expected_and_observed_texts() -> None:
    for clause, chk in all_checks().items():
        for code in chk.codes:
            for part in ("expected", "observed"):
                key = f"finding.{clause}.{code}.{part}"
                assert key in catalogue(), f"missing message {key}"


def test_one_lang_setting() -> None:
    before = get_lang()
    try:
        set_lang("en")
        assert t("severity.high") == "high"
        set_lang("zh")
        assert t("severity.high") == "严重"
        assert t("severity.high", "en") == "high"
        with pytest.raises(ValueError):
            set_lang("fr")
    finally:
        set_lang(before)
