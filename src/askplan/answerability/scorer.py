"""A logistic-regression scorer over the generic features and the question's own embedding, fitted on labelled
questions (answerable or not) and stored per embedding model, because the cosines and the vector belong to one
model. ``askplan calibrate`` fits it; without a calibration for the model in use, the scorer is off and every
question passes to the type checks only.

The question's vector is the retriever's query vector (no extra model call): it lets the scorer learn what
unanswerable questions ask for (an outcome, a local figure, a person), which no coverage feature sees. Its
threshold is set on out-of-fold probabilities, each question file predicted by a model that never saw it, so the
false-abstention budget holds for writers the scorer was not fitted on, not only for its training questions. The
shipped calibration's threshold was then moved by ``scripts/choose_threshold.py`` to the highest that keeps the whole
pipeline's false abstention within 5 % on development rounds outside the fit (its ``note`` says so)."""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from askplan.answerability.features import FEATURES
from askplan.errors import AskplanError

log = logging.getLogger(__name__)
CALIBRATION_DIR = Path(__file__).parent / "calibration"
FORMAT = 2
L2 = 333.0  # inverse of scikit-learn's C = 0.003, chosen on the development sets (eval/README.md, session 9)


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
    # Weights over the question's embedding (standardised like the features); empty: the features only.
    vector_mean: tuple[float, ...] = ()
    vector_scale: tuple[float, ...] = ()
    vector_weights: tuple[float, ...] = ()
    format: int = FORMAT

    @property
    def uses_vector(self) -> bool:
        return bool(self.vector_weights)

    def probability(self, feats: dict[str, float], vector: np.ndarray | None = None) -> float | None:
        """p(answerable), or None when the calibration reads the question's vector and there is none, or it has
        another dimension (an index built with another model)."""
        x = (np.array([feats[f] for f in self.features]) - np.array(self.mean)) / np.array(self.scale)
        z = x @ np.array(self.weights) + self.bias
        if self.uses_vector:
            if vector is None or len(vector) != len(self.vector_weights):
                return None
            v = (np.asarray(vector, dtype=np.float64) - np.array(self.vector_mean)) / np.array(self.vector_scale)
            z += v @ np.array(self.vector_weights)
        return float(1.0 / (1.0 + np.exp(-z)))


def calibration_path(model: str, directory: Path = CALIBRATION_DIR) -> Path:
    return directory / (re.sub(r"[^A-Za-z0-9._-]+", "_", model) + ".json")


def load_calibration(model: str, *directories: Path) -> Calibration | None:
    """The first usable calibration for ``model`` in ``directories`` (default: the package's own), or None. One
    fitted for other features or an older format (left in $ASKPLAN_HOME by an earlier version), or unreadable, is
    skipped with a warning, so the next one (the package's) still applies."""
    found = [p for d in (directories or (CALIBRATION_DIR,)) if (p := calibration_path(model, d)).is_file()]
    if not found:
        log.info("no answerability calibration for %s; run askplan calibrate to fit one", model)
    for path in found:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            log.warning("%s cannot be read (%s); run askplan calibrate again", path, exc)
            continue
        if data.get("format") != FORMAT or tuple(data.get("features", ())) != FEATURES:
            log.warning("%s was fitted for other features; run askplan calibrate again", path)
            continue
        tuples = ("mean", "scale", "weights", "trained_on", "vector_mean", "vector_scale", "vector_weights")
        return Calibration(**{**data, "features": tuple(data["features"]),
                              **{k: tuple(data.get(k, ())) for k in tuples}})
    return None


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
        vectors: Sequence[np.ndarray] | None = None, groups: Sequence[str] | None = None, l2: float = L2,
        trained_on: tuple[str, ...] = ()) -> Calibration:
    """L2-regularised logistic regression with balanced classes over the features (and the question vectors, if
    given). The threshold is the highest that abstains on at most ``max_false_abstain`` of the answerable
    questions, judged out of fold when ``groups`` (one name a question, e.g. its file) has two or more: each
    group's questions are scored by a model fitted without that group."""
    x = np.array([[r[f] for f in FEATURES] for r in rows], dtype=np.float64)
    if vectors is not None:
        x = np.hstack([x, np.asarray(vectors, dtype=np.float64)])
    y = np.array(labels, dtype=np.float64)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    z = (x - mean) / scale
    w, b = _logistic(z, y, l2)
    p, how = _sigmoid(z @ w + b), "on them"
    names = list(dict.fromkeys(groups or ()))
    if len(names) >= 2:
        g = np.array(groups)
        for name in names:
            out = g == name
            if len(set(y[~out])) < 2:  # the other groups hold one class only: this group keeps its in-sample p
                continue
            wg, bg = _logistic(z[~out], y[~out], l2)
            p[out] = _sigmoid(z[out] @ wg + bg)
        how = f"out of fold over {len(names)} question files"
    answerable = np.sort(p[y == 1])
    cut = int(np.floor(max_false_abstain * len(answerable)))
    threshold = float(answerable[cut]) if cut < len(answerable) else 0.5
    n = len(FEATURES)
    return Calibration(model, FEATURES, _round(mean[:n]), _round(scale[:n]), _round(w[:n]), round(float(b), 6),
                       math.floor(threshold * 1e6) / 1e6, trained_on,
                       f"fitted on {len(y)} questions ({int(y.sum())} answerable); threshold keeps false abstention "
                       f"<= {max_false_abstain:.1%} {how}",
                       _round(mean[n:]), _round(scale[n:]), _round(w[n:]))


def _round(a: np.ndarray) -> tuple[float, ...]:
    return tuple(float(v) for v in a.round(6))


def _sigmoid(t: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-t))


def _logistic(z: np.ndarray, y: np.ndarray, l2: float) -> tuple[np.ndarray, float]:
    """Weights and bias minimising the class-balanced log loss (each class weighs half) + l2/2·|w|² / n, the
    objective of scikit-learn's LogisticRegression(C=1/l2, class_weight="balanced"), by L-BFGS."""
    from scipy.optimize import minimize

    n = len(y)
    pos = y.mean()
    sample = np.where(y == 1, 0.5 / pos, 0.5 / (1 - pos))

    def loss(theta):
        w, b = theta[:-1], theta[-1]
        t = z @ w + b
        # log(1 + e^t) - y·t, stably
        value = (sample * (np.logaddexp(0.0, t) - y * t)).sum() + 0.5 * l2 * (w @ w)
        g = sample * (_sigmoid(t) - y)
        return value / n, np.append(z.T @ g + l2 * w, g.sum()) / n

    theta = minimize(loss, np.zeros(z.shape[1] + 1), jac=True, method="L-BFGS-B", options={"maxiter": 2000}).x
    return theta[:-1], float(theta[-1])
