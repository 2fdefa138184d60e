"""Fixtures: the real service (test/support/e2e-server.mjs) and a channel to it."""
from __future__ import annotations

from collections.abc import Iterator

import grpc
import pytest
from instruments.v1 import instrument_service_pb2_grpc as pb_grpc

from support import E2EServer


@pytest.fixture(scope="module")
def server() -> Iterator[E2EServer]:
    """One server per test module, so a module's recording switches never leak into another's."""
    with E2EServer.start() as started:
        yield started


@pytest.fixture(scope="module")
def channel(server: E2EServer) -> Iterator[grpc.Channel]:
    with grpc.insecure_channel(server.address) as ch:
        yield ch


@pytest.fixture(scope="module")
def stub(channel: grpc.Channel) -> pb_grpc.InstrumentServiceStub:
    return pb_grpc.InstrumentServiceStub(channel)
