"""ruff (lint and format) is clean: CI runs this like any other test."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_ruff(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args], cwd=ROOT, capture_output=True, text=True
    )


def test_ruff_lint_is_clean():
    result = run_ruff("check", ".")
    assert result.returncode == 0, result.stdout


def test_ruff_format_is_clean():
    result = run_ruff("format", "--check", ".")
    assert result.returncode == 0, result.stdout
