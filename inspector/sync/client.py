"""`sync(db, server_url, token)`: back up, send files then rows, receive changes, compare counts; say what happened."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from ..db.database import Database, backup_file
from ..grids.registry import GridNotFound, add_grid_dir, find_grid
from ..grids.validate import GridError
from . import files, local, protocol, state
from .errors import LOCAL, SyncError
from .http import Api

BATCH = 200
ATOMIC_PULL_ROWS = 20_000  # pages applied together (one transaction) up to this many rows
PAGE = 1000
KEEP_BACKUPS = 10
Progress = Callable[[str, int, int], None]


@dataclass
class SyncReport:
    """What one sync did, for the status line, the CLI and the tests."""

    server: str
    account: str = ""
    role: str = ""
    backup_path: Path | None = None
    pushed: int = 0
    unchanged: int = 0
    deletions_sent: int = 0
    refused: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    resolved: list[dict[str, Any]] = field(default_factory=list)  # conflict resolutions the server took
    files_uploaded: int = 0
    bytes_uploaded: int = 0
    pulled: int = 0
    pulled_deleted: int = 0
    files_downloaded: int = 0
    grids_received: int = 0
    server_seq: int = 0
    counts: dict[str, tuple[int, int]] = field(default_factory=dict)  # table -> (laptop, server), mismatches only
    warnings: list[str] = field(default_factory=list)
    resumed: bool = False
    seconds: float = 0.0

    @property
    def counts_match(self) -> bool:
        return not self.counts

    def summary(self) -> str:
        """A few French lines: sent, received, conflicts, what was left out and why."""
        lines = [f"Synchronisation avec {self.server} ({self.account}, {self.role}) en {self.seconds:.1f} s.",
                 f"Envoyé : {self.pushed} ligne(s) ({self.unchanged} déjà à jour), {self.deletions_sent} "
                 f"suppression(s), {self.files_uploaded} fichier(s).",
                 f"Reçu : {self.pulled} ligne(s), {self.pulled_deleted} suppression(s), {self.files_downloaded} "
                 f"fichier(s), {self.grids_received} grille(s)."]
        if self.resumed:
            lines.append("Un envoi précédent avait été interrompu : il a été repris.")
        if self.resolved:
            lines.append(f"Conflits résolus : {len(self.resolved)} (choix transmis au serveur).")
        if self.conflicts:
            lines.append(f"Conflits : {len(self.conflicts)} (à examiner champ par champ ; rien n'a été écrasé).")
        if self.refused:
            lines.append(f"Non envoyé, hors de vos droits : {len(self.refused)} ligne(s).")
        if self.rejected:
            lines.append(f"Refusé par le serveur : {len(self.rejected)} ligne(s).")
        for table, (mine, theirs) in sorted(self.counts.items()):
            lines.append(f"Écart de comptage « {table} » : {mine} sur ce poste, {theirs} sur le serveur.")
        lines += self.warnings
        return "\n".join(lines)


def _progress(progress: Progress | None, phase: str, done: int, total: int) -> None:
    if progress is not None:
        progress(phase, done, total)


def _backup(db: Database) -> Path:
    """A consistent copy before the sync writes anything; only the last KEEP_BACKUPS sync copies are kept."""
    folder = db.path.parent / "backups"
    try:
        path = backup_file(db.path, folder, "avant-synchro")
    except OSError as exc:
        raise SyncError(LOCAL, f"Sauvegarde impossible avant la synchronisation ({exc}) : rien n'a été envoyé.") \
            from None
    for old in sorted(folder.glob(f"{db.path.stem}-*-avant-synchro.sqlite"))[:-KEEP_BACKUPS]:
        old.unlink(missing_ok=True)
    return path


def _blob_paths(db: Database, rows: list[local.Outgoing]) -> dict[str, Path]:
    """The files named by the rows to push (sha256 -> path here): photos, documents, sittings' procès-verbaux."""
    root = db.path.parent
    named = (protocol.BLOB_FILES[o.table].file_of(o.data) for o in rows if o.table in protocol.BLOB_FILES)
    return {sha: root / relative for sha, relative in filter(None, named)}


