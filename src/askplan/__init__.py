"""askplan: retrieval Q&A over Chinese government plans — the exact clause, who leads it, and a citation."""

from __future__ import annotations

__version__ = "0.1.0"
