"""An LRU cache of complete small answers, keyed by snapshot key + request.

Safe because a snapshot never changes: its key is part of every cache key (and of the ETag),
so a reload makes old entries unreachable. Answers of volatile queries (NOW(), RAND()…) and
large or streamed answers are never cached.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class CachedAnswer:
    body: bytes
    content_type: str
    etag: str | None


class ResponseCache:
    def __init__(self, max_bytes: int, max_entry_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.max_entry_bytes = max_entry_bytes
        self._entries: OrderedDict[Any, CachedAnswer] = OrderedDict()
        self._size = 0
        self.hits = 0
        self.misses = 0

    def get(self, key: Any) -> CachedAnswer | None:
        entry = self._entries.get(key)
        if entry is None:
            self.misses += 1
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return entry

    def put(self, key: Any, answer: CachedAnswer) -> None:
        size = len(answer.body)
        if not self.max_bytes or size > self.max_entry_bytes or key in self._entries:
            return
        self._entries[key] = answer
        self._size += size
        while self._size > self.max_bytes and self._entries:
            _, old = self._entries.popitem(last=False)
            self._size -= len(old.body)

    def clear(self) -> None:
        self._entries.clear()
        self._size = 0

    def __len__(self) -> int:
        return len(self._entries)