def _push(api: Api, db: Database, report: SyncReport, rows: list[local.Outgoing],
          deletions: list[tuple[str, str, str]], device: str, progress: Progress | None) -> None:
    """Send rows in batches; a batch refused for rights (403) is sent again without the rows named."""
    with db.engine.begin() as conn:
        report.resumed = state.get(conn, state.SENDING) is not None
        state.put(conn, state.SENDING, {"since": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                                        "rows": len(rows), "deletions": len(deletions)})
    batches = [rows[i:i + BATCH] for i in range(0, len(rows), BATCH)]
    batches += [[]] if deletions else []
    refused: set[tuple[str, str]] = set()
    for n, batch in enumerate(batches, 1):
        dels = deletions if not batch else []
        while True:
            batch = [o for o in batch if (o.table, o.id) not in refused]
            dels = [d for d in dels if (d[1], d[2]) not in refused]
            if not batch and not dels:
                break
            body = {"device_id": device, "rows": [o.wire() for o in batch],
                    "deletions": [{"table": t, "id": i} for _, t, i in dels]}
            try:
                answer = api.json("POST", "/sync/push", json=body)
            except SyncError as exc:
                if exc.status == 403 and exc.code == "forbidden" and isinstance(exc.details, list):
                    for item in exc.details:
                        refused.add((item.get("table", ""), item.get("id", "")))
                        report.refused.append(item)
                    continue
                raise
            done = local.acknowledge(db, batch, answer["results"], dels, answer["deletions"])
            report.pushed += done.written
            report.unchanged += done.unchanged
            report.deletions_sent += done.deleted
            report.conflicts += done.conflicts
            report.rejected += done.rejected
            report.resolved += done.resolved
            break
        _progress(progress, "envoi", n, len(batches))
    with db.engine.begin() as conn:
        state.drop(conn, state.SENDING)


def _send_resolutions(api: Api, db: Database, report: SyncReport, todo: list[dict[str, Any]], device: str,
                      progress: Progress | None) -> None:
    """« Prendre la version du serveur » decided on this laptop: close the conflict on the server, then take the
    server's current version of the row (pulls skipped it while the conflict was open). Keeping one's version or a
    merge needs nothing here: the row goes with the push, carrying `resolves_conflict`."""
    for n, conflict in enumerate(todo, 1):
        table, row_id = str(conflict["table"]), str(conflict["row_id"])
        closed: dict[str, Any] = {}
        if conflict.get("id"):
            try:
                closed = api.json("POST", f"/conflicts/{conflict['id']}/resolve",
                                  json={"choice": "server", "device_id": device})
            except SyncError as exc:
                if exc.status == 403:  # stays decided here, sent again next time
                    report.refused.append({"table": table, "id": row_id, "reason": exc.message})
                    continue
                if exc.status != 404:  # 404: unknown to this server (restored from a backup), nothing to close
                    raise
        try:
            change = api.json("GET", f"/sync/rows/{table}/{row_id}")
        except SyncError as exc:
            if exc.status != 404:
                raise
            change = None
        with local.without_foreign_keys(db) as conn:
            taken = local.apply_server_row(conn, table, row_id, change)
            entry = state.close_conflict(
                conn, table, row_id, server_version=int(change["version"]) if change else conflict.get(
                    "server_version"), server_resolution=closed.get("resolution", ""), taken=taken)
        if entry is not None:
            report.resolved.append(entry)
        _progress(progress, "résolutions", n, len(todo))


def _receive_grids(api: Api, db: Database, grids: list[dict[str, Any]], report: SyncReport) -> None:
    folder = db.path.parent / "grids"
    add_grid_dir(folder)
    for ch in grids:
        data = ch["data"]
        try:
            find_grid(str(data["grid_id"]), str(data["version"]), str(data["sha256"]))
            continue  # already known to this installation
        except (GridNotFound, GridError, KeyError):
            pass
        files.download(api, str(data["sha256"]), folder / files.grid_file_name(data))
        report.grids_received += 1


def _pull(api: Api, db: Database, report: SyncReport, skip: set[tuple[str, str]], progress: Progress | None,
          first: dict[str, Any] | None, all_files: bool) -> None:
    with db.engine.connect() as conn:
        since = state.cursor(conn, api.server_url)
    page = first
    batch: list[dict[str, Any]] = []
    batch_rows = 0
    while True:
        if page is None:
            try:
                page = api.json("GET", "/sync/changes", params={"since": since, "limit": PAGE})
            except SyncError as exc:
                if exc.code != "since_ahead" or since == 0:
                    raise
                report.warnings.append("Le serveur a été restauré : réception complète de ses données.")
                since, batch, batch_rows = 0, [], 0
                continue
        batch.append(page)
        batch_rows += len(page["changes"])
        report.server_seq = int(page["server_seq"])
        since = int(page["next"])
        _progress(progress, "réception", since, report.server_seq)
        if not page["more"] or batch_rows >= ATOMIC_PULL_ROWS:
            # Pages are fetched first, then applied in one transaction: a sync cut while receiving leaves the
            # laptop as it was (no row whose parent has not arrived). Past ATOMIC_PULL_ROWS (a first full pull),
            # batches are committed one after the other; the next sync completes an interrupted one.
            _apply_batch(api, db, report, batch, skip)
            batch, batch_rows = [], 0
        if not page["more"]:
            break
        page = None
    root = db.path.parent
    # Files named by the rows here (received now or in an earlier, interrupted sync) and absent; those of closed
    # visits stay on the server until opened (`on_demand.fetch_visit_files`), unless every file is asked for.
    wanted = local.missing_files(db, all_files=all_files)
    for n, (sha, relative) in enumerate(sorted(wanted.items()), 1):
        dest = files.safe_destination(root, relative)
        if dest is None:
            report.warnings.append(f"Chemin de fichier reçu refusé : {relative}")
            continue
        if dest.is_file() and files.sha256_file(dest) == sha:
            continue
        try:
            files.download(api, sha, dest)
            report.files_downloaded += 1
        except SyncError as exc:
            if exc.status != 404:
                raise
            report.warnings.append(f"Fichier pas encore sur le serveur : {dest.name} (réessayé à la prochaine "
                                   "synchronisation).")
        _progress(progress, "fichiers reçus", n, len(wanted))


