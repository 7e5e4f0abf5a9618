"""Sign-in, device tokens and roles: 401 and 429 where due, nothing changed by refused calls."""

from __future__ import annotations

import datetime as dt

import httpx

from inspector.server.accounts import revoke, token_for

from .conftest import PASSWORD, Server


def login(server: Server, user: str, password: str) -> httpx.Response:
    return httpx.post(f"{server.url}/api/v1/auth/login", json={"user": user, "password": password, "device": "pc"})


def test_login_gives_a_token_that_identifies_the_account(server: Server) -> None:
    response = login(server, "julie", PASSWORD)
    assert response.status_code == 200
    body = response.json()
    assert body["account"] == {"name": "julie", "role": "inspector", "person_id": server.people["julie"]}
    me = httpx.get(f"{server.url}/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200 and me.json()["device"] == "pc"


def test_wrong_password_is_401_and_repeated_failures_are_rate_limited(server: Server) -> None:
    wrong = login(server, "thomas", "pas-le-bon-mot-de-passe")
    assert wrong.status_code == 401
    assert wrong.json()["error"]["code"] == "invalid_credentials"
    assert "incorrect" in wrong.json()["error"]["message"]
    for _ in range(4):
        assert login(server, "thomas", "encore-faux-1234").status_code == 401
    limited = login(server, "thomas", PASSWORD)  # even the right password waits: five failures this minute
    assert limited.status_code == 429
    assert limited.headers["retry-after"] == "60"
    assert limited.json()["error"]["code"] == "too_many_attempts"
    assert login(server, "julie", PASSWORD).status_code == 200  # another user is not affected


def test_revoked_and_expired_tokens_are_refused(server: Server) -> None:
    token = server.token("sophie")
    headers = {"Authorization": f"Bearer {token}"}
    assert httpx.get(f"{server.url}/api/v1/me", headers=headers).status_code == 200
    assert revoke(server.sessions, name="sophie") == 1
    refused = httpx.get(f"{server.url}/api/v1/me", headers=headers)
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "token_revoked"
    assert login(server, "sophie", PASSWORD).status_code == 401  # the account is disabled too

    expired = token_for(server.sessions, "julie", ttl=dt.timedelta(seconds=-1))
    answer = httpx.get(f"{server.url}/api/v1/sync/changes", headers={"Authorization": f"Bearer {expired}"})
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "token_expired"


def test_missing_or_unknown_token_is_401_with_the_error_shape(server: Server) -> None:
    for headers in ({}, {"Authorization": "Bearer inconnu"}, {"Authorization": "Basic abc"}):
        response = httpx.get(f"{server.url}/api/v1/sync/counts", headers=headers)
        assert response.status_code == 401
        assert set(response.json()["error"]) >= {"code", "message"}


def test_device_token_revocation_keeps_other_devices(server: Server) -> None:
    first = login(server, "julie", PASSWORD).json()["token"]
    other = httpx.post(f"{server.url}/api/v1/auth/login",
                       json={"user": "julie", "password": PASSWORD, "device": "tablette"}).json()["token"]
    assert revoke(server.sessions, name="julie", device="tablette") == 1
    assert httpx.get(f"{server.url}/api/v1/me", headers={"Authorization": f"Bearer {other}"}).status_code == 401
    assert httpx.get(f"{server.url}/api/v1/me", headers={"Authorization": f"Bearer {first}"}).status_code == 200
