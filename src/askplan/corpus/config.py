"""Facts about a corpus that its texts do not state: which document is primary, a document's region and
short names, which two documents the outline links join, and unit aliases.

They come from optional front-matter keys (``role``, ``region``, ``aliases``) and from ``askplan.toml`` beside
the texts. Code reads them and works when they are absent: no document is then preferred, no links are
computed, and units are folded by the generic rules only."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from askplan.errors import CorpusError

CONFIG_NAME = "askplan.toml"
ROLES = ("primary", "")
_LIST_SPLIT = "、,，;；|"


@dataclass(frozen=True)
class DocFacts:
    role: str = ""
    region: str = ""
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class CorpusConfig:
    documents: dict[str, DocFacts] = field(default_factory=dict)
    links: tuple[str, str] | None = None  # (implementing document, outline it implements)
    unit_aliases: dict[str, str] = field(default_factory=dict)
    examples: tuple[str, ...] = ()  # questions the web page offers to try ([ui] examples)

    def facts(self, slug: str, meta: dict[str, str]) -> DocFacts:
        """Front matter first, then the config file's table for the slug."""
        base = self.documents.get(slug, DocFacts())
        role = meta.get("role", base.role)
        if role not in ROLES:
            raise CorpusError(f"role must be 'primary' or absent, not {role!r}")
        aliases = split_list(meta["aliases"]) if meta.get("aliases") else base.aliases
        return DocFacts(role, meta.get("region", base.region), aliases)


def split_list(value: str) -> tuple[str, ...]:
    for sep in _LIST_SPLIT:
        value = value.replace(sep, "\n")
    return tuple(v.strip() for v in value.splitlines() if v.strip())


def load_config(root: Path) -> CorpusConfig:
    """``root/askplan.toml`` or an empty config; a malformed file is a CorpusError naming the line."""
    path = root / CONFIG_NAME
    if not path.is_file():
        return CorpusConfig()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CorpusError(f"{CONFIG_NAME} is not valid TOML ({exc}); fix it or remove it", path=str(path)) from None
    docs = {}
    for slug, table in (data.get("documents") or {}).items():
        aliases = table.get("aliases", ())
        docs[slug] = DocFacts(str(table.get("role", "")), str(table.get("region", "")),
                              tuple(aliases) if isinstance(aliases, list) else split_list(str(aliases)))
    links = data.get("links") or {}
    pair = (links["from"], links["to"]) if links.get("from") and links.get("to") else None
    units = {str(k): str(v) for k, v in (data.get("units") or {}).items()}
    examples = tuple(str(e) for e in (data.get("ui") or {}).get("examples", ()))
    return CorpusConfig(docs, pair, units, examples)
