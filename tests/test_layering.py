"""Data flows one way (STYLE.md habit 1): no module imports one from a later pipeline stage."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "askplan"
# Pipeline stages, earliest first; a module may import only from its own stage or earlier ones.
STAGES = [
    {"errors", "config", "models", "numerals", "normalize", "files", "parallel"},
    {"corpus", "ingest"},
    {"tokenize", "thesaurus", "encoders", "embed"},
    {"index"},
    {"search"},
    {"intent", "answer", "docnames", "tense", "answerability", "departments", "followup"},
    {"links", "service", "documents"},
    {"checker", "render", "render_answer"},
    {"evaluate", "web", "commands", "cli", "__main__"},
]
RANK = {name: i for i, stage in enumerate(STAGES) for name in stage}


def _stage(module: str) -> str:
    return module.split(".")[1] if module.startswith("askplan.") else module


def _imports(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("askplan."):
            yield node.module
        elif isinstance(node, ast.Import):
            yield from (a.name for a in node.names if a.name.startswith("askplan."))


MODULES = sorted(p for p in SRC.rglob("*.py") if p.name != "__init__.py" or p.parent != SRC)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SRC)))
def test_no_import_from_a_later_stage(path):
    own = path.relative_to(SRC).parts[0].removesuffix(".py")
    assert own in RANK, f"{own} has no stage in STAGES"
    for module in _imports(path):
        target = _stage(module)
        assert RANK[target] <= RANK[own], f"{own} (stage {RANK[own]}) imports {module} (stage {RANK[target]})"
