"""The small error hierarchy. The library raises these; only the CLI and the web edge turn them into
messages, exit codes and HTTP statuses. Every message says what is wrong and how to fix it."""

from __future__ import annotations


class AskplanError(Exception):
    """Base of every error askplan raises on purpose."""


class CorpusError(AskplanError):
    """A corpus file cannot be read or parsed. Carries the file and line where known."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None) -> None:
        self.path, self.line, self.reason = path, line, message
        where = f"{path}:{line}: " if path and line else f"{path}: " if path else ""
        super().__init__(f"{where}{message}")


class NotFound(AskplanError):
    """An unknown document, measure or department."""


class IndexMissing(AskplanError):
    """No index has been built yet."""


class IndexStale(AskplanError):
    """The index was built from another corpus, model or version, or is damaged."""


class IndexCorrupt(IndexStale):
    """A file of the index does not match the checksum or the values its manifest records."""


class IndexUnwritable(AskplanError):
    """The index folder cannot be created or written (a path under a file, no permission, a full disk)."""


class IndexBusy(AskplanError):
    """Another build holds the index lock (only when not waiting for it)."""


class BadQuery(AskplanError):
    """An empty, over-long or otherwise unusable question."""


class ModelUnavailable(AskplanError):
    """The embedding model cannot be built or loaded."""


class BadInput(AskplanError):
    """A file given to ``askplan add`` that cannot become a corpus text (format, size, encryption, no text)."""


class BackendUnavailable(AskplanError):
    """The search backend (a Milvus server, or the milvus-lite file) cannot be reached or used."""
