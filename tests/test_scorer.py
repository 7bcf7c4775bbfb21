"""The answerability scorer: fitted by logistic regression, thresholded to a false-abstention budget, saved
and loaded per model."""

from __future__ import annotations

import numpy as np

from askplan.answerability.features import FEATURES
from askplan.answerability.scorer import fit, load_calibration, save_calibration


def _rows(n, shift, rng):
    return [{f: float(rng.normal(shift, 1.0)) for f in FEATURES} for _ in range(n)]


def test_fit_separates_and_keeps_the_budget(tmp_path):
    rng = np.random.default_rng(0)
    pos, neg = _rows(200, 1.0, rng), _rows(100, -1.0, rng)
    cal = fit(pos + neg, [1] * 200 + [0] * 100, model="m", max_false_abstain=0.05)
    p_pos = np.array([cal.probability(r) for r in pos])
    p_neg = np.array([cal.probability(r) for r in neg])
    assert (p_pos < cal.threshold).mean() <= 0.05
    assert (p_neg < cal.threshold).mean() > 0.5  # most negatives refused
    path = save_calibration(cal, tmp_path)
    assert load_calibration("m", tmp_path) == cal and path.name == "m.json"


def test_no_calibration_for_another_model(tmp_path):
    assert load_calibration("some/other-model", tmp_path) is None


def test_the_service_uses_a_calibration_from_askplan_home(tmp_path, corpus, hash_settings, hash_service):
    """End to end: a calibration in $ASKPLAN_HOME/calibration for the model in use decides questions the answer
    types let through, and the verdict names the scorer."""
    import dataclasses

    from askplan.answerability.scorer import Calibration
    from askplan.service import AskplanService

    n = len(FEATURES)
    strict = Calibration("hash-bigram-64", FEATURES, (0.0,) * n, (1.0,) * n, (0.0,) * n, 0.0, threshold=0.9)
    save_calibration(strict, tmp_path / "calibration")  # p is 0.5 for every question: all refused
    service = AskplanService(dataclasses.replace(hash_settings, home=tmp_path), corpus=corpus)
    answer = service.ask("推进碳达峰碳中和")
    assert not answer.answered and answer.check == "scorer" and answer.confidence == 0.5
    assert set(answer.features) == set(FEATURES)
    assert hash_service.ask("推进碳达峰碳中和").answered  # the default home has no calibration for this model
