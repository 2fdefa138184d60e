"""The mirrored instruments, their lookup indexes, and the batches applied to them
(hand-written, not generated).

Not thread-safe by itself: `Mirror` guards every call with its lock. A stored message is the
state's own copy and is never mutated (a change replaces it), so a reader may copy it outside the
lock.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from instruments.v1.instrument_pb2 import InstrumentDefinition
from instruments.v1.instrument_service_pb2 import (
    CHANGE_TYPE_REMOVED,
    InstrumentChange,
    InstrumentFilter,
)

Predicate = Callable[[InstrumentDefinition], bool]


@dataclass(frozen=True)
class MirrorBatch:
    """What `on_change` receives, once the mirror has applied it."""

    revision: int
    #: The server's changes (ADDED/UPDATED/REMOVED); empty when `snapshot` is true.
    changes: tuple[InstrumentChange, ...]
    #: The whole state was replaced (first sync, or a re-list after OUT_OF_RANGE): anything
    #: derived from the mirror should be rebuilt from `Mirror.all()`.
    snapshot: bool
    applied_time: datetime | None = None


def copy_definition(d: InstrumentDefinition | None) -> InstrumentDefinition | None:
    """Readers get copies: a caller mutating a result must not change the mirror."""
    if d is None:
        return None
    out = InstrumentDefinition()
    out.CopyFrom(d)
    return out


def compile_filter(f: InstrumentFilter | None) -> Predicate:
    """The server's filter semantics (src/domain/instrument-filter.ts), evaluated locally.

    The server sends a change when the instrument matches the filter before *or* after it (so a
    watcher of `active: true` sees a halt). The mirror must then drop an instrument that no longer
    matches, or it would drift from ListInstruments with the same filter.
    """
    if f is None:
        return lambda _d: True
    venues, exchanges, keys = set(f.venues), set(f.ccxt_exchanges), set(f.instrument_keys)
    types = set(f.instrument_types)
    bases = {a.upper() for a in f.base_assets}
    quotes = {a.upper() for a in f.quote_assets}
    settles = {a.upper() for a in f.settle_assets}
    active = f.active if f.HasField("active") else None

    def matches(d: InstrumentDefinition) -> bool:
        return (
            (not venues or d.venue in venues)
            and (not exchanges or d.ccxt_exchange in exchanges)
            and (not types or d.instrument_type in types)
            and (not bases or d.base_asset.upper() in bases)
            and (not quotes or d.quote_asset.upper() in quotes)
            and (not settles or d.settle_asset.upper() in settles)
            and (not keys or d.instrument_key in keys)
            and (active is None or d.active == active)
        )

    return matches


class State:
    """Definitions by instrument_key plus O(1) secondary indexes onto the key."""

    def __init__(self, matches: Predicate) -> None:
        self._matches = matches
        self.by_key: dict[str, InstrumentDefinition] = {}
        self.by_ccxt: dict[tuple[str, str], str] = {}
        self.by_raw: dict[tuple[str, str], str] = {}

    def replace(self, definitions: Iterable[InstrumentDefinition]) -> None:
        """Swaps in a complete snapshot: nothing of the previous state survives. The dictionaries
        are cleared, never rebound, so a reference to one stays the state's."""
        for index in (self.by_key, self.by_ccxt, self.by_raw):
            index.clear()
        for d in definitions:
            self._put(d)

    def apply(self, changes: Iterable[InstrumentChange]) -> None:
        """Applies one change batch: REMOVED deletes, ADDED/UPDATED put (if still matching)."""
        for change in changes:
            if change.change_type == CHANGE_TYPE_REMOVED or not self._matches(change.instrument):
                self._delete(change.instrument_key)
            else:
                self._put(change.instrument)

    def _put(self, d: InstrumentDefinition) -> None:
        # An update may move the secondary names of a key; drop the old index entries first.
        self._delete(d.instrument_key)
        own = InstrumentDefinition()
        own.CopyFrom(d)  # not the stream's message, which on_change also hands out
        self.by_key[d.instrument_key] = own
        self.by_ccxt[(d.ccxt_exchange, d.ccxt_symbol)] = d.instrument_key
        self.by_raw[(d.venue, d.exchange_raw_symbol)] = d.instrument_key

    def _delete(self, key: str) -> None:
        old = self.by_key.pop(key, None)
        if old is None:
            return
        # Only drop index entries that still point at this key.
        for index, name in ((self.by_ccxt, (old.ccxt_exchange, old.ccxt_symbol)),
                            (self.by_raw, (old.venue, old.exchange_raw_symbol))):
            if index.get(name) == key:
                del index[name]
