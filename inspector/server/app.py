"""The FastAPI application: `create_app(database_url, blob_dir)` wires the database, blob store, limits and routes."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..sync.protocol import API_PREFIX
from .accounts import TOKEN_TTL
from .blobs import BlobStore
from .db import open_server_database
from .errors import error_body, install_error_handlers
from .grids import seed_bundled
from .routes import router

MAX_JSON_BYTES = 16 * 1024 * 1024
MAX_BLOB_BYTES = 64 * 1024 * 1024
_BLOB_PUT = re.compile(rf"^{API_PREFIX}/blobs/[^/]+$")


class _TooLarge(Exception):
    pass


class BodyLimit:
    """Refuse bodies over the limit with 413: at once when Content-Length says so, else as soon as it is passed.

    Uploads of files have their own (larger) limit; nothing is read into memory beyond what the limit allows.
    """

    def __init__(self, app: ASGIApp, max_json: int, max_blob: int):
        self.app, self.max_json, self.max_blob = app, max_json, max_blob

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        is_blob = scope["method"] == "PUT" and _BLOB_PUT.match(scope["path"])
        limit = self.max_blob if is_blob else self.max_json
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None:
            try:
                too_big = int(declared) > limit
            except ValueError:
                await _send_error(send, 400, "bad_request", "En-tête Content-Length invalide.")
                return
            if too_big:
                await _send_error(send, 413, "payload_too_large",
                                  f"Envoi trop volumineux (maximum {limit // (1024 * 1024)} Mo).")
                return
        seen = 0
        started = exceeded = False
        message_413 = f"Envoi trop volumineux (maximum {limit // (1024 * 1024)} Mo)."

        async def counting_receive() -> Message:
            nonlocal seen, exceeded
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    exceeded = True
                    raise _TooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded:  # whatever the app made of the interrupted body (FastAPI says 400), the answer is 413
                if not started:
                    started = True
                    await _send_error(send, 413, "payload_too_large", message_413)
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except _TooLarge:
            pass
        if exceeded and not started:
            await _send_error(send, 413, "payload_too_large", message_413)


async def _send_error(send: Send, status: int, code: str, message: str) -> None:
    body = json.dumps(error_body(code, message), ensure_ascii=False).encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


def create_app(database_url: str, blob_dir: Path, *, token_ttl: dt.timedelta = TOKEN_TTL,
               max_json_bytes: int = MAX_JSON_BYTES, max_blob_bytes: int = MAX_BLOB_BYTES) -> FastAPI:
    """The agency server: migrates the database, publishes the bundled grids, serves /api/v1."""
    engine, sessions = open_server_database(database_url)
    blobs = BlobStore(Path(blob_dir), max_blob_bytes)
    seed_bundled(sessions, blobs)
    app = FastAPI(title="Inspector — serveur de l'agence", version="1.0.0",
                  description="Synchronisation des postes d'inspection (hors ligne d'abord). Toute erreur : statut "
                              "HTTP + {\"error\": {\"code\", \"message\"}}.",
                  openapi_url=f"{API_PREFIX}/openapi.json", docs_url=f"{API_PREFIX}/docs", redoc_url=None)
    state: Any = app.state
    state.engine, state.sessions, state.blobs = engine, sessions, blobs
    state.token_ttl, state.max_json_bytes = token_ttl, max_json_bytes
    install_error_handlers(app)
    app.include_router(router, prefix=API_PREFIX)
    app.add_middleware(BodyLimit, max_json=max_json_bytes, max_blob=max_blob_bytes)
    return app
