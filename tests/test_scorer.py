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


def test_the_question_vector_carries_what_the_features_cannot(tmp_path):
    """Labels that depend only on the question's vector: the vector fit separates them, the feature fit cannot; the
    vector's weights survive saving, and a question without a vector (or of another dimension) gets no p."""
    rng = np.random.default_rng(1)
    rows = _rows(300, 0.0, rng)  # features carry no signal
    labels = [1] * 200 + [0] * 100
    direction = rng.normal(size=16)
    vectors = [rng.normal(size=16) + (0.8 if y else -0.8) * direction / np.linalg.norm(direction) for y in labels]
    plain = fit(rows, labels, model="m", max_false_abstain=0.05)
    with_vector = fit(rows, labels, model="m", max_false_abstain=0.05, vectors=vectors)
    assert with_vector.uses_vector and not plain.uses_vector
    neg = [with_vector.probability(r, v) < with_vector.threshold for r, v, y in zip(rows, vectors, labels, strict=True)
           if y == 0]
    assert np.mean(neg) > 0.5
    assert np.mean([plain.probability(r) < plain.threshold for r in rows[200:]]) < 0.3
    save_calibration(with_vector, tmp_path)
    assert load_calibration("m", tmp_path) == with_vector
    assert with_vector.probability(rows[0]) is None and with_vector.probability(rows[0], np.zeros(8)) is None


def test_the_threshold_is_set_out_of_fold():
    """With groups, each group's questions are scored by a model fitted without it: a model that memorised its
    training questions (many dimensions, few questions) shows its real error there, so the threshold is lower and
    the budget holds on a group it never saw."""
    rng = np.random.default_rng(2)
    labels = [1, 1, 0] * 60
    rows = _rows(len(labels), 0.0, rng)
    vectors = [rng.normal(size=120) + (0.15 if y else -0.15) for y in labels]  # weak signal, easy to overfit
    groups = [f"set{i % 6}" for i in range(len(labels))]
    in_sample = fit(rows, labels, model="m", max_false_abstain=0.05, vectors=vectors, l2=1.0)
    out_of_fold = fit(rows, labels, model="m", max_false_abstain=0.05, vectors=vectors, groups=groups, l2=1.0)
    assert out_of_fold.threshold < in_sample.threshold
    assert "out of fold over 6" in out_of_fold.note
    fresh = [rng.normal(size=120) + 0.15 for _ in range(400)]
    refused = np.mean([out_of_fold.probability(rows[0], v) < out_of_fold.threshold for v in fresh])
    assert refused <= 0.15  # near the 5 % budget on unseen answerable questions (in sample it would be far above)


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


def test_the_service_reads_the_question_through_the_retrievers_vector(tmp_path, corpus, hash_settings):
    """The calibration's vector weights meet the dense leg's own query vector (no second model call): weights
    along one question's vector refuse that question and not an unrelated one; a calibration for vectors of
    another dimension is skipped rather than guessed."""
    import dataclasses

    from askplan.answerability.scorer import Calibration
    from askplan.service import AskplanService

    service = AskplanService(dataclasses.replace(hash_settings, home=tmp_path), corpus=corpus)
    service.answerability.collect = True
    own = np.array(service.ask("推进碳达峰碳中和").vector)
    assert own.shape == (service.encoder().dim,) and abs(np.linalg.norm(own) - 1) < 1e-3
    n = len(FEATURES)
    cal = Calibration("hash-bigram-64", FEATURES, (0.0,) * n, (1.0,) * n, (0.0,) * n, 2.0, threshold=0.5,
                      vector_mean=(0.0,) * len(own), vector_scale=(1.0,) * len(own),
                      vector_weights=tuple(-4.0 * own))
    save_calibration(cal, tmp_path / "calibration")
    fresh = AskplanService(dataclasses.replace(hash_settings, home=tmp_path), corpus=corpus)
    refused = fresh.ask("推进碳达峰碳中和")
    assert not refused.answered and refused.check == "scorer" and refused.confidence < 0.5
    kept = fresh.ask("工业互联网平台")
    assert kept.answered and kept.confidence > 0.5
    short = dataclasses.replace(cal, vector_mean=(0.0,) * 8, vector_scale=(1.0,) * 8, vector_weights=(-9.0,) * 8)
    save_calibration(short, tmp_path / "calibration")
    other = AskplanService(dataclasses.replace(hash_settings, home=tmp_path), corpus=corpus)
    assert other.ask("推进碳达峰碳中和").answered and other.ask("推进碳达峰碳中和").confidence is None


def test_a_stale_calibration_in_home_gives_way_to_the_next(tmp_path, caplog):
    """A calibration of an older format (or unreadable) in the first folder is skipped with a warning naming the
    fix, and the next folder's still applies; with none usable, there is none."""
    rng = np.random.default_rng(3)
    good = fit(_rows(60, 1.0, rng) + _rows(30, -1.0, rng), [1] * 60 + [0] * 30, model="m", max_false_abstain=0.05)
    home, package = tmp_path / "home", tmp_path / "package"
    save_calibration(good, package)
    home.mkdir()
    (home / "m.json").write_text('{"format": 1, "features": ["dense_top"]}', encoding="utf-8")
    assert load_calibration("m", home, package) == good
    assert "fitted for other features" in caplog.text and "askplan calibrate" in caplog.text
    (home / "m.json").write_text("{not json", encoding="utf-8")
    assert load_calibration("m", home, package) == good
    assert load_calibration("m", home) is None
