"""Every text in the spec (names, labels, reasons, categories, example names) is free of invisible and
control characters: a zero-width space makes `age\u200b` look like `age`, a bidi override can make one
text read as another, an ANSI escape can clear a terminal or fake output. Rules are left to the rule
parser, which refuses any character outside its grammar."""

from __future__ import annotations

import unicodedata

from ..errors import hidden_characters, printable
from ..io import item_path
from .context import CheckContext

__all__ = ["check"]

_RULE_KEYS = {"when", "expr", "amount", "applies_when"}  # rules: the parser refuses such characters
_ALLOWED = "\t\n"  # tabs and line breaks in longer texts (descriptions, notes)


def check(ctx: CheckContext) -> None:
    data = ctx.spec.model_dump(mode="python")

    def walk(value, loc: tuple) -> None:
        if isinstance(value, str):
            if loc and loc[-1] not in _RULE_KEYS:
                _text(ctx, value, loc, data)
        elif isinstance(value, dict):
            for key, item in value.items():
                if isinstance(key, str) and hidden_characters(key):
                    _text(ctx, key, loc + (key,), data)
                walk(item, loc + (key,))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                walk(item, loc + (i,))

    walk(data, ())


def _text(ctx: CheckContext, text: str, loc: tuple, data: dict) -> None:
    hidden = hidden_characters(text, _ALLOWED)
    if not hidden:
        return
    position, char = hidden[0]
    name = unicodedata.name(char, "").lower() or f"U+{ord(char):04X}"
    ctx.error("text", loc, item_path(data, loc),
              f"'{printable(text)}' holds the invisible or control character {printable(char)} ({name}) at "
              f"position {position + 1}", "remove it: such characters can disguise one text as another")
