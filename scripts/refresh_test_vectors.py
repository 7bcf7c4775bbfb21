"""Refresh the test suite's passage vectors: ``tests/fixtures/vectors/<model>.npz``.

The session-wide real index of the tests (``tests/conftest.py::real_service``) starts from this file as its vector
cache (``askplan.index.vectors``), so a test run embeds only the passages the file lacks instead of all ~1,700
(about 3.5 minutes on two cores). The vectors are the real model's, made by the same build any user runs, stored
in half precision (1.2 MB; cosine to the live vectors > 0.9999). A test (``tests/test_vector_fixture.py``)
re-embeds a sample of them live and fails when the file no longer covers the bundled corpus. Run this after a
change to ``corpus/`` or to how passages are cut:

    .venv/bin/python scripts/refresh_test_vectors.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests" / "fixtures" / "vectors"


def main() -> int:
    sys.path[:0] = [str(REPO / "src"), str(REPO / "tests")]
    from askplan.config import Settings
    from askplan.index.vectors import FOLDER
    from askplan.service import AskplanService
    from conftest import seed_vectors

    with tempfile.TemporaryDirectory(prefix="askplan-test-vectors-") as tmp:
        index = seed_vectors(Path(tmp) / "index")  # start from the current file: only new passages are embedded
        service = AskplanService(Settings(corpus_dir=REPO / "corpus", index_dir=index))
        manifest = service.build(progress=True)
        FIXTURE.mkdir(parents=True, exist_ok=True)
        for path in (index / FOLDER).glob("*.npz"):  # the build keeps only the rows this corpus uses
            with np.load(path) as data, open(FIXTURE / path.name, "wb") as out:  # half precision: ~1.3 MB, not 2.6
                np.savez_compressed(out, keys=data["keys"], vectors=data["vectors"].astype(np.float16))
            print(f"{FIXTURE / path.name}: {manifest.passages} passages, {manifest.embedded} embedded now")
    return 0


if __name__ == "__main__":
    sys.exit(main())
