"""Project plumbing stays consistent: environment.yml vs pyproject.toml, .ci/run and the Makefile."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]

# PyPI requirement (canonical name, with extras when they matter) -> the conda-forge packages it becomes.
# Keep in step with the comment at the top of environment.yml.
PYPI_TO_CONDA: dict[str, tuple[str, ...]] = {
    "dask[distributed]": ("dask", "distributed"),
    "matplotlib": ("matplotlib-base",),
}
# Conda entries with no PyPI counterpart in pyproject.toml.
CONDA_ONLY = frozenset({"python", "pip"})

_CONDA_SPEC = re.compile(
    r"^(?:[\w.-]+::)?(?P<name>[A-Za-z0-9][A-Za-z0-9_.-]*)\s*(?:\[[^\]]*\])?\s*(?P<spec>.*)$"
)


def _pyproject() -> dict[str, Any]:
    with (ROOT / "pyproject.toml").open("rb") as fh:
        return tomllib.load(fh)


def _environment() -> dict[str, Any]:
    with (ROOT / "environment.yml").open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def pypi_to_conda(requirement: str) -> dict[str, SpecifierSet]:
    """Conda package names (normalised) and version bounds for one PEP 508 requirement string."""
    req = Requirement(requirement)
    name = canonicalize_name(req.name)
    extras = ",".join(sorted(canonicalize_name(e) for e in req.extras))
    conda_names = PYPI_TO_CONDA.get(f"{name}[{extras}]" if extras else name) or PYPI_TO_CONDA.get(name)
    return {n: req.specifier for n in (conda_names or (name,))}


def parse_conda(dependency: str) -> tuple[str, str]:
    """Split a conda MatchSpec like ``conda-forge::numpy >=1.26`` into (normalised name, version spec)."""
    match = _CONDA_SPEC.match(dependency.strip())
    assert match, f"unparseable conda dependency {dependency!r}"
    return canonicalize_name(match["name"]), match["spec"].strip()


def _pyproject_packages() -> dict[str, SpecifierSet]:
    project = _pyproject()["project"]
    requirements = [*project["dependencies"], *project["optional-dependencies"]["test"]]
    packages: dict[str, SpecifierSet] = {}
    for requirement in requirements:
        packages.update(pypi_to_conda(requirement))
    return packages


def _conda_dependencies() -> tuple[dict[str, str], list[list[str]]]:
    """Conda string dependencies (name -> spec) and the ``pip:`` sublists of environment.yml."""
    conda: dict[str, str] = {}
    pip: list[list[str]] = []
    for dep in _environment()["dependencies"]:
        if isinstance(dep, dict):
            pip.append(list(dep.get("pip", [])))
            continue
        name, spec = parse_conda(dep)
        assert name not in conda, f"{name} listed twice in environment.yml"
        conda[name] = spec
    return conda, pip


def test_name_mapping() -> None:
    assert set(pypi_to_conda("dask[distributed]>=2024.1")) == {"dask", "distributed"}
    assert set(pypi_to_conda("Typing_Extensions[foo]>=4 ; python_version<'3.12'")) == {"typing-extensions"}
    assert set(pypi_to_conda("matplotlib>=3.8")) == {"matplotlib-base"}
    assert parse_conda("conda-forge::Pytest_Notebook >=0.10") == ("pytest-notebook", ">=0.10")


def test_environment_yml_lists_same_distributions_as_pyproject() -> None:
    pyproject = set(_pyproject_packages())
    conda = set(_conda_dependencies()[0]) - CONDA_ONLY
    assert not pyproject - conda, (
        f"in pyproject.toml but missing from environment.yml: {sorted(pyproject - conda)}"
    )
    assert not conda - pyproject, (
        f"in environment.yml but missing from pyproject.toml: {sorted(conda - pyproject)}"
    )


def test_environment_yml_version_bounds_match_pyproject() -> None:
    conda, _ = _conda_dependencies()
    mismatched = []
    for name, wanted in sorted(_pyproject_packages().items()):
        if name not in conda:
            continue  # reported by the distribution-set test
        try:
            got = SpecifierSet(conda[name])
        except InvalidSpecifier:
            pytest.fail(
                f"environment.yml: {name} {conda[name]!r} is not a PEP 440 specifier; write e.g. '>=1.2'"
            )
        if got != wanted:
            mismatched.append(
                f"{name}: pyproject {str(wanted) or 'any'!r} vs environment.yml {str(got) or 'any'!r}"
            )
    assert not mismatched, "version bounds differ:\n" + "\n".join(mismatched)


def test_environment_yml_python_pip_and_channel() -> None:
    conda, pip = _conda_dependencies()
    env = _environment()
    assert env["channels"] == ["conda-forge"]
    assert "pip" in conda
    floor = re.search(r"(?:==?|>=)\s*(\d+(?:\.\d+)*)", conda.get("python", ""))
    assert floor, "environment.yml must pin python, e.g. 'python=3.11'"
    requires_python = SpecifierSet(_pyproject()["project"]["requires-python"])
    assert Version(floor[1]) in requires_python, (
        f"python {floor[1]} outside requires-python {requires_python}"
    )
    installs_self = [
        line for sub in pip for line in sub if re.fullmatch(r"(-e\s+)?\.(\[[\w,-]*\])?", line.strip())
    ]
    assert installs_self, "environment.yml needs '- pip: [-e .]' so simlib itself is installed"


def test_ci_run_calls_make_test() -> None:
    script = ROOT / ".ci" / "run"
    assert os.access(script, os.X_OK), ".ci/run must be executable"
    lines = script.read_text(encoding="utf-8").splitlines()
    assert re.fullmatch(r"#!\s*(/usr/bin/env\s+bash|/bin/bash)", lines[0])
    commands = [line.strip() for line in lines[1:] if line.strip() and not line.lstrip().startswith("#")]
    assert "set -euo pipefail" in commands
    steps = [c for c in commands if c != "set -euo pipefail" and not c.startswith("cd ")]
    assert steps == ["make test"], f".ci/run should only run 'make test', found {steps}"


def _make_dry_run(target: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in {"MAKEFLAGS", "MFLAGS", "MAKELEVEL"}}
    result = subprocess.run(
        ["make", "--no-print-directory", "-n", "-C", str(ROOT), target],
        capture_output=True,
        text=True,
        env=env,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, f"make -n {target} failed:\n{result.stderr}"
    return result.stdout


@pytest.mark.skipif(shutil.which("make") is None, reason="GNU make not installed")
def test_makefile_targets() -> None:
    test = _make_dry_run("test")
    # prerequisites first: venv (stamp check), sysdeps (dpkg), then ruff and pytest
    positions = [test.find(s) for s in (".venv/.installed", "dpkg -s", "ruff check", "-m pytest")]
    assert -1 not in positions and positions == sorted(positions), test
    report = _make_dry_run("report")
    assert ".venv/.installed" in report and ".venv/bin/simlib report" in report, report
    lab = _make_dry_run("lab")
    assert "jupyter lab" in lab and "--ip=127.0.0.1" in lab and "--notebook-dir=notebooks" in lab, lab
    phony = re.search(r"^\.PHONY:(.*)$", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M)
    assert phony and {"venv", "sysdeps", "test", "report", "lab", "clean"} <= set(phony[1].split())
