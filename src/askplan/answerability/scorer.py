"""A logistic-regression scorer over the generic features, fitted on labelled questions (answerable or not) and
stored per embedding model, because the dense features are cosines of one model. ``askplan calibrate`` fits it;
without a calibration for the model in use, the scorer is off and every question passes to the type checks only."""

from __future__ import annotations

import json
import logging
import math
import re
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from askplan.answerability.features import FEATURES
from askplan.errors import AskplanError

log = logging.getLogger(__name__)
CALIBRATION_DIR = Path(__file__).parent / "calibration"
FORMAT = 1


@dataclass(frozen=True)
class Calibration:
    model: str
    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    threshold: float  # answer when p(answerable) >= threshold
    trained_on: tuple[str, ...] = ()
    note: str = ""
    format: int = FORMAT

    def probability(self, feats: dict[str, float]) -> float:
        x = (np.array([feats[f] for f in self.features]) - np.array(self.mean)) / np.array(self.scale)
        return float(1.0 / (1.0 + np.exp(-(x @ np.array(self.weights) + self.bias))))


def calibration_path(model: str, directory: Path = CALIBRATION_DIR) -> Path:
    return directory / (re.sub(r"[^A-Za-z0-9._-]+", "_", model) + ".json")


def load_calibration(model: str, *directories: Path) -> Calibration | None:
    """The first calibration for ``model`` in ``directories`` (default: the package's own), or None."""
    found = [p for d in (directories or (CALIBRATION_DIR,)) if (p := calibration_path(model, d)).is_file()]
    if not found:
        log.info("no answerability calibration for %s; run askplan calibrate to fit one", model)
        return None
    path = found[0]
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("format") != FORMAT or tuple(data["features"]) != FEATURES:
        log.warning("%s was fitted for other features; run askplan calibrate again", path)
        return None
    return Calibration(**{**data, "features": tuple(data["features"]), "mean": tuple(data["mean"]),
                          "scale": tuple(data["scale"]), "weights": tuple(data["weights"]),
                          "trained_on": tuple(data.get("trained_on", ()))})


def save_calibration(cal: Calibration, directory: Path = CALIBRATION_DIR) -> Path:
    path = calibration_path(cal.model, directory)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(cal), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        raise AskplanError(f"cannot write the calibration to {path} ({exc.strerror}); pass --out DIR") from None
    return path


def fit(rows: list[dict[str, float]], labels: list[int], *, model: str, max_false_abstain: float,
        l2: float = 1.0, steps: int = 3000, trained_on: tuple[str, ...] = ()) -> Calibration:
    """L2-regularised logistic regression by gradient descent; the threshold is the highest that abstains on at
    most ``max_false_abstain`` of the answerable training questions."""
    x = np.array([[r[f] for f in FEATURES] for r in rows], dtype=np.float64)
    y = np.array(labels, dtype=np.float64)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    z = (x - mean) / scale
    w, b = np.zeros(z.shape[1]), 0.0
    pos = y.mean()
    sample = np.where(y == 1, 0.5 / pos, 0.5 / (1 - pos))  # balanced classes
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(z @ w + b)))
        g = (p - y) * sample
        w -= 0.1 * (z.T @ g / len(y) + l2 * w / len(y))
        b -= 0.1 * g.mean()
    p = 1.0 / (1.0 + np.exp(-(z @ w + b)))
    answerable = np.sort(p[y == 1])
    cut = int(np.floor(max_false_abstain * len(answerable)))
    threshold = float(answerable[cut]) if cut < len(answerable) else 0.5
    return Calibration(model, FEATURES, tuple(mean.round(6)), tuple(scale.round(6)), tuple(w.round(6)),
                       round(float(b), 6), math.floor(threshold * 1e6) / 1e6, trained_on,
                       f"fitted on {len(y)} questions ({int(y.sum())} answerable); "
                       f"threshold keeps false abstention <= {max_false_abstain:.0%} on them")
