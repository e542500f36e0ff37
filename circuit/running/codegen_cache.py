"""Faster Brian2 code generation: each model variable's cache key computed once.

Brian2 caches the results of parsing and code analysis (`brian2.utils.caching.cached`)
under a key built by `_hashable`, which walks every argument recursively; for a
`Variable` it walks all of its attributes. Code generation calls the cached functions
with the whole namespace of a group (hundreds of variables here), about 5,000 times for
the behaving circuit, so building these keys was about half of the ~10 s that Brian2
spent generating the default network (benchmarks/results.md, "Time breakdown").

`install` wraps `_hashable` so that the key of an object that defines one (Brian2's
`CacheKey` objects: variables, functions, equations) is computed once per object and
then reused. The keys are the same as Brian2's, so the cached results are too. A reused
key is checked against the object it was made for (a weak reference), so an object
created at a freed one's address never takes its key; `forget` empties the memo (the
runner calls it before each generation, so that nothing changed between builds can be
served from an older key).
"""

from __future__ import annotations

import weakref

from brian2.utils import caching

_brian_hashable = caching._hashable
_memo: dict = {}


def _memoised_hashable(obj):
    """Brian2's `_hashable`, computed once per object that has a `_state_tuple`."""
    if not hasattr(obj, "_state_tuple"):
        return _brian_hashable(obj)
    known = _memo.get(id(obj))
    if known is not None and known[0]() is obj:
        return known[1]
    key = _brian_hashable(obj)  # recursion comes back here for nested objects
    try:
        _memo[id(obj)] = (weakref.ref(obj), key)
    except TypeError:  # an object that takes no weak reference is not memoised
        pass
    return key


def install() -> None:
    """Make Brian2's cache keys use the memo (idempotent)."""
    caching._hashable = _memoised_hashable


def forget() -> None:
    """Drop every memoised key."""
    _memo.clear()