def _apply_batch(api: Api, db: Database, report: SyncReport, pages: list[dict[str, Any]],
                 skip: set[tuple[str, str]]) -> None:
    grids: list[dict[str, Any]] = []
    with local.without_foreign_keys(db) as conn:
        for page in pages:
            done = local.apply_changes(db, api.server_url, page["changes"], int(page["next"]), skip, conn=conn)
            report.pulled += done.written
            report.pulled_deleted += done.deleted
            report.conflicts += done.conflicts
            report.rejected += done.rejected
            grids += done.grids
    _receive_grids(api, db, grids, report)


def _compare_counts(api: Api, db: Database, report: SyncReport, skip: set[tuple[str, str]]) -> None:
    theirs = api.json("GET", "/sync/counts")["tables"]
    mine = local.local_counts(db, skip)
    for table in sorted(set(theirs) | set(mine)):
        if int(theirs.get(table, 0)) != mine.get(table, 0):
            report.counts[table] = (mine.get(table, 0), int(theirs.get(table, 0)))


def _save_outcome(db: Database, report: SyncReport, error: SyncError | None) -> None:
    try:
        with db.engine.begin() as conn:
            state.put(conn, state.LAST, {
                "at": dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(timespec="seconds"),
                "server": report.server, "ok": error is None, "category": error.category if error else "",
                "message": error.message if error else report.summary()})
    except Exception:  # noqa: BLE001 - recording the outcome must never hide the sync's own result
        pass


def _peek(api: Api, since: int) -> dict[str, Any] | None:
    """The first page of changes (None when the server asks for a full pull): nothing to do when it is empty."""
    try:
        return api.json("GET", "/sync/changes", params={"since": since, "limit": PAGE})
    except SyncError as exc:
        if exc.code == "since_ahead":
            return None
        raise


def sync(db: Database, server_url: str, token: str, *, progress: Progress | None = None,
         transport: httpx.BaseTransport | None = None, all_files: bool | None = None) -> SyncReport:
    """Synchronise the laptop database with the agency server. Failures raise SyncError with a category.

    `all_files`: also download the photos and PDFs of closed visits (default: the `sync_all_files` setting, off:
    those are fetched on demand, `inspector.sync.on_demand`).
    """
    started = time.perf_counter()
    server_url = server_url.rstrip("/")
    report = SyncReport(server=server_url)
    with db.engine.begin() as conn:
        if state.is_demo(conn) and not state.is_loopback(server_url):
            raise SyncError(LOCAL, "Base de démonstration : synchronisation refusée vers un serveur distant (les "
                                   "données fictives ne doivent pas partir chez l'agence). Utilisez un serveur local.")
        device = state.device_id(conn)
        skip = {(c["table"], c["row_id"]) for c in state.open_conflicts(conn)}
        since = state.cursor(conn, server_url)
        take_server = [c for c in state.resolving(conn) if (c.get("resolution") or {}).get("choice") == "server"]
        if all_files is None:
            all_files = bool(state.get(conn, state.ALL_FILES, False))
    error: SyncError | None = None
    try:
        with Api(server_url, token, transport=transport) as api:
            me = api.json("GET", "/me")["account"]
            report.account, report.role = me["name"], me["role"]
            rows, refused = local.pending(db, role=me["role"], person_id=me["person_id"], skip=skip)
            report.refused += refused
            deletions = local.pending_deletions(db)
            first = None if rows or deletions or take_server else _peek(api, since)
            if rows or deletions or take_server or first is None or first["changes"]:
                _progress(progress, "sauvegarde", 0, 1)
                report.backup_path = _backup(db)
            if take_server:
                _send_resolutions(api, db, report, take_server, device, progress)
            if rows or deletions:
                count, sent, warnings = files.upload_missing(api, _blob_paths(db, rows), progress)
                report.files_uploaded, report.bytes_uploaded = count, sent
                report.warnings += warnings
                _push(api, db, report, rows, deletions, device, progress)
            _pull(api, db, report, skip | {(c["table"], c["row_id"]) for c in report.conflicts}, progress, first,
                  all_files)
            with db.engine.connect() as conn:
                skip = {(c["table"], c["row_id"]) for c in state.open_conflicts(conn)}
            _compare_counts(api, db, report, skip)
            report.warnings += local.duplicate_decision_numbers(db)
    except SyncError as exc:
        error = exc
        raise
    finally:
        report.seconds = time.perf_counter() - started
        _save_outcome(db, report, error)
    return report
