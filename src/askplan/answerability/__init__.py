"""Does the top clause answer the question, or only resemble it? Two general parts: answer-type checks declared
as data (``types``), and a learned scorer over generic retrieval features (``scorer``), calibrated per model."""

from askplan.answerability.judge import Answerability, Verdict

__all__ = ["Answerability", "Verdict"]
