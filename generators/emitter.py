"""The base of every rule emitter: one method per node class of the rule AST, checked at import.

A target (Python, SQL) subclasses `Emitter` and defines `_literal`, `_name`, `_unary`, ... one per node
class of `product_specs.rules.ast`. A node class without its method makes the subclass fail when it is
defined, so a new rule construct breaks the import of every target that does not handle it yet, never a
product manager's decision at run time.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from product_specs.rules import CheckedExpr
from product_specs.rules.ast import Node

__all__ = ["Emitter", "node_classes"]

T = TypeVar("T")


def node_classes() -> tuple[type[Node], ...]:
    """Every concrete node class of the rule AST."""
    found, todo = [], list(Node.__subclasses__())
    while todo:
        cls = todo.pop(0)
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return tuple(found)


def _method_name(cls: type[Node]) -> str:
    return "_" + cls.__name__.lower()


class Emitter(Generic[T]):
    """Turn a checked rule into target code of type T, dispatching on each node's class."""

    _dispatch: dict[type[Node], str] = {}

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        missing = [c.__name__ for c in node_classes() if not callable(getattr(cls, _method_name(c), None))]
        if missing:
            raise TypeError(f"{cls.__name__} cannot emit {', '.join(missing)}: add "
                            + ", ".join(_method_name(c) for c in node_classes() if c.__name__ in missing))
        cls._dispatch = {c: _method_name(c) for c in node_classes()}

    def __init__(self, checked: CheckedExpr, names: dict[str, T]):
        self.checked = checked
        self.names = names

    def emit(self, node: Node | None = None) -> T:
        node = self.checked.node if node is None else node
        return getattr(self, self._dispatch[type(node)])(node)

    def _nullable(self, *nodes: Node) -> bool:
        return any(self.checked.info(n).nullable for n in nodes)
