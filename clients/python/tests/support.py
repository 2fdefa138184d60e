"""Test support: the e2e server process, full listings, and polling with deadlines."""
from __future__ import annotations

import json
import os
import queue
import subprocess
import threading
import time
from collections.abc import Callable
from typing import Any

from instruments.v1 import instrument_service_pb2 as pb
from instruments.v1 import instrument_service_pb2_grpc as pb_grpc
from instruments.v1.instrument_pb2 import InstrumentDefinition
from instruments_mirror import Mirror

from raw_fixtures import REPO_ROOT

SERVER_SCRIPT = REPO_ROOT / "test" / "support" / "e2e-server.mjs"
LIVE = pb.SOURCE_VIEW_LIVE


class E2EServer:
    """test/support/e2e-server.mjs: binanceusdm (two real recordings) and dydx, driven by stdin."""

    def __init__(self, process: subprocess.Popen[str], recording: str) -> None:
        self._process = process
        self.recording = recording
        self._events: queue.Queue[dict[str, Any] | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        ready = self._next("ready", timeout=120)
        self.address: str = ready["address"]
        self.initial_revision: int = ready["revision"]

    @classmethod
    def start(cls, recording: str = "newer") -> E2EServer:
        env = {**os.environ, "E2E_RECORDING": recording}
        process = subprocess.Popen(["node", str(SERVER_SCRIPT)], cwd=REPO_ROOT, env=env, text=True,
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        try:
            return cls(process, recording)
        except BaseException:
            process.kill()
            process.wait()
            raise

    def _read(self) -> None:
        assert self._process.stdout is not None
        for line in self._process.stdout:
            self._events.put(json.loads(line))
        self._events.put(None)  # EOF: the process is gone

    def _next(self, event: str, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            try:
                message = self._events.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise TimeoutError(f"e2e server: no {event!r} event within {timeout} s") from None
            if message is None:
                raise RuntimeError(f"e2e server exited (code {self._process.wait()}) before {event!r}")
            if message.get("event") == event:
                return message
            if message.get("event") == "error":
                raise RuntimeError(f"e2e server: {message}")

    def command(self, line: str, event: str, timeout: float = 60) -> dict[str, Any]:
        assert self._process.stdin is not None
        self._process.stdin.write(line + "\n")
        self._process.stdin.flush()
        return self._next(event, timeout)

    def use(self, recording: str) -> int:
        """Switches binanceusdm's recording; returns the revision once the refresh is applied."""
        revision = int(self.command(f"use {recording}", "used")["revision"])
        self.recording = recording
        return revision

    def toggle(self) -> int:
        """Switches to the other recording: a real change, whatever the recording was."""
        return self.use("older" if self.recording == "newer" else "newer")

    def disconnect(self) -> int:
        """Ends every open WatchChanges with UNAVAILABLE; returns how many there were."""
        return int(self.command("disconnect", "disconnected")["watchers"])

    def revision(self) -> int:
        return int(self.command("revision", "revision")["revision"])

    def stop(self) -> None:
        if self._process.stdin is not None and not self._process.stdin.closed:
            self._process.stdin.close()  # EOF stops the server
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()

    def __enter__(self) -> E2EServer:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def list_all(stub: pb_grpc.InstrumentServiceStub, *, instrument_filter: pb.InstrumentFilter | None = None,
             view: pb.SourceView = LIVE, page_size: int = 50) -> tuple[list[InstrumentDefinition], set[int], int]:
    """Every page of ListInstruments: (definitions, the revisions pages were read at, page count)."""
    definitions: list[InstrumentDefinition] = []
    revisions: set[int] = set()
    token, pages = "", 0
    while True:
        page = stub.ListInstruments(pb.ListInstrumentsRequest(filter=instrument_filter, view=view, page_size=page_size,
                                                              page_token=token), timeout=10)
        definitions.extend(page.instruments)
        revisions.add(page.revision)
        pages += 1
        token = page.next_page_token
        if not token:
            return definitions, revisions, pages


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.02)


def serialized(definitions: list[InstrumentDefinition]) -> dict[str, bytes]:
    return {d.instrument_key: d.SerializeToString(deterministic=True) for d in definitions}


def assert_mirror_equals_server(mirror: Mirror, stub: pb_grpc.InstrumentServiceStub, *,
                                instrument_filter: pb.InstrumentFilter | None = None, timeout: float = 30) -> int:
    """Waits until the mirror is at the revision of a consistent full listing, then compares the
    two definition by definition (and the mirror's secondary indexes); returns that revision."""
    deadline = time.monotonic() + timeout
    while True:
        listed, revisions, _ = list_all(stub, instrument_filter=instrument_filter)
        remaining = deadline - time.monotonic()
        if len(revisions) == 1 and remaining > 0:
            (revision,) = revisions
            mirror.wait_revision(revision, timeout=remaining)
            before, mine, after = mirror.revision, mirror.all(), mirror.revision
            if before == after == revision:
                break
        if remaining <= 0:
            raise AssertionError(f"mirror at {mirror.revision} never matched a listing at one revision ({revisions})")
    theirs, ours = serialized(listed), serialized(mine)
    assert len(listed) == len(theirs), "ListInstruments returned a key twice"
    differing = sorted(k for k in theirs.keys() & ours.keys() if theirs[k] != ours[k])
    assert (sorted(theirs.keys() - ours.keys()), sorted(ours.keys() - theirs.keys()), differing) == ([], [], []), \
        f"mirror != ListInstruments at revision {revision}: (missing, extra, differing)"
    for d in mine:
        assert mirror.by_ccxt(d.ccxt_exchange, d.ccxt_symbol) == d
        assert mirror.by_raw(d.venue, d.exchange_raw_symbol) == d
    assert len(mirror) == len(mine)
    return revision
