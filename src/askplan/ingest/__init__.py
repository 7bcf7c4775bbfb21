"""Ingest stage: a user's Word, PDF, HTML or text file -> a corpus text with front matter (``askplan add``)."""
