"""Read-only views of the draft the pages share: names of fields, segments and bands, bilingual text."""

from __future__ import annotations

from designer.web import state

__all__ = ["text_of", "items", "ids", "rule_fields", "field_names", "segment_ids", "band_ids"]


def text_of(value, fallback: str = "") -> str:
    """A bilingual {zh, en} text in the session's language (the other language if that one is empty)."""
    if not isinstance(value, dict):
        return fallback if value is None else str(value)
    other = "en" if state.lang() == "zh" else "zh"
    return str(value.get(state.lang()) or value.get(other) or fallback)


def items(section: str, *more) -> list[dict]:
    node = state.get((section, *more), [])
    return [i for i in node if isinstance(i, dict)] if isinstance(node, list) else []


def ids(section: str, key: str, *more) -> list[str]:
    return [str(i[key]) for i in items(section, *more) if isinstance(i.get(key), str) and i.get(key)]


def field_names() -> list[str]:
    return ids("fields", "name")


def segment_ids() -> list[str]:
    return ids("segments", "id")


def band_ids() -> list[str]:
    return ids("decision", "id", "bands")


def rule_fields() -> list[tuple[str, str, list | None]]:
    """(name, type, categories) of everything a rule may read: fields (not free text) and derived features."""
    out = []
    for f in items("fields"):
        if isinstance(f.get("name"), str) and f.get("type") != "string":
            cats = f.get("categories") if f.get("type") == "category" and isinstance(f.get("categories"), list) else None
            out.append((f["name"], str(f.get("type")), [str(c) for c in cats] if cats else None))
    out += [(d["name"], "derived", None) for d in items("derived") if isinstance(d.get("name"), str)]
    return out
