"""Privacy and safety (issue 15 part 5): the names and personal identifiers of a roster never reach a log,
findings, KPIs or a rendered report (cadres get pseudonymous ids by roster row); YAML is loaded safely and no
input is evaluated; every server simlib starts answers on 127.0.0.1 unless told otherwise."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from simlib.cli import main

ROOT = Path(__file__).resolve().parents[1]
NAMES = [f"欧阳测试名{i:02d}" for i in range(40)] + ["Zebulon Quixote"]
IDS = [f"110101197{i % 10}0307{4000 + i:04d}" for i in range(41)]  # 18-character resident ID numbers
STAFF = [f"ZQX-{900000 + i}" for i in range(41)]  # personnel numbers
UNITS = [("省厅甲", "provincial", ""), ("市局乙", "prefecture", "省厅甲"), ("县局丙", "county", "市局乙")]
RANKS = ["bureau", "deputy_bureau", "division", "deputy_division", "section_or_below", "section_or_below"]


def _roster(folder: Path) -> Path:
    """A roster whose cadre ids are resident ID numbers, with names and personnel numbers beside them."""
    rows = ["cadre_id,unit,unit_level,unit_parent,rank,is_party_member,is_leading_cadre,name,id_number"]
    for i, (name, ident, staff) in enumerate(zip(NAMES, IDS, STAFF, strict=True)):
        unit, level, parent = UNITS[0] if i < 4 else UNITS[1 + i % 2]
        rows.append(f"{ident},{unit},{level},{parent},{RANKS[i % len(RANKS)] if i >= 2 else 'bureau'},"
                    f"{str(i % 5 != 0).lower()},{str(i < 12).lower()},{name},{staff}")
    (folder / "roster.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    world = folder / "world.yaml"
    world.write_text("name: roster_world\norganisation:\n  roster: roster.csv\n  cadres: 41\n"
                     "calendar:\n  years: 1.0\nbehaviour:\n  keep_private_document: 0.5\n  overstay: 0.3\n",
                     encoding="utf-8")
    return world


def _texts(folder: Path) -> dict[Path, str]:
    """Every file under ``folder`` as text: Parquet tables as CSV, others decoded as UTF-8."""
    out = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if path.suffix == ".parquet":
            out[path] = pd.read_parquet(path).to_csv()
        else:
            out[path] = path.read_bytes().decode("utf-8", "replace")
    return out


def _leaks(texts: dict[Path, str]) -> list[tuple[str, str]]:
    secrets = [*NAMES, *IDS, *STAFF, "欧阳", "Quixote"]
    return [(path.name, s) for path, text in texts.items() for s in secrets if s in text]


def test_roster_identities_never_reach_the_run_outputs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    world = _roster(tmp_path)
    out = tmp_path / "out"
    assert main(["run", str(world), "--out", str(out), "--lang", "zh"]) == 0
    printed = capsys.readouterr().out
    texts = _texts(out)
    assert any(p.name == "kpis.csv" for p in texts) and any("findings" in p.name for p in texts)
    assert any(p.suffix == ".parquet" for p in texts)  # the event log's tables
    assert _leaks(texts) == [] and _leaks({out: printed}) == []
    cadres = {m for text in texts.values() for m in re.findall(r"\bc\d{6}\b", text)}
    assert cadres and cadres <= {f"c{i:06d}" for i in range(len(NAMES))}  # pseudonyms, by roster row


def test_roster_identities_never_reach_any_log_format(tmp_path: Path) -> None:
    from simlib.audit import audit
    from simlib.log.io import write_log
    from simlib.model import Model
    from simlib.scenario import load_scenario

    log = Model(load_scenario(_roster(tmp_path)), seed=3).run().log()
    folder = tmp_path / "logs"
    for suffix in (".jsonocel", ".csv", ".sqlite", ".xmlocel", ".parquet"):
        write_log(log, folder / f"log{suffix}")
    findings = audit(log)
    assert len(findings)
    findings.render("zh").to_csv(folder / "findings-zh.csv")
    findings.render("en").to_csv(folder / "findings-en.csv")
    texts = _texts(folder)
    texts.update({p: p.read_bytes().decode("latin-1") for p in folder.glob("*.sqlite")})
    assert _leaks(texts) == []


@pytest.mark.slow
def test_roster_identities_never_reach_a_rendered_report(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    world = _roster(tmp_path)
    out = tmp_path / "report"
    code = main(["report", str(world), "--compare", "no_exit_control", "--reps", "2", "--executor", "serial",
                 "--format", "html", "--out", str(out), "--lang", "zh"])
    assert code == 0, capsys.readouterr().err
    html = list(out.glob("*.html"))
    assert html and _leaks(_texts(out)) == []


# ------------------------------------------------------------------------------------------ safety

UNSAFE = re.compile(r"yaml\.(unsafe_load|full_load|load_all)\(|Loader=yaml\.(Loader|FullLoader|UnsafeLoader)"
                    r"|\beval\(|\bexec\(|pickle\.loads?\(|marshal\.loads\(|shell=True|os\.system\(")


def _sources() -> list[Path]:
    return sorted((ROOT / "simlib").rglob("*.py")) + sorted((ROOT / "notebooks").rglob("*.ipynb"))


def test_no_input_is_evaluated_and_yaml_is_loaded_safely() -> None:
    offences = [f"{p.relative_to(ROOT)}: {m.group(0)}" for p in _sources()
                for m in UNSAFE.finditer(p.read_text(encoding="utf-8"))]
    assert offences == []
    loads = [(p, line) for p in _sources() for line in p.read_text(encoding="utf-8").splitlines()
             if "yaml.load(" in line]
    assert all(re.search(r"Loader=yaml\.C?SafeLoader", line) for _, line in loads), loads


def test_every_server_binds_localhost_unless_told_otherwise() -> None:
    from simlib.views.dashboard import LOCAL, plan

    assert LOCAL == "127.0.0.1"
    assert "--Voila.ip=127.0.0.1" in plan().command
    assert "--Voila.ip=0.0.0.0" in plan(classroom=True).command  # CLASSROOM=1: asked for, with a token
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    lab = re.search(r"^lab:.*?(?=^\S)", makefile, re.M | re.S)
    assert lab and "--ip=127.0.0.1" in lab.group(0)
    training = re.search(r"^training:.*?(?=^\S)", makefile, re.M | re.S)
    assert training and "simlib.views.dashboard" in training.group(0) and "--ip" not in training.group(0)
    executors = (ROOT / "simlib" / "experiment" / "executors.py").read_text(encoding="utf-8")
    cluster = re.search(r"LocalCluster\((.*?)\)", executors, re.S)
    assert cluster and 'host="127.0.0.1"' in cluster.group(1)
