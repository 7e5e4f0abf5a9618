"""Request and response bodies of the API (pydantic): what the OpenAPI document publishes."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

MAX_PUSH_ROWS = 500
MAX_BLOB_QUERY = 1000


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoginRequest(Strict):
    user: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=1000)
    device: str = Field(default="", max_length=100, description="nom de l'appareil (affiché à l'administrateur)")


class AccountOut(BaseModel):
    name: str
    role: str
    person_id: str


class LoginResponse(BaseModel):
    token: str
    expires_at: dt.datetime
    account: AccountOut


class Limits(BaseModel):
    max_push_rows: int
    max_json_bytes: int
    max_blob_bytes: int


class MeResponse(BaseModel):
    account: AccountOut
    device: str
    expires_at: dt.datetime
    limits: Limits


class Health(BaseModel):
    status: Literal["ok"]
    api: int
    server_seq: int


class PushRow(Strict):
    table: str = Field(max_length=40)
    id: str = Field(max_length=36)
    base_version: int = Field(ge=0, description="version du serveur à la base de la modification (0 : nouvelle)")
    data: dict[str, Any]
    resolves_conflict: str | None = Field(
        default=None, max_length=36,
        description="conflit que cette modification résout (id rendu par un envoi précédent) : fermé si elle est "
                    "acceptée, remplacé par un nouveau conflit si la ligne a encore changé sur le serveur")
    resolution: Literal["client", "merge"] = Field(
        default="client", description="avec resolves_conflict : version du poste gardée (client) ou fusion "
                                      "champ par champ (merge)")


class PushDeletion(Strict):
    table: str = Field(max_length=40)
    id: str = Field(max_length=36)


class PushRequest(Strict):
    device_id: str = Field(default="", max_length=100)
    rows: list[PushRow] = Field(default_factory=list, max_length=MAX_PUSH_ROWS)
    deletions: list[PushDeletion] = Field(default_factory=list, max_length=MAX_PUSH_ROWS)


class FieldDiff(BaseModel):
    field: str
    server: Any
    client: Any


class RowResult(BaseModel):
    table: str
    id: str
    status: Literal["created", "updated", "unchanged", "conflict", "rejected", "deleted", "absent"]
    version: int = Field(description="version courante sur le serveur")
    conflict_id: str | None = None
    fields: list[FieldDiff] = Field(default_factory=list)
    message: str = ""


class PushResponse(BaseModel):
    results: list[RowResult]
    deletions: list[RowResult]
    server_seq: int


class Change(BaseModel):
    table: str
    id: str
    version: int
    seq: int
    deleted: bool
    data: dict[str, Any]


class ChangesResponse(BaseModel):
    changes: list[Change]
    next: int = Field(description="valeur de « since » pour la page suivante")
    more: bool
    server_seq: int


class CountsResponse(BaseModel):
    tables: dict[str, int]
    server_seq: int


class BlobQuery(Strict):
    sha256: list[str] = Field(max_length=MAX_BLOB_QUERY)


class BlobState(BaseModel):
    sha256: str
    offset: int = Field(description="octets déjà reçus (reprise de l'envoi à partir de là)")
    complete: bool


class MissingBlobs(BaseModel):
    missing: list[BlobState]


class ConflictOut(BaseModel):
    id: str
    table: str
    row_id: str
    base_version: int
    server_version: int
    fields: list[FieldDiff]
    account: str
    device: str
    created_at: dt.datetime
    status: str = Field(description="open | resolved")
    resolution: str = Field(default="", description="client | merge | server | superseded (vide si ouvert)")
    resolved_at: dt.datetime | None = None
    resolved_by: str | None = Field(default=None, description="compte qui a résolu le conflit")
    resolved_device: str | None = None
    superseded_by: str | None = Field(default=None, description="conflit né de la résolution (superseded)")


class ResolveRequest(Strict):
    choice: Literal["server"] = Field(description="garder la version du serveur (la version du poste ou une fusion "
                                                  "s'envoient par /sync/push avec resolves_conflict)")
    device_id: str = Field(default="", max_length=100)


class GridOut(BaseModel):
    id: str
    grid_id: str
    version: str
    sha256: str
    created: bool
