"""Runtime and development dependencies apart: the production image installs what the site
runs with and nothing else, and every requirement is pinned."""

import re

from .layout import ROOT

REQUIREMENT = re.compile(r"^([A-Za-z0-9_.-]+)(\[[^\]]+\])?==[0-9][^\s]*$")


def _requirements(name: str) -> list[str]:
    lines = (ROOT / name).read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def test_every_requirement_is_pinned():
    for name in ("requirements.txt", "requirements-dev.txt"):
        for line in _requirements(name):
            assert line == "-r requirements.txt" or REQUIREMENT.match(line), f"{name}: {line}"


def test_the_runtime_list_holds_no_test_or_lint_tool():
    runtime = {
        REQUIREMENT.match(line).group(1).lower() for line in _requirements("requirements.txt")
    }
    tools = {
        "pytest",
        "pytest-django",
        "hypothesis",
        "playwright",
        "ruff",
        "import-linter",
        "aiosmtpd",
        "factory-boy",
        "time-machine",
        "pyyaml",
    }
    assert runtime & tools == set()
    assert {"pillow", "openpyxl", "css-inline", "confusable-homoglyphs"} <= runtime


def test_the_dev_list_builds_on_the_runtime_list():
    assert _requirements("requirements-dev.txt")[0] == "-r requirements.txt"


def test_the_production_image_installs_the_runtime_list_only():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install -r requirements.txt" in dockerfile
    assert "requirements-dev" not in dockerfile
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^test: install-dev\b", makefile, re.M)
