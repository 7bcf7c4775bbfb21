"""Retrieval stage: lexical and dense legs over the index, fused by reciprocal rank."""
