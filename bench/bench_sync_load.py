"""Load benchmark against a real PostgreSQL: many laptops pushing at once, and a first full pull of ten years.

(a) `--clients` laptops (default 20), in threads of this process, each run the real `sync()` at the same moment as
    an inspector, pushing `--visits` completed visits (default 50) with `--photos` photos each (default 30). The
    server (`inspector serve`, a child process) uses a throwaway PostgreSQL cluster (the helper of
    `tests/sync/conftest.py`, run as the `postgres` user) unless `--database-url` names one (a database per part is
    created in it: the URL's user must be allowed to). How the laptops are made: one agency laptop (organisation,
    20 inspectors, owners, establishments; bulk Core inserts) is pushed by an administrator; each client copies it
    and bulk-inserts its own completed visits (visit, one observation per criterion of MT-2022-V2, 5 rooms, 3 beds,
    photos) marked pending, with the photo files in its `photos/ab/<sha256>.jpg`. Photos are small realistic JPEGs
    (1024×768, 100–200 kB) made once by Pillow; each photo is a copy with a unique JPEG comment, so every file is
    distinct (no deduplication helps). Reported: errors, duplicates (server counts against expected), throughput.
(b) Ten years of an agency (`bench/seed_db.py`: 1,500 establishments, 2,500 visits, ~350,000 observations) are
    inserted on the server in bulk (records by COPY, photo files written to the server's store), then a fresh
    laptop's first `sync()` is timed, as the administrator (everything; `--pull-runs` fresh laptops, median) and
    as one inspector (their visits). All 50,000 photo files are on the server by default (`--pull-photos`): a pull
    downloads those of open visits only, the others are fetched on demand (`inspector.sync.on_demand`); the line
    "files left on the server" counts them.

Usage: `.venv/bin/python bench/bench_sync_load.py` (about 5 minutes on 2 cores); `--quick` for a small run.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import io
import json
import os
import random
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PIL import Image  # noqa: E402
from sqlalchemy import insert, select, text  # noqa: E402

from bench.common import HEADER, measure, report  # noqa: E402
from bench.seed_db import seed_database  # noqa: E402
from inspector.db.database import Database, open_database  # noqa: E402
from inspector.db.models import Bed, Establishment, Observation, Organisation, Owner, Photo, Room, User, Visit  # noqa: E402
from inspector.grids.registry import find_grid  # noqa: E402
from inspector.server.accounts import add_account, token_for  # noqa: E402
from inspector.server.db import open_server_database  # noqa: E402
from inspector.server.push import index_fields  # noqa: E402
from inspector.sync import SyncReport, local, protocol, sync  # noqa: E402
from tests.sync.conftest import PgCluster, _pg_bin, free_port, wait_healthy  # noqa: E402

TODAY = dt.date(2026, 11, 25)
PASSWORD = "mot-de-passe-bench-charge"
POOL = 12  # distinct base JPEGs; every photo is one of them with its own comment


# ----- infrastructure --------------------------------------------------------------------------------------------


@contextlib.contextmanager
def pg_cluster() -> Iterator[PgCluster]:
    """A throwaway PostgreSQL cluster (as in tests/sync/conftest.py), run as `postgres` when we are root."""
    bindir = _pg_bin()
    if bindir is None:
        raise SystemExit("PostgreSQL introuvable (initdb/pg_ctl) : installez le paquet postgresql")
    folder = Path(tempfile.mkdtemp(prefix="inspector-bench-pg-"))
    as_postgres: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
        os.chmod(folder, 0o700)
        as_postgres = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    data = folder / "data"
    subprocess.run([*as_postgres, str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
                    "--no-sync", "-E", "UTF8", "--locale=C"], check=True, capture_output=True)
    # fsync stays on (unlike the tests): the figures are those of a durable server.
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c max_connections=100"
    subprocess.run([*as_postgres, str(bindir / "pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"),
                    "-o", options, "-w", "start"], check=True, capture_output=True)
    try:
        yield PgCluster(port, folder)
    finally:
        subprocess.run([*as_postgres, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"],
                       capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


def new_database(cluster: PgCluster | None, base_url: str | None, name: str) -> str:
    """A new empty database for one part of the benchmark."""
    import psycopg
    from sqlalchemy.engine import make_url

    if cluster is not None:
        url = make_url(f"postgresql+psycopg://postgres@127.0.0.1:{cluster.port}/postgres")
    else:
        url = make_url(base_url)
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    return url.set(database=name).render_as_string(hide_password=False)


class ServerProcess:
    """`inspector serve` in a child process (its own interpreter: the laptops' threads do not slow it down)."""

    def __init__(self, database_url: str, data_dir: Path):
        self.database_url, self.data_dir, self.port = database_url, data_dir, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    @property
    def blob_dir(self) -> Path:
        return self.data_dir / "server" / "files"

    def __enter__(self) -> ServerProcess:
        cmd = [sys.executable, "-m", "inspector", "serve", "--database-url", self.database_url, "--data-dir",
               str(self.data_dir), "--port", str(self.port), "--log-level", "warning"]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
        wait_healthy(self.url, timeout=60, proc=self.proc)
        return self

    def __exit__(self, *_exc: object) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


# ----- photos ----------------------------------------------------------------------------------------------------


def jpeg_pool(seed: int = 1) -> list[bytes]:
    """POOL photo-like JPEGs (a gradient under grain, 1024×768) of 100–200 kB, made once."""
    rng = random.Random(seed)
    pool = []
    for i in range(POOL):
        base = Image.linear_gradient("L").rotate(rng.choice((0, 90, 180, 270))).resize((1024, 768))
        tint = Image.merge("RGB", [base.point(lambda v, k=k: int(v * k)) for k in (1.0, 0.85, 0.7)])
        grain = Image.effect_noise((1024, 768), 30 + 3 * i).convert("RGB")
        out = io.BytesIO()
        Image.blend(tint, grain, 0.3).save(out, "JPEG", quality=rng.choice((60, 65, 70)))
        pool.append(out.getvalue())
    return pool


def unique_jpeg(pool: list[bytes], n: int, tag: str) -> bytes:
    """A pool JPEG with a comment segment (FFFE) naming it: a distinct, valid file."""
    comment = tag.encode()
    base = pool[n % len(pool)]
    return base[:2] + b"\xff\xfe" + struct.pack(">H", len(comment) + 2) + comment + base[2:]


def write_photo(root: Path, data: bytes) -> tuple[str, str]:
    sha = hashlib.sha256(data).hexdigest()
    stored = f"{sha[:2]}/{sha}.jpg"
    path = root / stored
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return sha, stored


# ----- part (a): parallel pushes ---------------------------------------------------------------------------------


def _row(when: dt.datetime, **values: Any) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "created_at": when, "modified_at": when, "row_version": 1, "pending_sync": True,
            **values}


