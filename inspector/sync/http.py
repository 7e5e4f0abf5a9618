"""The API seen from the laptop: httpx calls whose every failure becomes a SyncError with its category."""

from __future__ import annotations

from typing import Any

import httpx

from .errors import AUTH, CONFLICT, NETWORK, SERVER, SyncError
from .protocol import API_PREFIX

TIMEOUT = httpx.Timeout(30.0, connect=10.0)


def _category(status: int) -> str:
    if status in (401, 403, 429):
        return AUTH
    if status == 409:
        return CONFLICT
    return SERVER


class Api:
    """A connection to one server's /api/v1, with the device token when there is one."""

    def __init__(self, server_url: str, token: str | None = None, *, transport: httpx.BaseTransport | None = None,
                 timeout: httpx.Timeout = TIMEOUT):
        self.server_url = server_url.rstrip("/")
        headers = {"User-Agent": "inspector-sync/1"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.client = httpx.Client(base_url=self.server_url + API_PREFIX, headers=headers, timeout=timeout,
                                   transport=transport)

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Api:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One request; a network failure or an error status raises SyncError (with the server's code)."""
        try:
            response = self.client.request(method, path, **kwargs)
        except httpx.TimeoutException:
            raise SyncError(NETWORK, f"Le serveur {self.server_url} ne répond pas (délai dépassé).") from None
        except httpx.TransportError as exc:
            raise SyncError(NETWORK, f"Serveur {self.server_url} injoignable ({type(exc).__name__}) : vérifiez la "
                                     "connexion et réessayez.") from None
        if response.status_code >= 400:
            raise failure(response)
        return response

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.call(method, path, **kwargs)
        try:
            return response.json()
        except ValueError:
            raise SyncError(SERVER, f"Réponse illisible du serveur pour {path}.", status=response.status_code) \
                from None


def failure(response: httpx.Response) -> SyncError:
    """The SyncError for an error response: category from the status, code and French message from the body."""
    status = response.status_code
    try:
        error = response.json().get("error", {})
        code, message, details = str(error.get("code", "")), str(error.get("message", "")), error.get("details")
    except (ValueError, AttributeError):
        code, message, details = "", "", None
    if not message:
        message = f"Le serveur a répondu {status}."
    if status >= 500:
        message = f"Erreur du serveur ({status}) : {message}"
    return SyncError(_category(status), message, status=status, code=code, details=details)


def login(server_url: str, user: str, password: str, *, device: str = "",
          transport: httpx.BaseTransport | None = None) -> tuple[str, dict[str, Any]]:
    """Sign in and return (device token, account: name, role, person_id)."""
    with Api(server_url, transport=transport) as api:
        body = api.json("POST", "/auth/login", json={"user": user, "password": password, "device": device})
    return body["token"], body["account"]
