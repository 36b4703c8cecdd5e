"""User text in Markdown: every character that could start markup is escaped, so a product name such as
`</script>` or `[x](javascript:...)` is shown as the text it is (CommonMark backslash escapes)."""

from __future__ import annotations

import re

__all__ = ["md", "md_cell"]

_SPECIAL = re.compile(r"([\\`*_\[\]<>&|~!$#{}])")
_LINE_START = re.compile(r"^(\s*)([-+=>]|\d+[.)])", re.MULTILINE)
_BREAKS = re.compile(r"\r\n|[\r\n\u2028\u2029\x0b\x0c\x85]")


def md(text: str) -> str:
    """`text` as literal Markdown text (line breaks kept as spaces: one paragraph)."""
    text = _BREAKS.sub(" ", text)
    text = _SPECIAL.sub(r"\\\1", text)
    return _LINE_START.sub(lambda m: m.group(1) + "".join("\\" + c if not c.isdigit() else c for c in m.group(2)),
                           text)


def md_cell(text: str | None) -> str:
    """`text` as literal text inside a table cell (empty for None)."""
    return "" if text is None else md(text)
