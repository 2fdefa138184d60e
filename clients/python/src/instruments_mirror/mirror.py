"""A local, always-current copy of the service's instruments (hand-written, not generated).

Order paths must not make a network call per lookup, nor poll ListInstruments. The mirror takes
one WatchChanges snapshot, then applies every change batch as it happens, so lookups are
in-process dictionary reads that equal ListInstruments(view=LIVE) at `revision`.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from datetime import timezone

import grpc
from instruments.v1 import instrument_service_pb2 as pb
from instruments.v1 import instrument_service_pb2_grpc as pb_grpc
from instruments.v1.instrument_pb2 import InstrumentDefinition

from ._backoff import Backoff
from ._state import MirrorBatch, State, compile_filter, copy_definition
from ._stream import WatchLoop

log = logging.getLogger("instruments_mirror")


class Mirror:
    """The instruments matching a filter, in memory, kept current by WatchChanges.

    A background thread runs the stream (see `_stream.WatchLoop`): reconnects resume after the
    last revision, OUT_OF_RANGE re-lists, and errors retrying cannot fix (`FATAL_CODES`) stop the
    mirror; `wait_synced`/`wait_revision` then raise that `grpc.RpcError`. Lookups keep answering
    from the last state whatever the stream does; `staleness` says how old it may be.
    """

    def __init__(self, channel: grpc.Channel, *, instrument_filter: pb.InstrumentFilter | None = None,
                 metadata: Sequence[tuple[str, str]] = (), on_change: Callable[[MirrorBatch], None] | None = None,
                 backoff: Backoff | None = None, start: bool = True) -> None:
        """`metadata` goes with every call, e.g. `[("authorization", "Bearer TOKEN")]`."""
        self._on_change = on_change
        self._changed = threading.Condition(threading.Lock())
        self._state = State(compile_filter(instrument_filter))
        self._revision, self._synced, self._needs_snapshot, self._snapshots = 0, False, True, 0
        self._error: grpc.RpcError | None = None
        self._last_message = time.monotonic()
        self._channel: grpc.Channel | None = None  # set by connect(): closed with the mirror
        self._loop = WatchLoop(pb_grpc.InstrumentServiceStub(channel), instrument_filter, metadata,
                               backoff or Backoff(), self)
        if start:
            self.start()

    @classmethod
    def connect(cls, target: str, credentials: grpc.ChannelCredentials | None = None, **kwargs: object) -> Mirror:
        """A mirror on a channel of its own to `target` (TLS when `credentials` are given)."""
        channel = grpc.secure_channel(target, credentials) if credentials else grpc.insecure_channel(target)
        mirror = cls(channel, **kwargs)  # type: ignore[arg-type]
        mirror._channel = channel
        return mirror

    # -- lookups: O(1) under the lock; copies are made outside it --------------------------
    def get(self, instrument_key: str) -> InstrumentDefinition | None:
        with self._changed:
            return copy_definition(self._state.by_key.get(instrument_key))

    def by_ccxt(self, ccxt_exchange: str, ccxt_symbol: str) -> InstrumentDefinition | None:
        return self._via(self._state.by_ccxt, (ccxt_exchange, ccxt_symbol))

    def by_raw(self, venue: str, exchange_raw_symbol: str) -> InstrumentDefinition | None:
        return self._via(self._state.by_raw, (venue, exchange_raw_symbol))

    def _via(self, index: dict[tuple[str, str], str], name: tuple[str, str]) -> InstrumentDefinition | None:
        with self._changed:
            key = index.get(name)
            found = self._state.by_key.get(key) if key is not None else None
        return copy_definition(found)

    def all(self) -> list[InstrumentDefinition]:
        """Every mirrored definition, ordered by instrument_key like ListInstruments."""
        with self._changed:
            items = list(self._state.by_key.items())
        return [copy_definition(d) for _, d in sorted(items, key=lambda item: item[0])]  # type: ignore[misc]

    def __len__(self) -> int:
        with self._changed:
            return len(self._state.by_key)

    @property
    def revision(self) -> int:
        """The server revision the mirrored state equals (0 before the first sync)."""
        with self._changed:
            return self._revision

    @property
    def synced(self) -> bool:
        """True once a snapshot has been applied; stays true across reconnects."""
        with self._changed:
            return self._synced

    @property
    def staleness(self) -> float:
        """Seconds since the server last sent anything (changes or progress); grows while cut off."""
        with self._changed:
            return time.monotonic() - self._last_message

    @property
    def snapshot_count(self) -> int:
        """Snapshots applied: 1 after the first sync, one more per re-list (a resume adds none)."""
        with self._changed:
            return self._snapshots

    @property
    def resume_count(self) -> int:
        """Streams reopened after a revision (reconnects that cost no snapshot)."""
        return self._loop.resumes

    @property
    def running(self) -> bool:
        """Whether the stream thread runs: False after close() or a fatal error (see `error`)."""
        return self._loop.running

    @property
    def error(self) -> grpc.RpcError | None:
        """The error the mirror stopped on, if any."""
        with self._changed:
            return self._error

    def wait_synced(self, timeout: float | None = None) -> bool:
        """Waits for the first snapshot; False on timeout. Raises the error the mirror stopped on."""
        return self._wait(lambda: self._synced, timeout)

    def wait_revision(self, revision: int, timeout: float | None = None) -> bool:
        """Waits until the mirror is synced at `revision` or later; False on timeout; raises like wait_synced."""
        return self._wait(lambda: self._synced and self._revision >= revision, timeout)

    def _wait(self, done: Callable[[], bool], timeout: float | None) -> bool:
        with self._changed:
            self._changed.wait_for(lambda: done() or self._error is not None or self._loop.closed, timeout)
            if self._error is not None:
                raise self._error
            return done()

    # -- lifecycle ------------------------------------------------------------------------
    def start(self) -> None:
        self._loop.start()

    def close(self) -> None:
        """Stops the stream and its thread; lookups keep answering from the last state."""
        self._loop.close()
        with self._changed:
            self._changed.notify_all()
        if self._channel is not None:
            self._channel.close()

    def __enter__(self) -> Mirror:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- the WatchLoop's sink -------------------------------------------------------------
    def _resume_revision(self) -> int | None:
        with self._changed:
            return None if self._needs_snapshot else self._revision

    def _relist(self) -> None:
        with self._changed:
            self._needs_snapshot = True

    def _fail(self, error: grpc.RpcError) -> None:
        with self._changed:
            self._error = error
            self._changed.notify_all()

    def _receive(self, response: pb.WatchChangesResponse, pages: list[InstrumentDefinition]) -> None:
        event = response.WhichOneof("event")
        batch: MirrorBatch | None = None
        with self._changed:
            self._last_message = time.monotonic()
            if event == "snapshot":
                pages.extend(response.snapshot.instruments)
            elif event == "snapshot_end":
                self._state.replace(pages)  # lookups saw the old state until this very moment
                pages.clear()
                self._synced, self._needs_snapshot = True, False
                self._snapshots += 1
                batch = MirrorBatch(response.revision, (), snapshot=True)
            elif event == "changes":
                self._state.apply(response.changes.changes)
                batch = MirrorBatch(response.revision, tuple(response.changes.changes), snapshot=False,
                                    applied_time=response.changes.applied_time.ToDatetime(timezone.utc))
            if not self._needs_snapshot:  # a pending snapshot's revision is not the state's yet
                self._revision = response.revision
            self._changed.notify_all()
        if batch is not None and self._on_change is not None:
            try:
                self._on_change(batch)
            except Exception:  # a consumer's bug must not stop the mirror
                log.exception("on_change failed for revision %d", batch.revision)
