"""instruments_mirror.Mirror against the real server: it equals ListInstruments(view=LIVE) at the
same revision after a sync, after real listing changes, after a forced disconnect (resumed, not
re-listed) and after a failover to a server behind it (OUT_OF_RANGE, re-listed)."""
from __future__ import annotations

import threading
from collections.abc import Iterator

import grpc
import pytest
from instruments.v1 import instrument_service_pb2 as pb
from instruments.v1 import instrument_service_pb2_grpc as pb_grpc
from instruments_mirror import Backoff, Mirror, MirrorBatch

from raw_fixtures import switch_keys
from support import E2EServer, assert_mirror_equals_server, wait_until
from tcp_proxy import TcpProxy

FAST = Backoff(initial_seconds=0.05, max_seconds=0.5)


@pytest.fixture
def batches() -> list[MirrorBatch]:
    return []


@pytest.fixture
def mirror(channel: grpc.Channel, batches: list[MirrorBatch]) -> Iterator[Mirror]:
    with Mirror(channel, on_change=batches.append, backoff=FAST) as m:
        assert m.wait_synced(timeout=30)
        yield m


def test_mirror_equals_the_server_after_sync(mirror: Mirror, stub: pb_grpc.InstrumentServiceStub,
                                             batches: list[MirrorBatch]) -> None:
    revision = assert_mirror_equals_server(mirror, stub)
    assert mirror.synced and mirror.snapshot_count == 1 and mirror.resume_count == 0
    assert [(b.revision, b.snapshot, b.changes) for b in batches] == [(revision, True, ())]
    assert mirror.staleness >= 0
    btc = mirror.by_raw("BINANCE-FUTURES", "BTCUSDT")
    assert btc is not None and btc.instrument_key == "BINANCE-FUTURES:PERPETUAL:BTC/USDT:USDT"
    tick, btc.tick_size = btc.tick_size, "mutated by a caller"
    assert mirror.get(btc.instrument_key).tick_size == tick != "", "lookups hand out copies"


def test_mirror_follows_real_listing_changes(server: E2EServer, mirror: Mirror, stub: pb_grpc.InstrumentServiceStub,
                                            batches: list[MirrorBatch]) -> None:
    added, removed = switch_keys("newer", "older")
    revision = server.use("older")
    assert assert_mirror_equals_server(mirror, stub) == revision
    change_batches = [b for b in batches if not b.snapshot]
    assert [b.revision for b in change_batches] == [revision]
    assert {c.instrument_key for c in change_batches[0].changes if c.change_type == pb.CHANGE_TYPE_ADDED} == added
    assert all(mirror.get(k) is None for k in removed) and all(mirror.get(k) is not None for k in added)
    assert mirror.by_raw("BINANCE-FUTURES", "AVAUSDT") is None, "a removed instrument leaves the indexes"

    assert assert_mirror_equals_server(mirror, stub) == revision  # still equal, nothing changed
    revision = server.use("newer")
    assert assert_mirror_equals_server(mirror, stub) == revision
    assert mirror.snapshot_count == 1


def test_filtered_mirror_drops_instruments_that_stop_matching(server: E2EServer, channel: grpc.Channel,
                                                              stub: pb_grpc.InstrumentServiceStub) -> None:
    # The server also sends a change whose instrument matched only *before* it (a halt seen by
    # an active-only watcher); the mirror must then drop it to stay equal to the filtered list.
    only = pb.InstrumentFilter(ccxt_exchanges=["binanceusdm"], active=True)
    with Mirror(channel, instrument_filter=only, backoff=FAST) as mirror:
        assert mirror.wait_synced(timeout=30)
        assert_mirror_equals_server(mirror, stub, instrument_filter=only)
        for recording in ("older", "newer"):
            server.use(recording)
            assert_mirror_equals_server(mirror, stub, instrument_filter=only)
        assert {d.ccxt_exchange for d in mirror.all()} == {"binanceusdm"}


