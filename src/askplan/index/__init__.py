"""Index stage: measures -> passages -> FAISS + BM25, saved as a folder with a manifest."""
