"""bm25s's index, built in a fraction of its memory: the same scores in the same CSC arrays, saved by bm25s.

``bm25s.BM25.build_index_from_ids`` keeps three arrays of every (document, token) entry (score, document,
token: 12 bytes an entry) and then has scipy convert them to CSC, several copies more: at a million measures that
was 3 GB above the rest of the build for the words leg, and more for bigrams and pinyin. ``LeanBM25`` counts each
token's documents first, then fills the CSC arrays in place, a document at a time (8 bytes an entry, nothing
else of the corpus's size). Each document's scores come from bm25s's own functions with the same arguments, so
every score is bit-for-bit bm25s's (``tests/test_bm25_arrays.py``)."""

from __future__ import annotations

import bm25s
import numpy as np
from bm25s.scoring import (
    _build_idf_array,
    _calculate_doc_freqs,
    _get_counts_from_token_ids,
    _select_idf_scorer,
    _select_tfc_scorer,
)


class LeanBM25(bm25s.BM25):
    def build_index_from_ids(self, unique_token_ids, corpus_token_ids, show_progress=True, leave_progress=False):
        if self.method in self.methods_requiring_nonoccurrence:  # not askplan's method: bm25s's own build
            return super().build_index_from_ids(unique_token_ids, corpus_token_ids, show_progress, leave_progress)
        self.nonoccurrence_array = None
        lengths = np.array([len(doc) for doc in corpus_token_ids])
        avg_doc_len = lengths.mean()
        n_docs, n_vocab = len(corpus_token_ids), len(unique_token_ids)
        doc_frequencies = _calculate_doc_freqs(corpus_tokens=corpus_token_ids, unique_tokens=unique_token_ids,
                                               show_progress=False)
        idf_array = _build_idf_array(doc_frequencies=doc_frequencies, n_docs=n_docs,
                                     compute_idf_fn=_select_idf_scorer(self.idf_method), dtype=self.dtype)
        counts = np.zeros(n_vocab, dtype=np.int64)
        for token, df in doc_frequencies.items():
            counts[token] = df
        nnz = int(counts.sum())
        index_dtype = np.int32 if max(nnz, n_docs, n_vocab) < np.iinfo(np.int32).max else np.int64
        indptr = np.zeros(n_vocab + 1, dtype=np.int64)
        np.cumsum(counts, out=indptr[1:])
        cursor = indptr[:-1].copy()
        data = np.empty(nnz, dtype=self.dtype)
        indices = np.empty(nnz, dtype=index_dtype)
        tfc_of = _select_tfc_scorer(self.method)
        for doc, token_ids in enumerate(corpus_token_ids):  # bm25s's _build_scores_and_indices_for_matrix, per doc
            voc, tf = _get_counts_from_token_ids(token_ids, dtype=self.dtype, int_dtype=self.int_dtype)
            tfc = tfc_of(tf_array=tf, l_d=len(token_ids), l_avg=avg_doc_len, k1=self.k1, b=self.b, delta=self.delta)
            at = cursor[voc]
            data[at] = idf_array[voc] * tfc
            indices[at] = doc
            cursor[voc] += 1
        return {"data": data, "indices": indices, "indptr": indptr, "num_docs": n_docs}  # the dtypes scipy gives
