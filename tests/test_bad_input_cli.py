"""Invalid code points on the command line (a terminal in another encoding gives Python lone surrogates):
every command answers with a result or a one-line error, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from askplan.cli import main
from askplan.corpus import load_corpus
from askplan.encoders import HashEncoder
from askplan.index.store import build_index

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("cli-bad") / "index"
    build_index(load_corpus(FIXTURES), HashEncoder(64), path)
    return path


@pytest.mark.parametrize("args", [
    ["ask", "\udced\udca0\udc80数字经济"],
    ["ask", "\ud800"],
    ["show", "\udcff/1"],
    ["dept", "\udcff\udcfe"],
    ["measures", "--doc", "\udcff"],
], ids=["ask", "ask-only-surrogate", "show", "dept", "measures"])
def test_surrogates_in_arguments_are_answered_or_refused_in_one_line(index_dir, args):
    extra = ["--index", str(index_dir), "--model", "hash-bigram-64"] if args[0] == "ask" else []
    result = CliRunner().invoke(main, [*args, "--corpus", str(FIXTURES), *extra])
    assert result.exit_code in (0, 1), result.output
    assert "Traceback" not in result.output and "unexpected" not in result.output
    if result.exit_code == 1:
        assert len([line for line in result.output.splitlines() if line.startswith("Error:")]) == 1