def build_agency_laptop(folder: Path, inspectors: int) -> tuple[Database, list[str], list[str]]:
    """The agency's reference rows on a laptop (all pending): returns (db, inspector person ids, establishments)."""
    now = dt.datetime(2026, 1, 5, 9, 0)
    db = open_database(folder / "inspector.sqlite")
    org = _row(now, name="Agence (charge)", address="", accreditation_ref="", accreditation_kind="accredited",
               accreditation_from=None, accreditation_until=None, logo_path="", signatory_name="", signatory_title="")
    users = [_row(now, organisation_id=org["id"], name=f"Inspecteur {i + 1}", email="", role="inspector",
                  signature_path="") for i in range(inspectors)]
    owners = [_row(now, name=f"Propriétaire {i}", company="", address="1 rue de la Plage", postcode="62520",
                   commune="Le Touquet-Paris-Plage", email="", phone="", mandataire_name="", mandataire_address="",
                   mandataire_contact="") for i in range(100)]
    ests = [_row(now, kind="meuble", name=f"Les Mouettes n° {i + 1}", owner_id=owners[i % 100]["id"],
                 address="2 rue des Dunes", postcode="62520", commune="Le Touquet-Paris-Plage", insee_code="62826",
                 capacity=4, layout="T2", rooms=3, floor=1, collective_building=True, has_lift=False,
                 declaration_number="", current_category=None, category_valid_until=None, notes="")
            for i in range(200)]
    with db.engine.begin() as conn:
        for model, rows in ((Organisation, [org]), (User, users), (Owner, owners), (Establishment, ests)):
            conn.execute(insert(model.__table__), rows)
    return db, [u["id"] for u in users], [e["id"] for e in ests]


