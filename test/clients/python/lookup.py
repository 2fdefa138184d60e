"""Looks up instruments through the generated Python stubs (gen/python) and prints JSON lines.

Usage: lookup.py ADDRESS INSTRUMENT_KEY...  (one line per key: the instrument, or the gRPC error)
"""
import json
import sys

import grpc
from google.protobuf.json_format import MessageToDict

from instruments.v1 import instrument_service_pb2, instrument_service_pb2_grpc


def main() -> None:
    address, keys = sys.argv[1], sys.argv[2:]
    with grpc.insecure_channel(address) as channel:
        stub = instrument_service_pb2_grpc.InstrumentServiceStub(channel)
        for key in keys:
            try:
                response = stub.GetInstrument(instrument_service_pb2.GetInstrumentRequest(instrument_key=key), timeout=10)
                print(json.dumps({"instrument": MessageToDict(response.instrument), "revision": response.revision}))
            except grpc.RpcError as error:
                print(json.dumps({"code": error.code().name, "details": error.details()}))


if __name__ == "__main__":
    main()
