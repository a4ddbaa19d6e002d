"""Load a manifest's YAML with the safe loader, and less: no aliases, no tags, no duplicate keys.

Aliases are refused while composing — before anything is expanded — so a "billion laughs"
document costs a few events, not gigabytes. Explicit tags (`!!python/object`, `!!binary`, `!foo`)
are refused because a manifest only ever needs plain strings, numbers, lists and mappings.
Every node's line is kept, so a problem can name the line of cmspack.yaml to edit.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.events import AliasEvent, MappingStartEvent, ScalarEvent, SequenceStartEvent
from yaml.nodes import MappingNode, Node, SequenceNode


class ManifestYAMLError(ValueError):
    """The YAML could not be read; carries a 1-based line where known."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


MAX_DEPTH = 20  # a manifest nests three levels; deep nesting would only exhaust the stack


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses aliases, explicit tags and deep nesting while composing."""

    depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node:  # type: ignore[override]
        self.depth += 1
        try:
            return self._compose_checked(parent, index)
        finally:
            self.depth -= 1

    def _compose_checked(self, parent: Node | None, index: Any) -> Node:
        event = self.peek_event()
        if self.depth > MAX_DEPTH:
            raise ManifestYAMLError(
                f"cmspack.yaml nests more than {MAX_DEPTH} levels deep; a manifest needs three",
                event.start_mark.line + 1,
            )
        line = event.start_mark.line + 1
        if isinstance(event, AliasEvent):
            raise ManifestYAMLError(
                "YAML aliases (*name) are not allowed in cmspack.yaml; write the value out", line
            )
        # A plain or quoted scalar carries no tag; "!" is the non-specific tag of quoted text.
        tagged = isinstance(event, ScalarEvent | SequenceStartEvent | MappingStartEvent)
        if tagged and event.tag and event.tag != "!":
            raise ManifestYAMLError(
                f"YAML tags ({event.tag}) are not allowed in cmspack.yaml; remove the tag", line
            )
        return super().compose_node(parent, index)


def _check_duplicates(node: Node) -> None:
    """Refuse a mapping that names a key twice (PyYAML would silently keep the last)."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, MappingNode):
            seen: set[str] = set()
            for key, value in current.value:
                k = str(key.value)
                if k in seen:
                    raise ManifestYAMLError(
                        f"'{k}' appears twice in the same section; keep one",
                        key.start_mark.line + 1,
                    )
                seen.add(k)
                stack.append(value)
        elif isinstance(current, SequenceNode):
            stack.extend(current.value)


def _line_map(node: Node, path: str, out: dict[str, int]) -> None:
    """Record the line of every field path ("maintainers[0].email") in out."""
    out[path] = node.start_mark.line + 1
    if isinstance(node, MappingNode):
        for key, value in node.value:
            child = f"{path}.{key.value}" if path else str(key.value)
            out[child] = key.start_mark.line + 1
            _line_map(value, child, out)
            out[child] = key.start_mark.line + 1
    elif isinstance(node, SequenceNode):
        for i, item in enumerate(node.value):
            _line_map(item, f"{path}[{i}]", out)


def load_strict(text: str) -> tuple[Any, dict[str, int]]:
    """Parse text; return the data and a map from field path to line number."""
    loader = _StrictLoader(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            where = mark.line + 1 if mark else None
            raise ManifestYAMLError(
                f"cmspack.yaml is not valid YAML: {exc.problem or exc}", where
            ) from None
        except yaml.YAMLError as exc:
            raise ManifestYAMLError(f"cmspack.yaml is not valid YAML: {exc}") from None
        if node is None:
            return None, {}
        _check_duplicates(node)
        lines: dict[str, int] = {}
        _line_map(node, "", lines)
        try:
            data = loader.construct_document(node)
        except yaml.YAMLError as exc:
            raise ManifestYAMLError(f"cmspack.yaml could not be read: {exc}") from None
        return data, lines
    finally:
        loader.dispose()
