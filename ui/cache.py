"""Caches of our own for results every session shares: bounded, thread-safe, out of visitors' reach.

Streamlit's st.cache_resource / st.cache_data caches can be emptied by any websocket client
(the `clear_cache` message; hiding the menu item does not stop it), and they keep a lock for
every key they have ever seen, including inputs that failed: 200,000 distinct invalid formulas
added 45 MiB that was never freed. These caches are plain LRU caches (cachetools) that

- hold at most `max_entries` results *and* at most `max_bytes` of them (`footprint`), the least
  recently used going first; a result larger than the whole budget is returned, not kept;
- keep nothing for a call that raises, not even a lock: a key is "pending" only while it is
  being computed;
- compute each key once when several sessions miss it together (the others wait for it);
- are reached by no Streamlit message.

    @shared(max_entries=128, max_bytes=24 * MiB)
    def sampled(text: str, lo: float, hi: float) -> Curve: ...

The results must not change once returned (frozen records, read-only arrays, strings): every
session gets the same object.
"""

from __future__ import annotations

import sys
import threading
import types
from collections.abc import Callable
from types import MappingProxyType

import cachetools
import numpy as np

__all__ = ["CACHES", "MiB", "SharedCache", "footprint", "shared"]

MiB = 1 << 20

# Objects whose size we count but whose insides we do not walk: code, classes, modules.
_OPAQUE = (type, types.ModuleType, types.FunctionType, types.BuiltinFunctionType, types.MethodType, np.ufunc)


def footprint(value: object) -> int:
    """About how many bytes `value` holds: sys.getsizeof over everything it refers to (tuples,
    lists, dicts, dataclass and NamedTuple fields, objects' attributes), each object once, an
    array's buffer included. Functions, classes and modules it names count as their header only."""
    seen: set[int] = set()
    stack = [value]
    total = 0
    while stack:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        total += sys.getsizeof(obj)  # an ndarray that owns its data counts its buffer here
        if isinstance(obj, (str, bytes, int, float, complex, bool, type(None), *_OPAQUE)):
            continue
        if isinstance(obj, np.ndarray):
            if obj.base is not None:
                stack.append(obj.base)  # a view: the memory is its base's
        elif isinstance(obj, (dict, MappingProxyType)):
            stack.extend(obj.keys())
            stack.extend(obj.values())
        elif isinstance(obj, (tuple, list, set, frozenset)):
            stack.extend(obj)
        else:
            stack.extend(getattr(obj, "__dict__", {}).values())
            for cls in type(obj).__mro__:
                for name in getattr(cls, "__slots__", ()):
                    if isinstance(name, str) and hasattr(obj, name):
                        stack.append(getattr(obj, name))
    return total


class SharedCache(cachetools.LRUCache):
    """An LRU cache bounded in entries and in bytes (by `footprint`)."""

    def __init__(self, max_entries: int, max_bytes: int):
        super().__init__(maxsize=max_bytes, getsizeof=footprint)
        self.max_entries = max_entries

    def __setitem__(self, key, value) -> None:
        super().__setitem__(key, value)  # evicts by bytes; ValueError when larger than the budget
        while len(self) > self.max_entries:
            self.popitem()


CACHES: dict[str, Callable] = {}  # every shared cache by function name: for tests, benchmarks and stats


def shared(*, max_entries: int, max_bytes: int) -> Callable[[Callable], Callable]:
    """Cache a function's results for all sessions (see the module docstring). Arguments must be
    hashable; the wrapped function gains `cache_info()` and `cache_clear()` (for tests)."""

    def decorate(function: Callable) -> Callable:
        condition = threading.Condition()  # one lock per cache: a slow miss holds up no other cache
        cached = cachetools.cached(SharedCache(max_entries, max_bytes), condition=condition, info=True)(function)
        CACHES[function.__qualname__] = cached
        return cached

    return decorate
