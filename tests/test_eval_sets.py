"""Every bundled question set passes the independent label checker (gold ids exist, lead answers are verbatim
responsibility clauses of their gold, target figures occur in their gold, scripts are what they claim)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import REPO

SETS = sorted(p.name for p in (REPO / "eval").glob("*.jsonl") if p.name != "links_gold.jsonl")


def test_the_sets_are_there():
    assert {"questions.jsonl", "dev.jsonl", "dev2.jsonl", "dev3.jsonl", "heldout.jsonl", "heldout2.jsonl"} <= set(SETS)


@pytest.mark.parametrize("name", SETS)
def test_labels_check_out(name):
    run = subprocess.run([sys.executable, str(REPO / "eval" / "check_labels.py"), str(REPO / "eval" / name)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert "OK: all checks passed" in run.stdout