def test_mirror_resumes_after_a_disconnect_without_relisting(server: E2EServer, mirror: Mirror,
                                                             stub: pb_grpc.InstrumentServiceStub) -> None:
    before = assert_mirror_equals_server(mirror, stub)
    assert server.disconnect() >= 1
    revision = server.toggle()
    assert revision > before
    assert assert_mirror_equals_server(mirror, stub) == revision
    assert (mirror.snapshot_count, mirror.resume_count) == (1, 1)


def test_mirror_relists_when_failing_over_to_a_server_behind_it(server: E2EServer, stub: pb_grpc.InstrumentServiceStub) -> None:
    server.use("older")
    ahead = server.use("newer")
    proxy = TcpProxy(server.address)
    try:
        with Mirror.connect(proxy.address, backoff=FAST) as mirror, E2EServer.start(recording="older") as behind:
            assert mirror.wait_revision(ahead, timeout=30)
            with grpc.insecure_channel(behind.address) as channel:
                behind_stub = pb_grpc.InstrumentServiceStub(channel)
                assert behind.revision() < ahead
                proxy.switch(behind.address)  # resuming after `ahead` there is OUT_OF_RANGE
                wait_until(lambda: mirror.snapshot_count == 2, 30, "a re-list from the server behind")
                assert assert_mirror_equals_server(mirror, behind_stub) == behind.revision()
                assert mirror.get("BINANCE-FUTURES:PERPETUAL:EOS/USDT:USDT") is not None  # only in "older"
    finally:
        proxy.close()


def test_a_throwing_callback_does_not_break_the_mirror(server: E2EServer, channel: grpc.Channel,
                                                      stub: pb_grpc.InstrumentServiceStub) -> None:
    seen: list[int] = []

    def on_change(batch: MirrorBatch) -> None:
        seen.append(batch.revision)
        raise RuntimeError("a consumer's bug")

    with Mirror(channel, on_change=on_change, backoff=FAST) as mirror:
        assert mirror.wait_synced(timeout=30)
        first, second = server.toggle(), server.toggle()
        assert assert_mirror_equals_server(mirror, stub) == second
        assert seen[-2:] == [first, second] and mirror.running and mirror.error is None


def test_invalid_filter_stops_the_mirror_with_the_servers_error(channel: grpc.Channel) -> None:
    with Mirror(channel, instrument_filter=pb.InstrumentFilter(venues=["NOWHERE"]), backoff=FAST) as mirror:
        with pytest.raises(grpc.RpcError) as caught:
            mirror.wait_synced(timeout=30)
        assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert '"NOWHERE", not served here' in caught.value.details()
        wait_until(lambda: not mirror.running, 10, "the stream thread to stop")
        assert mirror.error is caught.value and not mirror.synced


class _Refusing(pb_grpc.InstrumentServiceServicer):
    """A server that refuses every watch as a server with authentication would refuse a bad token."""

    def __init__(self) -> None:
        self.calls: list[dict[str, str]] = []
        self.lock = threading.Lock()

    def WatchChanges(self, request: pb.WatchChangesRequest, context: grpc.ServicerContext) -> Iterator[pb.WatchChangesResponse]:
        with self.lock:
            self.calls.append(dict(context.invocation_metadata()))
        context.abort(grpc.StatusCode.UNAUTHENTICATED, "token not accepted")
        yield from ()


def test_unauthenticated_stops_the_mirror_after_one_attempt() -> None:
    from concurrent.futures import ThreadPoolExecutor

    refusing = _Refusing()
    grpc_server = grpc.server(ThreadPoolExecutor(max_workers=2))
    pb_grpc.add_InstrumentServiceServicer_to_server(refusing, grpc_server)
    port = grpc_server.add_insecure_port("127.0.0.1:0")
    grpc_server.start()
    try:
        metadata = [("authorization", "Bearer wrong-token")]
        with Mirror.connect(f"127.0.0.1:{port}", metadata=metadata, backoff=FAST) as mirror:
            with pytest.raises(grpc.RpcError) as caught:
                mirror.wait_synced(timeout=30)
            assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED
            wait_until(lambda: not mirror.running, 10, "the stream thread to stop")
        assert len(refusing.calls) == 1, "no retry on UNAUTHENTICATED"
        assert refusing.calls[0]["authorization"] == "Bearer wrong-token"
    finally:
        grpc_server.stop(None)
