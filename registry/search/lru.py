"""A small least-recently-used cache bounded by a cost (entries, postings) rather than count."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class LRU(Generic[V]):
    """Least-recently-used mapping that evicts when the summed cost exceeds a budget."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self._items: OrderedDict[Hashable, tuple[V, int]] = OrderedDict()
        self._cost = 0

    def get(self, key: Hashable) -> V | None:
        """Return the value for key (marking it recently used), or None."""
        item = self._items.get(key)
        if item is None:
            return None
        self._items.move_to_end(key)
        return item[0]

    def put(self, key: Hashable, value: V, cost: int = 1) -> V:
        """Store value under key and return it, evicting the least recently used as needed."""
        old = self._items.pop(key, None)
        if old is not None:
            self._cost -= old[1]
        self._items[key] = (value, cost)
        self._cost += cost
        while self._cost > self.budget and len(self._items) > 1:
            _, (_, c) = self._items.popitem(last=False)
            self._cost -= c
        return value

    def __len__(self) -> int:
        return len(self._items)
