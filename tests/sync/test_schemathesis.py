"""Schemathesis against the live server's OpenAPI document: no generated request, valid or not, is a server error.

One real uvicorn server (embedded SQLite), every operation of `/api/v1/openapi.json`, positive and negative
generation, an administrator's token (a fresh inspector token for `/auth/logout`, which revokes the token it is
called with). Bounded: a few examples per operation and mode, derandomised, no shrinking, and a time budget for the
whole run. Checks: `not_a_server_error`, and that every error answer has the API's error shape.
"""

from __future__ import annotations

import itertools
import time
from pathlib import Path

import pytest
import requests

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis.errors import Unsatisfiable  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402

from inspector.server.accounts import token_for  # noqa: E402

from .conftest import Server  # noqa: E402

MAX_EXAMPLES = 20  # per operation and generation mode
BUDGET_S = 50.0  # whole run; examples past it are not sent
TIMEOUT_S = 10.0  # one request


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """SQLite is enough here: the OpenAPI surface is the same on both databases."""
    return f"sqlite:///{tmp_path / 'server' / 'inspector-server.sqlite'}"


@schemathesis.check
def error_has_the_api_shape(ctx, response, case) -> bool | None:
    """Every 4xx/5xx answer is `{"error": {"code", "message"}}` (the protocol's one error shape)."""
    if response.status_code < 400:
        return None
    try:
        error = response.json()["error"]
        ok = isinstance(error["code"], str) and bool(error["code"]) and isinstance(error["message"], str) \
            and bool(error["message"])
    except (ValueError, KeyError, TypeError):
        ok = False
    if not ok:
        raise AssertionError(f"error answer without the API's error shape: {response.status_code} "
                             f"{response.content[:200]!r}")
    return None


def test_schemathesis_finds_no_server_error(server: Server) -> None:
    schema = schemathesis.openapi.from_url(f"{server.url}/api/v1/openapi.json", timeout=10)
    admin = {"Authorization": f"Bearer {server.token('nicolas')}"}
    devices = itertools.count()
    deadline = time.monotonic() + BUDGET_S
    checks = [not_a_server_error, error_has_the_api_shape]
    sent = 0
    failures: list[str] = []
    operations = []
    for result in schema.get_all_operations():
        operations.append(result.ok())  # raises on an operation the schema cannot describe
    assert {op.label for op in operations} >= {"POST /api/v1/sync/push", "PUT /api/v1/blobs/{sha256}",
                                               "GET /api/v1/sync/changes", "PUT /api/v1/grids"}

    def exercise(operation, mode: GenerationMode) -> None:
        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, derandomize=True,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        def run(case) -> None:
            nonlocal sent
            if time.monotonic() > deadline:
                return
            headers = admin
            if operation.label == "POST /api/v1/auth/logout":  # revokes its own token: never the admin's
                headers = {"Authorization": "Bearer " + token_for(server.sessions, "julie",
                                                                  device=f"schemathesis-{next(devices)}")}
            sent += 1
            case.call_and_validate(base_url=server.url, headers=headers, checks=checks, timeout=TIMEOUT_S)

        try:
            run()
        except Unsatisfiable:
            if mode is GenerationMode.POSITIVE:
                raise
            # no parameter or body can be made invalid (e.g. GET /health): nothing to send in this mode
        except (AssertionError, BaseExceptionGroup, requests.RequestException) as exc:  # every failure, together
            failures.append(f"{operation.label} [{mode.value}]: {exc}")

    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            exercise(operation, mode)

    assert time.monotonic() < deadline + 2 * TIMEOUT_S, "time budget exceeded"
    assert not failures, "\n\n".join(failures)
    assert sent >= len(operations) * 2, f"only {sent} requests sent"
    with server.api() as api:  # and the server keeps serving
        assert api.get("/health").status_code == 200
