"""Every API error has the same shape: HTTP status + {"error": {"code", "message", "details"?}}, in French."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("inspector.server")

_GENERIC = {
    400: ("bad_request", "Requête invalide."),
    401: ("unauthorized", "Authentification requise : connectez-vous."),
    403: ("forbidden", "Action non autorisée pour votre rôle."),
    404: ("not_found", "Adresse inconnue de l'API."),
    405: ("method_not_allowed", "Méthode HTTP non acceptée à cette adresse."),
    413: ("payload_too_large", "Envoi trop volumineux."),
    415: ("unsupported_media_type", "Type de contenu non accepté."),
    429: ("too_many_requests", "Trop de tentatives : réessayez dans une minute."),
}


class ApiError(Exception):
    """A refusal the client can act on: a stable machine code, a French message, optional details."""

    def __init__(self, status: int, code: str, message: str, details: Any = None,
                 headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.details, self.headers = status, code, message, details, headers


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        error["details"] = details
    return {"error": error}


def error_response(status: int, code: str, message: str, details: Any = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(error_body(code, message, details), status_code=status, headers=headers)


def _field_path(loc: Any) -> str:
    return ".".join(str(p) for p in loc if p not in ("body",)) or "requête"


def install_error_handlers(app: FastAPI) -> None:
    """Map FastAPI/Starlette errors and unexpected exceptions to the one error shape."""

    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message, exc.details, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        details = [{"field": _field_path(e.get("loc", ())), "problem": e.get("msg", "")} for e in exc.errors()]
        json_error = any(e.get("type") == "json_invalid" for e in exc.errors())
        if json_error:
            return error_response(400, "invalid_json", "Le corps de la requête n'est pas du JSON valide.", details)
        return error_response(422, "invalid_request", "Requête mal formée : champs manquants ou de mauvais type.",
                              details)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code, message = _GENERIC.get(exc.status_code, ("http_error", "Erreur de la requête."))
        return error_response(exc.status_code, code, message, headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected server error", exc_info=exc)
        return error_response(500, "server_error", "Erreur interne du serveur : l'administrateur peut consulter "
                                                   "le journal du serveur.")
