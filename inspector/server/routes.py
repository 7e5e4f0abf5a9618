"""The API endpoints (/api/v1): health, login, me, push, changes, rows, counts, blobs, conflicts, grids."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import FileResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from ..sync.protocol import PROTOCOL_VERSION
from . import accounts, grids
from .access import may_push, may_upload, readable
from .accounts import Principal
from .blobs import BlobStore, check_name
from .errors import ApiError
from .models import Blob, Conflict, LoginFailure, Record, utcnow
from .pull import changes_since, current_seq, row_of, visible_counts
from .push import account_names, apply_push, conflict_out, resolve_keeping_server
from .schemas import (
    MAX_PUSH_ROWS,
    AccountOut,
    BlobQuery,
    BlobState,
    Change,
    ChangesResponse,
    ConflictOut,
    CountsResponse,
    GridOut,
    Health,
    Limits,
    LoginRequest,
    LoginResponse,
    MeResponse,
    MissingBlobs,
    PushRequest,
    PushResponse,
    ResolveRequest,
)

LOGIN_WINDOW = dt.timedelta(minutes=1)
LOGIN_MAX_FAILURES = 5
_bearer = HTTPBearer(auto_error=False, description="jeton d'appareil obtenu par /api/v1/auth/login")
router = APIRouter()


def sessions_of(request: Request) -> sessionmaker[Session]:
    return request.app.state.sessions


def store_of(request: Request) -> BlobStore:
    return request.app.state.blobs


def principal(request: Request,
              creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> Principal:
    """The caller of a valid, unrevoked, unexpired bearer token (401 otherwise)."""
    challenge = {"WWW-Authenticate": "Bearer"}
    if creds is None or creds.scheme.lower() != "bearer" or not creds.credentials:
        raise ApiError(401, "unauthorized", "Authentification requise : connectez-vous.", headers=challenge)
    found = accounts.principal_for(sessions_of(request), creds.credentials[:200])
    if isinstance(found, str):
        code = "token_expired" if "expiré" in found else "token_revoked" if "révoqué" in found else "unauthorized"
        raise ApiError(401, code, found, headers=challenge)
    return found


def writer(caller: Annotated[Principal, Depends(principal)]) -> Principal:
    if not may_push(caller):
        raise ApiError(403, "forbidden", "Votre rôle permet la consultation seulement : aucun envoi possible.")
    return caller


def uploader(caller: Annotated[Principal, Depends(principal)]) -> Principal:
    if not may_upload(caller):
        raise ApiError(403, "forbidden", "Votre rôle n'envoie pas de fichiers (photos, PDF).")
    return caller


def admin(caller: Annotated[Principal, Depends(principal)]) -> Principal:
    if caller.role != "admin":
        raise ApiError(403, "forbidden", "Réservé aux administrateurs.")
    return caller


Caller = Annotated[Principal, Depends(principal)]
Writer = Annotated[Principal, Depends(writer)]
Uploader = Annotated[Principal, Depends(uploader)]
Admin = Annotated[Principal, Depends(admin)]


@router.get("/health", response_model=Health, tags=["serveur"])
def health(request: Request) -> Health:
    """Is the server up and its database reachable?"""
    try:
        with sessions_of(request)() as s:
            top = current_seq(s)
    except Exception as exc:
        raise ApiError(503, "database_unavailable", "Base de données du serveur injoignable.") from exc
    return Health(status="ok", api=PROTOCOL_VERSION, server_seq=top)


def _too_many(s: Session, key: str) -> bool:
    since = utcnow() - LOGIN_WINDOW
    return (s.scalar(select(func.count()).select_from(LoginFailure)
                     .where(LoginFailure.key == key, LoginFailure.at > since)) or 0) >= LOGIN_MAX_FAILURES


@router.post("/auth/login", response_model=LoginResponse, tags=["authentification"],
             responses={401: {"description": "identifiants refusés"}, 429: {"description": "trop de tentatives"}})
def login(body: LoginRequest, request: Request) -> LoginResponse:
    """Exchange a name and password for a device token (5 failures per minute and address → 429)."""
    sessions = sessions_of(request)
    key = f"{body.user.strip().casefold()}|{request.client.host if request.client else '?'}"
    with sessions() as s:
        if _too_many(s, key):
            raise ApiError(429, "too_many_attempts", "Trop de tentatives de connexion : réessayez dans une minute.",
                           headers={"Retry-After": "60"})
    account = accounts.check_password(sessions, body.user.strip(), body.password)
    if account is None:
        with sessions() as s:
            s.execute(delete(LoginFailure).where(LoginFailure.at < utcnow() - dt.timedelta(hours=1)))
            s.add(LoginFailure(key=key))
            s.commit()
        raise ApiError(401, "invalid_credentials", "Nom d'utilisateur ou mot de passe incorrect.")
    token, expires = accounts.issue_token(sessions, account, device=body.device or "appareil",
                                          ttl=request.app.state.token_ttl)
    return LoginResponse(token=token, expires_at=expires,
                         account=AccountOut(name=account.name, role=account.role, person_id=account.person_id))


@router.post("/auth/logout", status_code=204, tags=["authentification"])
def logout(caller: Caller, request: Request) -> None:
    """Revoke the token used for this call."""
    from .models import DeviceToken

    with sessions_of(request)() as s:
        tok = s.get(DeviceToken, caller.token_id)
        if tok is not None and tok.revoked_at is None:
            tok.revoked_at = utcnow()
            s.commit()


@router.get("/me", response_model=MeResponse, tags=["authentification"])
def me(caller: Caller, request: Request) -> MeResponse:
    """Who the token belongs to, and the limits the client must respect."""
    state = request.app.state
    return MeResponse(account=AccountOut(name=caller.name, role=caller.role, person_id=caller.person_id),
                      device=caller.device, expires_at=caller.expires_at,
                      limits=Limits(max_push_rows=MAX_PUSH_ROWS, max_json_bytes=state.max_json_bytes,
                                    max_blob_bytes=state.blobs.max_bytes))


@router.post("/sync/push", response_model=PushResponse, tags=["synchronisation"],
             responses={403: {"description": "lignes hors de vos droits : rien n'est enregistré"},
                        422: {"description": "lignes invalides : rien n'est enregistré"}})
def push(body: PushRequest, caller: Writer, request: Request) -> PushResponse:
    """Send rows (with the version they were based on) and deletions; one transaction, results per row."""
    return apply_push(sessions_of(request), caller, body)


@router.get("/sync/changes", response_model=ChangesResponse, tags=["synchronisation"])
def changes(caller: Caller, request: Request, since: Annotated[int, Query(ge=0)] = 0,
            limit: Annotated[int, Query(ge=1, le=2000)] = 500) -> ChangesResponse:
    """The rows you may read that changed after server sequence `since`, oldest first."""
    return changes_since(sessions_of(request), caller, since, limit)


@router.get("/sync/rows/{table}/{row_id}", response_model=Change, tags=["synchronisation"],
            responses={404: {"description": "row_not_found : ligne inconnue ou hors de vos droits"}})
def row(table: str, row_id: str, caller: Caller, request: Request) -> Change:
    """The server's current version of one row you may read (after taking the server's side of a conflict)."""
    return row_of(sessions_of(request), caller, table, row_id)


@router.get("/sync/counts", response_model=CountsResponse, tags=["synchronisation"])
def counts(caller: Caller, request: Request) -> CountsResponse:
    """How many rows of each table you may read (compared by the client after a sync)."""
    return visible_counts(sessions_of(request), caller)


@router.get("/conflicts", response_model=list[ConflictOut], tags=["synchronisation"])
def list_conflicts(caller: Caller, request: Request,
                   status: Annotated[str, Query(pattern="^(open|resolved|all)$")] = "open") -> list[ConflictOut]:
    """Stored conflicts, field by field (your own; all of them for administrators)."""
    with sessions_of(request)() as s:
        query = select(Conflict)
        if status != "all":
            query = query.where(Conflict.status == status)
        if caller.role != "admin":
            query = query.where(Conflict.account_id == caller.account_id)
        found = list(s.scalars(query.order_by(Conflict.created_at).limit(1000)))
        names = account_names(s, found)
    return [conflict_out(c, names) for c in found]


@router.post("/conflicts/{conflict_id}/resolve", response_model=ConflictOut, tags=["synchronisation"],
             responses={403: {"description": "forbidden : ligne hors de vos droits (ou rôle en lecture seule)"},
                        404: {"description": "conflict_not_found : conflit inconnu du serveur"}})
def resolve_conflict(conflict_id: str, body: ResolveRequest, caller: Writer, request: Request) -> ConflictOut:
    """Close a conflict keeping the server's version (the row is unchanged; the laptop takes the server's).

    Keeping the laptop's version or a field-by-field merge is an edit: it goes through `/sync/push` with
    `resolves_conflict`. A conflict already closed is returned as it stands.
    """
    return resolve_keeping_server(sessions_of(request), caller, conflict_id, body.device_id)


@router.post("/blobs/missing", response_model=MissingBlobs, tags=["fichiers"])
def missing_blobs(body: BlobQuery, caller: Uploader, request: Request) -> MissingBlobs:
    """Which of these files the server still lacks, with the bytes already received of each."""
    wanted = sorted({check_name(sha) for sha in body.sha256})
    store = store_of(request)
    with sessions_of(request)() as s:
        present = set(s.scalars(select(Blob.sha256).where(Blob.sha256.in_(wanted)))) if wanted else set()
    return MissingBlobs(missing=[BlobState(sha256=sha, offset=store.offset(sha), complete=False)
                                 for sha in wanted if sha not in present])


@router.get("/blobs/{sha256}/upload", response_model=BlobState, tags=["fichiers"])
def upload_state(sha256: str, caller: Uploader, request: Request) -> BlobState:
    """Where an interrupted upload resumes."""
    store = store_of(request)
    check_name(sha256)
    done = store.has(sha256)
    return BlobState(sha256=sha256, offset=0 if done else store.offset(sha256), complete=done)


def _record_blob(sessions: sessionmaker[Session], sha256: str, size: int, account_id: str) -> None:
    with sessions() as s:
        dialect = s.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        s.execute(insert(Blob).values(sha256=sha256, size=size, stored_at=utcnow(), uploaded_by=account_id)
                  .on_conflict_do_nothing(index_elements=["sha256"]))
        s.commit()


@router.put("/blobs/{sha256}", response_model=BlobState, tags=["fichiers"],
            openapi_extra={"requestBody": {"content": {"application/octet-stream": {"schema": {
                "type": "string", "format": "binary"}}}, "required": True}})
async def upload(sha256: str, caller: Uploader, request: Request,
                 upload_offset: Annotated[int, Header(ge=0)] = 0,
                 upload_length: Annotated[int, Header(ge=1)] = 1) -> BlobState:
    """Send the bytes of a file from `Upload-Offset` (total size `Upload-Length`); verified by SHA-256 at the end."""
    check_name(sha256)
    store = store_of(request)
    received, complete = await store.receive(request, sha256, upload_offset, upload_length)
    if complete:
        await anyio.to_thread.run_sync(_record_blob, sessions_of(request), sha256, upload_length, caller.account_id)
    return BlobState(sha256=sha256, offset=received, complete=complete)


@router.get("/blobs/{sha256}", response_class=FileResponse, tags=["fichiers"],
            responses={200: {"content": {"application/octet-stream": {}}}})
def download(sha256: str, caller: Caller, request: Request) -> Any:
    """The bytes of a file named by a photo, document, commission sitting (its procès-verbal) or grid you may read."""
    check_name(sha256)
    store = store_of(request)
    with sessions_of(request)() as s:
        allowed = caller.role == "admin" or s.scalar(
            select(Record.row_id).where(Record.sha256 == sha256, Record.deleted.is_(False), readable(caller))
            .limit(1)) is not None
    if not allowed or not store.has(sha256):
        raise ApiError(404, "blob_not_found", "Fichier inconnu du serveur ou hors de vos droits.")
    return FileResponse(store.path(sha256), media_type="application/octet-stream")


@router.put("/grids", response_model=GridOut, tags=["grilles"],
            openapi_extra={"requestBody": {"content": {"application/json": {"schema": {"type": "object"}}},
                                           "required": True}})
async def publish_grid(caller: Admin, request: Request) -> GridOut:
    """Publish a grid file (administrators): a new version reaches every laptop; old versions stay."""
    data = await request.body()
    return await anyio.to_thread.run_sync(grids.publish, sessions_of(request), store_of(request), data,
                                          caller.account_id)