def add_client_visits(db: Database, person: str, establishments: list[str], visits: int, photos: int,
                      pool: list[bytes], client: int) -> int:
    """Completed visits of one inspector (bulk inserts, pending) and their photo files; returns the rows added."""
    grid = find_grid("MT-2022-V2")
    codes = [(c.code, c.graded) for c in grid.criteria]
    rng = random.Random(client)
    root = db.path.parent / "photos"
    rows: dict[Any, list[dict[str, Any]]] = {Visit: [], Observation: [], Room: [], Bed: [], Photo: []}
    for v in range(visits):
        day = TODAY - dt.timedelta(days=rng.randint(1, 60))
        start = dt.datetime.combine(day, dt.time(9, 0))
        visit = _row(start, establishment_id=rng.choice(establishments), kind="classement", state="completed",
                     requested_category=rng.choice((2, 3, 4)), proposed_category=None, requested_families=[],
                     typology="", grid_id=grid.id, grid_version=grid.version, grid_sha256=grid.sha256,
                     context={"capacity": 4, "floor": 1, "collective_building": True, "studio": False},
                     evaluator_id=person, second_evaluator_id=None, planned_on=day, visited_on=day,
                     started_at=start, completed_at=start + dt.timedelta(hours=3), issued_on=None, sent_on=None,
                     received_on=None, refused_on=None, refusal_reason="", acquired_on=None, valid_until=None,
                     previous_visit_id=None, revision_of_id=None, revision_number=1, revision_reason="",
                     superseded=False, observations_text="Visite complète.")
        rows[Visit].append(visit)
        for seq, (code, graded) in enumerate(codes, 1):
            rows[Observation].append({"id": str(uuid.uuid4()), "visit_id": visit["id"], "criterion": code,
                                      "level": "", "value": "yes" if rng.random() < 0.85 else "no",
                                      "points": rng.randint(0, 5) if graded else None, "na_reason": "",
                                      "comment": "", "author_id": person, "device_id": f"pc-{client}",
                                      "pending_sync": True, "recorded_at": start + dt.timedelta(seconds=40 * seq),
                                      "seq": seq})
        for pos, (name, kind) in enumerate((("Séjour", "sejour"), ("Cuisine", "cuisine"), ("Chambre 1", "chambre"),
                                            ("Chambre 2", "chambre"), ("Salle d'eau", "salle_d_eau"))):
            rows[Room].append(_row(start, visit_id=visit["id"], position=pos, name=name, kind=kind,
                                   surface_m2="12", low_ceiling_m2="0", sleepers=2 if kind == "chambre" else 0,
                                   has_opening=True))
        for room in ("Chambre 1", "Chambre 2", "Séjour"):
            rows[Bed].append(_row(start, visit_id=visit["id"], room=room, kind="double", width_cm=160,
                                  length_cm=200))
        for p in range(photos):
            data = unique_jpeg(pool, rng.randrange(POOL), f"client {client} visite {v} photo {p} {uuid.uuid4()}")
            sha, stored = write_photo(root, data)
            rows[Photo].append(_row(start, visit_id=visit["id"], criterion=rng.choice(codes)[0], sha256=sha,
                                    original_name=f"IMG_{p:04d}.jpg", stored_path=stored, width=1024, height=768,
                                    size_bytes=len(data), caption="", taken_at=start))
    with db.engine.begin() as conn:
        for model, items in rows.items():
            conn.execute(insert(model.__table__), items)
    return sum(len(items) for items in rows.values())


def server_counts(database_url: str) -> dict[str, int]:
    engine, sessions = open_server_database(database_url)
    with sessions() as s:
        counts = dict(s.execute(text("SELECT table_name, count(*) FROM records GROUP BY table_name")).all())
        counts["_duplicates"] = s.execute(text("SELECT count(*) FROM (SELECT table_name, row_id FROM records "
                                               "GROUP BY table_name, row_id HAVING count(*) > 1) d")).scalar()
        counts["_blobs"] = s.execute(text("SELECT count(*) FROM blobs")).scalar()
        counts["_conflicts"] = s.execute(text("SELECT count(*) FROM conflicts")).scalar()
    engine.dispose()
    return counts


