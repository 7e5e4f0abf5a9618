"""Malformed, oversized and hostile requests: a 4xx with the error shape, and the server keeps serving."""

from __future__ import annotations

import hashlib
import socket
import time
import uuid

import httpx

from .conftest import Server

VISIT_ID = str(uuid.uuid4())


def assert_error(response: httpx.Response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["message"] and (code is None or error["code"] == code)
    return error


def photo_row(stored_path: str, sha: str) -> dict:
    return {"table": "photos", "id": str(uuid.uuid4()), "base_version": 0, "data": {
        "visit_id": VISIT_ID, "criterion": "", "sha256": sha, "original_name": "x.jpg", "stored_path": stored_path,
        "width": 1, "height": 1, "size_bytes": 1, "caption": "", "taken_at": None,
        "created_at": "2026-11-25T10:00:00", "modified_at": "2026-11-25T10:00:00"}}


def test_malformed_and_mistyped_bodies_are_refused(server: Server) -> None:
    with server.api("nicolas") as api:
        headers = {"Content-Type": "application/json"}
        assert_error(api.post("/sync/push", content=b"{pas du json", headers=headers), 400, "invalid_json")
        assert_error(api.post("/sync/push", json={"rows": "abc"}), 422, "invalid_request")
        assert_error(api.post("/sync/push", json={"rows": [], "surprise": 1}), 422, "invalid_request")
        assert_error(api.get("/sync/changes", params={"since": "hier"}), 422, "invalid_request")
        bad = {"table": "owners", "id": str(uuid.uuid4()), "base_version": 0, "data": {"name": 42}}
        error = assert_error(api.post("/sync/push", json={"rows": [bad]}), 422, "invalid_rows")
        assert any("name" in p for p in error["details"][0]["problems"])
        unknown = {"table": "audit_log", "id": str(uuid.uuid4()), "base_version": 0, "data": {}}
        assert_error(api.post("/sync/push", json={"rows": [unknown]}), 422, "invalid_rows")
        trick = {"table": "owners", "id": "../../etc/passwd", "base_version": 0, "data": {}}
        assert_error(api.post("/sync/push", json={"rows": [trick]}), 422, "invalid_rows")
        sha = "a" * 64
        for path in ("../../../etc/passwd", f"aa/{sha}.sh", f"bb/{sha}.jpg", f"aa/../{sha}.jpg"):
            assert_error(api.post("/sync/push", json={"rows": [photo_row(path, sha)]}), 422, "invalid_rows")
        assert api.get("/health").status_code == 200
    assert server.scalar("SELECT count(*) FROM records WHERE table_name <> 'grids'") == 0


def test_blob_names_must_be_sha256_and_content_must_match(server: Server) -> None:
    data = b"contenu de test"
    sha = hashlib.sha256(data).hexdigest()
    with server.api("julie") as api:
        for name in ("ABC", "0" * 63, "g" * 64, "%2e%2e", "..%2F..%2Fetc%2Fpasswd", sha.upper()):
            response = api.put(f"/blobs/{name}", content=data, headers={"Upload-Length": str(len(data))})
            assert response.status_code in (400, 404), name
            assert "error" in response.json()
        assert_error(api.get("/blobs/..%2F..%2Fserver.sqlite"), 404)
        other = hashlib.sha256(b"autre chose").hexdigest()
        assert_error(api.put(f"/blobs/{other}", content=data, headers={"Upload-Length": str(len(data))}), 422,
                     "digest_mismatch")
        error = assert_error(api.put(f"/blobs/{sha}", content=data[5:], headers={
            "Upload-Offset": "5", "Upload-Length": str(len(data))}), 409, "offset_mismatch")
        assert error["details"] == {"offset": 0}
        ok = api.put(f"/blobs/{sha}", content=data, headers={"Upload-Length": str(len(data))})
        assert ok.status_code == 200 and ok.json()["complete"]
        assert api.post("/blobs/missing", json={"sha256": [sha, other]}).json()["missing"] == [
            {"sha256": other, "offset": 0, "complete": False}]
        assert_error(api.post("/blobs/missing", json={"sha256": ["../x"]}), 400, "invalid_blob_name")
        assert_error(api.get(f"/blobs/{sha}"), 404, "blob_not_found")  # no photo of hers names it
    with httpx.Client(base_url=server.url + "/api/v1") as anonymous:  # no token, no upload
        assert anonymous.put(f"/blobs/{other}", content=b"x").status_code == 401
    assert not (server.blob_dir / other[:2] / other).exists()


def read_answer(sock: socket.socket) -> str:
    """Everything the server sends until it closes the connection (it does, after a 413)."""
    parts = []
    while True:
        try:
            block = sock.recv(65536)
        except OSError:
            break
        if not block:
            break
        parts.append(block)
    return b"".join(parts).decode("utf-8", "replace")


def test_an_oversized_upload_is_refused_without_being_read(server: Server) -> None:
    sha = "0" * 64
    with server.api("julie") as api:
        assert_error(api.put(f"/blobs/{sha}", content=b"x", headers={"Upload-Length": str(200 * 1024 * 1024)}),
                     413, "blob_too_large")
    port = int(server.url.rsplit(":", 1)[1])
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        head = (f"PUT /api/v1/blobs/{sha} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                f"{server.token('julie')}\r\nUpload-Length: {200 * 1024 * 1024}\r\n"
                f"Content-Length: {200 * 1024 * 1024}\r\n\r\n")
        sock.sendall(head.encode() + b"\0" * 65536)  # 200 MB announced, 64 KB sent: the answer comes at once
        answer = read_answer(sock)
    assert answer.startswith("HTTP/1.1 413"), answer[:200]
    assert "payload_too_large" in answer
    assert time.monotonic() - started < 5
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        head = (f"POST /api/v1/sync/push HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                f"Authorization: Bearer {server.token('julie')}\r\nTransfer-Encoding: chunked\r\n\r\n")
        sock.sendall(head.encode())
        chunk = b"[" * (1024 * 1024)
        try:
            for _ in range(20):  # 20 MB of JSON without a length: cut at the 16 MB limit
                sock.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        except OSError:
            pass
        answer = read_answer(sock)
    assert answer.startswith("HTTP/1.1 413"), answer[:200]
    assert httpx.get(f"{server.url}/api/v1/health").status_code == 200
    assert list((server.blob_dir / "partial").iterdir()) == []


def test_openapi_document_and_unknown_paths(server: Server) -> None:
    spec = httpx.get(f"{server.url}/api/v1/openapi.json").json()
    assert {"/api/v1/sync/push", "/api/v1/sync/changes", "/api/v1/blobs/{sha256}", "/api/v1/auth/login"} <= set(
        spec["paths"])
    assert_error(httpx.get(f"{server.url}/api/v1/nulle-part"), 404, "not_found")
    assert_error(httpx.delete(f"{server.url}/api/v1/health"), 405, "method_not_allowed")
