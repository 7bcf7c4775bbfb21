"""The decision: an answer-type check first (a question asking for a sum is not answered by a clause with
none), then the learned scorer. Each verdict names what decided it, so ``askplan eval`` can report every
check's precision."""

from __future__ import annotations

from dataclasses import dataclass, field

from askplan.answerability.features import FeatureMaker
from askplan.answerability.scorer import Calibration
from askplan.answerability.types import refusing_type
from askplan.models import Measure
from askplan.normalize import normalize

# Evidence of an answer type must stand near the sentence that matches the question best (its best sentence
# plus this many characters either side), not anywhere in a long clause: chosen on the development sets.
EVIDENCE_WINDOW = 120


def around(text: str, sentence: str, window: int) -> str:
    """The sentence with ``window`` characters of the text either side (the whole text if it is not found)."""
    at = text.find(sentence) if sentence else -1
    return text if at < 0 else text[max(0, at - window): at + len(sentence) + window]


@dataclass(frozen=True)
class Verdict:
    answered: bool
    reason: str = ""
    check: str = ""  # what refused: an answer type's name, or "scorer"
    confidence: float | None = None  # the scorer's p(answerable), where it ran
    features: dict[str, float] = field(default_factory=dict, compare=False)
    vector: tuple[float, ...] = field(default=(), compare=False, repr=False)  # the question's, when collected


class Answerability:
    def __init__(self, measures: tuple[Measure, ...], calibration: Calibration | None, *, collect: bool = False,
                 df: dict[str, int] | None = None):
        self.features = FeatureMaker(measures, df)
        self.calibration = calibration
        self.collect = collect  # compute the scorer's features even without a calibration (askplan calibrate)

    def word_coverage(self, topic: str, text: str) -> float:
        return self.features.word_coverage(topic, text)

    @staticmethod
    def always() -> Verdict:
        return Verdict(True)

    def judge(self, question: str, topic: str, measure: Measure, sentence: str | None, row: int,
              legs: dict) -> Verdict:
        """``question`` and ``topic`` normalised; ``sentence`` the clause's best sentence as printed."""
        wanted = self.collect or self.calibration is not None
        feats = self.features(topic, measure, sentence, row, legs) if wanted else {}
        dense = legs.get("dense")
        query = dense.query if dense is not None else None
        vector = tuple(float(v) for v in query) if self.collect and query is not None else ()
        if kind := refusing_type(question, around(measure.norm, normalize(sentence or ""), EVIDENCE_WINDOW)):
            return Verdict(False, kind.reason, kind.name, None, feats, vector)
        if self.calibration is None:
            return Verdict(True, features=feats, vector=vector)
        p = self.calibration.probability(feats, query)
        if p is None:  # the calibration reads a question vector this retrieval did not give
            return Verdict(True, features=feats, vector=vector)
        if p < self.calibration.threshold:
            return Verdict(False, f"最接近的条款与问题对不上（把握 {p:.0%}）", "scorer", round(p, 4), feats, vector)
        return Verdict(True, "", "", round(p, 4), feats, vector)