def part_a(database_url: str, folder: Path, clients: int, visits: int, photos: int) -> list[str]:
    pool = jpeg_pool()
    engine, sessions = open_server_database(database_url)
    base_dir = folder / "agence"
    base_dir.mkdir(parents=True)
    base, people, ests = build_agency_laptop(base_dir, clients)
    add_account(sessions, name="admin", role="admin", password=PASSWORD)
    for i, person in enumerate(people):
        add_account(sessions, name=f"inspecteur{i + 1}", role="inspector", password=PASSWORD, person_id=person)
    lines = []
    with ServerProcess(database_url, folder / "server-a") as server:
        first = sync(base, server.url, token_for(sessions, "admin", device="agence"))
        assert first.counts_match and not first.conflicts, first.summary()
        base.close()
        started = time.perf_counter()
        laptops: list[tuple[Database, str, int]] = []
        for i in range(clients):
            target = folder / f"pc-{i + 1}"
            shutil.copytree(base_dir, target, ignore=shutil.ignore_patterns("backups"))
            db = open_database(target / "inspector.sqlite")
            added = add_client_visits(db, people[i], ests, visits, photos, pool, i + 1)
            laptops.append((db, token_for(sessions, f"inspecteur{i + 1}", device=f"pc-{i + 1}"), added))
        prepared_s = time.perf_counter() - started
        before = server_counts(database_url)

        def one(item: tuple[Database, str, int]) -> tuple[SyncReport | None, float, str]:
            db, token, _ = item
            t0 = time.perf_counter()
            try:
                result = sync(db, server.url, token)
            except Exception as exc:  # noqa: BLE001 - every failure is counted and shown
                return None, time.perf_counter() - t0, f"{type(exc).__name__}: {exc}"
            return result, time.perf_counter() - t0, ""

        started = time.perf_counter()
        with ThreadPoolExecutor(clients) as pool_exec:
            outcomes = list(pool_exec.map(one, laptops))
        wall = time.perf_counter() - started
        after = server_counts(database_url)
    engine.dispose()

    errors = [msg for _, _, msg in outcomes if msg]
    reports = [r for r, _, _ in outcomes if r is not None]
    for (db, _, added), (r, _, _) in zip(laptops, outcomes, strict=True):
        if r is not None and (r.pushed != added or r.conflicts or r.refused or r.rejected or not r.counts_match
                              or r.files_uploaded != visits * photos):
            errors.append(f"{db.path.parent.name}: envoyé {r.pushed}/{added}, fichiers {r.files_uploaded}, "
                          f"conflits {len(r.conflicts)}, écarts {r.counts}")
        db.close()
    expected_rows = sum(added for _, _, added in laptops)
    got_rows = sum(v for k, v in after.items() if not k.startswith("_") and k != "grids") - \
        sum(v for k, v in before.items() if not k.startswith("_") and k != "grids")
    expected_blobs = clients * visits * photos
    got_blobs = after["_blobs"] - before["_blobs"]
    megabytes = sum(r.bytes_uploaded for r in reports) / 1e6
    times = sorted(t for _, t, _ in outcomes)
    lines.append("| (a) parallel pushes | value |\n|---|---|")
    lines.append(f"| clients × visits × photos | {clients} × {visits} × {photos} (each visit: 1 visit, "
                 f"{len(find_grid('MT-2022-V2').criteria)} observations, 5 rooms, 3 beds, {photos} photo rows) |")
    lines.append(f"| laptops prepared (bulk inserts, photo files written) | {prepared_s:.1f} s |")
    lines.append(f"| total time, all syncs in parallel | {wall:.1f} s |")
    lines.append(f"| one client's sync: median / max | {statistics.median(times):.1f} s / {times[-1]:.1f} s |")
    lines.append(f"| throughput | {clients * visits / wall:.1f} visits/s, {expected_rows / wall:.0f} rows/s, "
                 f"{megabytes / wall:.1f} MB/s ({megabytes:.0f} MB of photos) |")
    lines.append(f"| errors | {len(errors)} |")
    lines.append(f"| rows on the server − expected | {got_rows - expected_rows} (expected {expected_rows}) |")
    lines.append(f"| files on the server − expected | {got_blobs - expected_blobs} (expected {expected_blobs}) |")
    lines.append(f"| duplicate rows / conflicts on the server | {after['_duplicates']} / {after['_conflicts']} |")
    for message in errors[:10]:
        lines.append(f"| error | {message[:200]} |")
    return lines


