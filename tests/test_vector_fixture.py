"""The test vectors (tests/fixtures/vectors) that seed the session's real index are the real model's vectors of
today's bundled passages: a sample re-embedded live agrees with them, and the file covers the corpus, so the
real-index tests run on what a user's build would produce and do not spend minutes embedding."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import TEST_VECTORS

pytestmark = pytest.mark.model


def test_the_session_index_embedded_no_passage_the_file_lacks(real_build):
    service, manifest = real_build
    assert manifest.passages > 1000
    assert manifest.embedded == 0, (
        f"{manifest.embedded} of {manifest.passages} bundled passages are not in {TEST_VECTORS}: every test run "
        "embeds them again; refresh the file with .venv/bin/python scripts/refresh_test_vectors.py")


def test_a_sample_of_the_file_matches_the_live_model(real_service):
    from askplan.index.store import all_passages
    from askplan.index.vectors import VectorCache, _key

    encoder = real_service.encoder()
    cache = VectorCache(TEST_VECTORS.parent, encoder.name, encoder.dim)  # reads <fixtures>/vectors/<model>.npz
    assert len(cache.keys()) > 1000
    texts = [p.text for p in all_passages(real_service.corpus)]
    sample = [texts[i] for i in np.random.default_rng(0).choice(len(texts), 12, replace=False)]
    stored = np.stack([cache.vector(_key(encoder.name, t)) for t in sample])
    live = encoder.encode_documents(sample)
    cosines = (stored * live).sum(axis=1) / np.linalg.norm(stored, axis=1) / np.linalg.norm(live, axis=1)
    assert cosines.min() > 0.9999, cosines
