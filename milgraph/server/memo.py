"""Computed answers kept per snapshot: the analysis and view endpoints' server-side memo.

HTTP caching (ETag, 304) saves the transfer; this saves the computation, which for a large
nation (the USA provides ~24k training exchanges) takes seconds. Keys start with the snapshot's
key, so a reload never serves a stale answer.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any


class Memo:
    """A small LRU of computed answers, keyed by snapshot key and request, bounded by count
    and by bytes (a large nation's indicators are megabytes). Shared by the event loop and the
    threads that run sync routes, hence the lock."""

    def __init__(self, size: int = 256, max_bytes: int = 64 * 2**20) -> None:
        self.size = size
        self.max_bytes = max_bytes
        self.bytes = 0
        self.items: OrderedDict[tuple[Any, ...], bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> bytes | None:
        with self._lock:
            value = self.items.get(key)
            if value is not None:
                self.items.move_to_end(key)
            return value

    def put(self, key: tuple[Any, ...], value: bytes) -> None:
        if len(value) > self.max_bytes // 4:
            return
        with self._lock:
            old = self.items.pop(key, None)
            if old is not None:
                self.bytes -= len(old)
            self.items[key] = value
            self.bytes += len(value)
            while len(self.items) > self.size or self.bytes > self.max_bytes:
                self.bytes -= len(self.items.popitem(last=False)[1])
