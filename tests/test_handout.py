"""The handout: ``simlib handout`` renders the walkthrough and a case sheet with answers to HTML and PDF in either
language — every section present, no code, the Chinese text verbatim, Chinese glyphs in the PDF's text."""

from __future__ import annotations

import argparse
import html
import re
import subprocess

import pytest

from simlib.cli import handout
from simlib.errors import InputError
from simlib.rulebook import rulebook
from simlib.training.cases import Session, bank, render_key
from simlib.training.walkthrough import walkthrough
from simlib.views.training_html import section_title


def _args(**kw) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    handout.add_parser(parser.add_subparsers())
    args = parser.parse_args(["handout"])
    for k, v in kw.items():
        setattr(args, k, v)
    return args


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_handout_html_and_pdf(tmp_path, lang, capsys) -> None:
    assert handout.run(_args(out=tmp_path), lang) == 0
    page = (tmp_path / f"handout-{lang}.html").read_text(encoding="utf-8")
    text = html.unescape(page)
    assert 'class="jp-InputArea' not in page and "show_html(" not in text and "set_lang(" not in text  # no code
    for sec in walkthrough():
        assert section_title(sec, lang) in text
    for cid in ("1.1.b", "3.1.a", "3.3.a", "5.a", "6.a"):
        assert rulebook().clause(cid).zh in text and rulebook().clause(cid).en in text
    cases = Session(bank(), seed=2026).draw(10)
    for case in cases:
        assert case.prompt.get(lang) in text and render_key(case, lang) in text
    assert "香港" in text
    pdf = tmp_path / f"handout-{lang}.pdf"
    assert pdf.read_bytes()[:5] == b"%PDF-"
    words = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    squeezed = re.sub(r"\s+", "", words)
    assert "出国（境）管理" in squeezed and "回国（境）后15天内" in squeezed  # Chinese glyphs, not boxes
    assert cases[0].id in squeezed
    assert str(pdf) in capsys.readouterr().out


def test_bad_arguments_are_named_with_the_fix(tmp_path) -> None:
    with pytest.raises(InputError) as err:
        handout.run(_args(out=tmp_path, cases=0), "en")
    assert err.value.field == "--cases" and err.value.fix
    with pytest.raises(InputError) as err:
        handout.run(_args(out=tmp_path, sections="1,9"), "en")
    assert err.value.field == "--sections" and "9" in err.value.message
    assert handout.out_stem(tmp_path / "x.pdf", "zh") == tmp_path / "x"
    assert handout.out_stem(tmp_path, "en") == tmp_path / "handout-en"