# ----- part (b): first full pull of ten years --------------------------------------------------------------------


def load_ten_years(database_url: str, folder: Path, blob_dir: Path, photos: int) -> tuple[int, str]:
    """Seed a ten-year laptop database, give its photos real files, and COPY every row into the server's records.

    Returns (rows, person id of one inspector).
    """
    import psycopg
    from sqlalchemy.engine import make_url

    seeded = seed_database(folder / "ten-years.sqlite", today=TODAY, photos=photos)
    db = open_database(seeded.path)
    pool = jpeg_pool(seed=2)
    blob_dir.mkdir(parents=True, exist_ok=True)
    blobs: list[tuple[str, int]] = []
    with db.engine.begin() as conn:
        ids = [r[0] for r in conn.execute(text("SELECT id FROM photos ORDER BY id"))]
        for n, photo_id in enumerate(ids):
            data = unique_jpeg(pool, n, f"dix ans {photo_id}")
            sha = hashlib.sha256(data).hexdigest()
            dest = blob_dir / sha[:2] / sha
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(data)
            blobs.append((sha, len(data)))
            conn.execute(text("UPDATE photos SET sha256 = :s, stored_path = :p, size_bytes = :n WHERE id = :i"),
                         {"s": sha, "p": f"{sha[:2]}/{sha}.jpg", "n": len(data), "i": photo_id})
        person = conn.execute(text("SELECT id FROM users ORDER BY name LIMIT 1")).scalar()
    engine, _ = open_server_database(database_url)  # the schema (migrations)
    engine.dispose()
    now = dt.datetime(2026, 11, 25, 12, 0)
    columns = ("table_name", "row_id", "version", "seq", "deleted", "digest", "data", "visit_id", "establishment_id",
               "owner_id", "evaluator_id", "second_evaluator_id", "state", "sha256", "modified_at", "modified_by",
               "device")
    conninfo = make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)
    seq = 0
    with psycopg.connect(conninfo) as pg, db.engine.connect() as conn:
        with pg.cursor() as cur:
            with cur.copy(f"COPY records ({', '.join(columns)}) FROM STDIN") as copy:
                for name in protocol.TABLES:  # parents first, as pushes would have numbered them
                    for row in conn.execute(select(protocol.table(name))).mappings():
                        data = protocol.to_wire(name, row)
                        seq += 1
                        fields = index_fields(name, row["id"], data)
                        copy.write_row((name, row["id"], 1, seq, False, protocol.digest(data),
                                        protocol.canonical(data), fields["visit_id"], fields["establishment_id"],
                                        fields["owner_id"], fields["evaluator_id"], fields["second_evaluator_id"],
                                        fields["state"], fields["sha256"], now, None, "import"))
            with cur.copy("COPY blobs (sha256, size, stored_at) FROM STDIN") as copy:
                for sha, size in blobs:
                    copy.write_row((sha, size, now))
            cur.execute("UPDATE server_sequence SET last = %s WHERE id = 1", (seq,))
        pg.commit()
    db.close()
    return seq, person


