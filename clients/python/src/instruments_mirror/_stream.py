"""The WatchChanges loop behind a Mirror: which request to send, and what each error means
(hand-written, not generated)."""
from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from typing import Protocol

import grpc
from instruments.v1 import instrument_service_pb2 as pb
from instruments.v1 import instrument_service_pb2_grpc as pb_grpc
from instruments.v1.instrument_pb2 import InstrumentDefinition

from ._backoff import Backoff

log = logging.getLogger("instruments_mirror")

#: Codes that retrying cannot fix: the mirror stops and surfaces them instead of spinning.
FATAL_CODES = frozenset({
    grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.PERMISSION_DENIED,
    grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.UNIMPLEMENTED,
})


class _Call(Protocol):
    """What the stub's WatchChanges returns: the responses, and a way to end them early."""

    def __iter__(self) -> Iterator[pb.WatchChangesResponse]: ...

    def cancel(self) -> bool: ...


class Sink(Protocol):
    def _resume_revision(self) -> int | None:
        """The revision to resume after, or None when only a snapshot will do."""

    def _receive(self, response: pb.WatchChangesResponse, pages: list[InstrumentDefinition]) -> None:
        """Applies one message; `pages` collects the snapshot pages of the current stream."""

    def _relist(self) -> None:
        """The server refused to resume: the next stream must take a snapshot."""

    def _fail(self, error: grpc.RpcError) -> None:
        """A fatal error: the loop has stopped."""


class WatchLoop:
    """Keeps one WatchChanges stream open on a background thread until closed or a fatal error.

    A broken stream is reopened after an exponential backoff with jitter, resuming after the
    sink's revision, so a reconnect costs the missed changes, not a new snapshot; OUT_OF_RANGE
    (the server cannot resume from there) is answered at once with a snapshot.
    """

    def __init__(self, stub: pb_grpc.InstrumentServiceStub, instrument_filter: pb.InstrumentFilter | None,
                 metadata: Sequence[tuple[str, str]], backoff: Backoff, sink: Sink) -> None:
        self._stub, self._filter, self._metadata = stub, instrument_filter, tuple(metadata) or None
        self._backoff, self._sink = backoff, sink
        self._closed = threading.Event()
        self._lock = threading.Lock()
        self._call: _Call | None = None
        self._thread = threading.Thread(target=self._run, name="instruments-mirror", daemon=True)
        self.resumes = 0  # streams opened with start_revision (written by the loop thread only)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    def start(self) -> None:
        if not self._thread.is_alive() and not self._closed.is_set():
            self._thread.start()

    def close(self) -> None:
        self._closed.set()
        with self._lock:
            call = self._call
        if call is not None:
            call.cancel()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join()

    def _open(self) -> _Call:
        revision = self._sink._resume_revision()
        if revision is None:
            request = pb.WatchChangesRequest(filter=self._filter, send_initial_snapshot=True)
        else:
            request = pb.WatchChangesRequest(filter=self._filter, start_revision=revision)
            self.resumes += 1
        call: _Call = self._stub.WatchChanges(request, metadata=self._metadata)
        with self._lock:
            self._call = call
        if self._closed.is_set():  # close() ran before the call was stored
            call.cancel()
        return call

    def _run(self) -> None:
        attempt = 0
        while not self._closed.is_set():
            pages: list[InstrumentDefinition] = []
            try:
                for response in self._open():
                    attempt = 0
                    self._sink._receive(response, pages)
                log.warning("WatchChanges ended without a status; reconnecting")
            except grpc.RpcError as error:
                if self._closed.is_set():
                    return
                code = error.code()
                if code in FATAL_CODES:
                    log.error("mirror stopped: %s: %s", code.name, error.details())
                    self._sink._fail(error)
                    return
                if code == grpc.StatusCode.OUT_OF_RANGE:
                    # Too old for the server's history, or ahead of it (a failover to a replica
                    # behind us): only a fresh snapshot makes the state right again.
                    log.warning("resume refused, re-listing: %s", error.details())
                    self._sink._relist()
                    continue
                log.info("WatchChanges failed with %s; reconnecting", code.name)
            except Exception:  # a bug of ours: the state may be half-applied, so start afresh
                log.exception("mirror stream failed; re-listing")
                self._sink._relist()
            self._closed.wait(self._backoff.delay(attempt))
            attempt += 1
