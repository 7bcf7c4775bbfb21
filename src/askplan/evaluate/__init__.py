"""Evaluation stage: question sets in, numbers out."""