def part_b(database_url: str, folder: Path, photos: int, runs: int, pull_runs: int = 1) -> list[str]:
    data_dir = folder / "server-b"
    started = time.perf_counter()
    rows, person = load_ten_years(database_url, folder, data_dir / "server" / "files", photos)
    loaded_s = time.perf_counter() - started
    engine, sessions = open_server_database(database_url)
    add_account(sessions, name="admin", role="admin", password=PASSWORD)
    add_account(sessions, name="inspecteur", role="inspector", password=PASSWORD, person_id=person)
    lines = ["| (b) first full pull, ten years | value |", "|---|---|",
             f"| server seeded in bulk | {rows} rows, {photos} photo files, {loaded_s:.1f} s |"]
    noop: list[float] = []
    with ServerProcess(database_url, data_dir) as server:
        for account in ("admin", "inspecteur"):
            times: list[float] = []
            for n in range(pull_runs if account == "admin" else 1):
                laptop = folder / f"nouveau-{account}-{n + 1}"
                laptop.mkdir()
                db = open_database(laptop / "inspector.sqlite")
                token = token_for(sessions, account, device=f"nouveau-{account}-{n + 1}")
                marks: dict[str, float] = {}

                def progress(phase: str, _done: int, _total: int, marks: dict[str, float] = marks) -> None:
                    marks[phase] = time.perf_counter()  # the last call of each phase

                t0 = time.perf_counter()
                result = sync(db, server.url, token, progress=progress)
                times.append(time.perf_counter() - t0)
                if n + 1 < (pull_runs if account == "admin" else 1):
                    db.close()
                    shutil.rmtree(laptop, ignore_errors=True)
            seconds = statistics.median(times)
            files_s = marks["fichiers reçus"] - marks["réception"] if "fichiers reçus" in marks else 0.0
            left = len(local.missing_files(db, all_files=True))
            verdict = "ok" if seconds <= 60 else "OVER TARGET"
            runs_text = f"median of {len(times)}: " + ", ".join(f"{t:.1f}" for t in times) + " s; " \
                if len(times) > 1 else ""
            lines.append(f"| first sync of a new laptop as {account} (target ≤ 60 s) | {seconds:.1f} s ({verdict}; "
                         f"{runs_text}{result.pulled} rows, {result.files_downloaded} files of open visits "
                         f"downloaded in {files_s:.1f} s, {left} files of closed visits left on the server, counts "
                         f"{'equal' if result.counts_match else json.dumps(result.counts)}) |")
            if account == "admin":
                noop = measure(lambda db=db, token=token: sync(db, server.url, token), runs=runs, warmup=1)
            db.close()
    engine.dispose()
    lines.append("")
    lines.append(HEADER)
    lines.append(report("incremental sync with nothing to do, ten-year admin laptop", noop, 200))
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="serveur PostgreSQL existant (défaut : grappe jetable)")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--visits", type=int, default=50, help="visites terminées par client")
    parser.add_argument("--photos", type=int, default=30, help="photos par visite")
    parser.add_argument("--pull-photos", type=int, default=50_000, help="photos (fichiers) des dix ans")
    parser.add_argument("--pull-runs", type=int, default=3, help="premières synchronisations (administrateur)")
    parser.add_argument("--runs", type=int, default=10, help="mesures de la synchronisation sans rien à faire")
    parser.add_argument("--quick", action="store_true", help="petite charge (vérification du script)")
    parser.add_argument("--only", choices=("a", "b"))
    args = parser.parse_args()
    if args.quick:
        args.clients, args.visits, args.photos, args.pull_photos, args.runs, args.pull_runs = 3, 3, 4, 50, 3, 1
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="inspector-bench-load-") as tmp, \
            (contextlib.nullcontext(None) if args.database_url else pg_cluster()) as cluster:
        folder = Path(tmp)
        out: list[str] = [f"PostgreSQL {'(--database-url)' if args.database_url else 'throwaway cluster'}, "
                          f"{os.cpu_count()} CPU, server `inspector serve` in its own process", ""]
        if args.only in (None, "a"):
            url = new_database(cluster, args.database_url, "inspector_bench_load")
            out += part_a(url, folder / "a", args.clients, args.visits, args.photos) + [""]
            shutil.rmtree(folder / "a", ignore_errors=True)
        if args.only in (None, "b"):
            url = new_database(cluster, args.database_url, "inspector_bench_pull")
            (folder / "b").mkdir()
            out += part_b(url, folder / "b", args.pull_photos, args.runs, args.pull_runs) + [""]
        out.append(f"total benchmark time: {time.perf_counter() - started:.0f} s")
    print("\n".join(out))


if __name__ == "__main__":
    main()
