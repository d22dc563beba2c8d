"""The wheel installs on its own and finds its shipped resources."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def installed_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the wheel and install it into a fresh virtual environment."""
    uv = shutil.which("uv")
    if uv is None:
        pytest.fail("uv is needed to build the wheel; install it with 'pip install uv'")
    work = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [uv, "build", "--wheel", "--out-dir", str(work / "dist"), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = (work / "dist").glob("infusion_monitor-*.whl")
    venv = work / "venv"
    subprocess.run([uv, "venv", "--quiet", "--python", sys.executable, str(venv)], check=True)
    subprocess.run(
        [uv, "pip", "install", "--quiet", "--python", str(venv / "bin" / "python"), str(wheel)],
        check=True,
        capture_output=True,
    )
    return venv


def test_installed_command_reports_its_version(installed_venv: Path) -> None:
    result = subprocess.run(
        [str(installed_venv / "bin" / "infusion-monitor"), "--version"],
        check=True,
        capture_output=True,
        text=True,
    )
    assert result.stdout.strip().startswith("infusion-monitor ")


def test_installed_package_finds_resources_inside_the_wheel(installed_venv: Path) -> None:
    probe = (
        "from infusion_monitor.resources import resource_root, resource;"
        "print(resource_root());"
        "print(resource('README.md').read_text().splitlines()[0])"
    )
    result = subprocess.run(
        [str(installed_venv / "bin" / "python"), "-c", probe],
        check=True,
        capture_output=True,
        text=True,
        cwd=installed_venv,
    )
    root, first_line = result.stdout.splitlines()
    assert "site-packages" in root
    assert root.endswith("infusion_monitor/resources")
    assert first_line == "# resources"


def test_the_wheel_installs_a_windowed_launcher(installed_venv: Path) -> None:
    """``[project.gui-scripts]``: on Windows the launcher runs without a console window."""
    launcher = installed_venv / "bin" / "infusion-monitor-gui"
    assert launcher.is_file()
    assert "gui_main" in launcher.read_text(encoding="utf-8")


def test_rule_and_protocol_files_keep_lf_on_every_checkout() -> None:
    """Their sha256 is their version: a CRLF checkout on Windows would change every version."""
    attributes = (ROOT / ".gitattributes").read_text(encoding="utf-8")
    assert "resources/rules/*.toml text eol=lf" in attributes
    assert "resources/protocols/*.toml text eol=lf" in attributes
    for shipped in [*ROOT.glob("resources/rules/*.toml"), *ROOT.glob("resources/protocols/*.toml")]:
        assert b"\r\n" not in shipped.read_bytes(), shipped
