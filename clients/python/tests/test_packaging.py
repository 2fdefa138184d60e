"""The suite runs on the installed distributions (`pip install ./gen/python ./clients/python`,
editable in .venv), not on a PYTHONPATH; a missing install step fails here first."""
from __future__ import annotations

import importlib.metadata as metadata
import json
from pathlib import Path

import instruments.v1.instrument_service_pb2_grpc
import instruments_mirror

from raw_fixtures import REPO_ROOT


def installed_from(distribution: str) -> Path:
    direct_url = json.loads(metadata.distribution(distribution).read_text("direct_url.json") or "{}")
    assert direct_url.get("url", "").startswith("file://"), f"{distribution} is not installed from this checkout"
    return Path(direct_url["url"].removeprefix("file://"))


def test_generated_client_is_the_installed_gen_python() -> None:
    assert installed_from("live-instruments-client") == REPO_ROOT / "gen" / "python"
    assert Path(instruments.v1.instrument_service_pb2_grpc.__file__).is_relative_to(REPO_ROOT / "gen" / "python")


def test_mirror_is_the_installed_clients_python_and_needs_the_client() -> None:
    assert installed_from("live-instruments-mirror") == REPO_ROOT / "clients" / "python"
    assert Path(instruments_mirror.__file__).is_relative_to(REPO_ROOT / "clients" / "python" / "src")
    requires = metadata.requires("live-instruments-mirror") or []
    assert any(r.startswith("live-instruments-client") for r in requires)
