"""Make tests/data/db/schema-0001.sqlite: a database at the first migration with a little data, as an old laptop has.

Run once when the fixture is created (`python tools/make_db_fixture.py`); the file is then committed and never
regenerated, so that upgrade tests always start from what an older Inspector really wrote.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from inspector.db.database import open_database

OUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "db" / "schema-0001.sqlite"


def main() -> None:
    OUT.unlink(missing_ok=True)
    db = open_database(OUT, target="0001")
    db.close()
    con = sqlite3.connect(OUT)
    now = "2025-06-02 09:30:00.000000"
    con.execute("INSERT INTO owners (id, name, company, address, postcode, commune, email, phone, mandataire_name, "
                "mandataire_address, mandataire_contact, created_at, modified_at, row_version, pending_sync) VALUES "
                "('own-1', 'Mme Dufour', '', '3 rue de la Plage', '62930', 'Wimereux', '', '', '', '', '', ?, ?, 1, 0)",
                (now, now))
    con.execute("INSERT INTO establishments (id, kind, name, owner_id, address, postcode, commune, insee_code, "
                "capacity, "
                "layout, rooms, floor, collective_building, has_lift, declaration_number, current_category, "
                "category_valid_until, notes, created_at, modified_at, row_version, pending_sync) VALUES "
                "('est-1', 'meuble', 'Studio Dufour', 'own-1', '3 rue de la Plage', '62930', 'Wimereux', '62893', 2, "
                "'studio', 1, 2, 1, 0, '', NULL, NULL, '', ?, ?, 1, 0)", (now, now))
    con.execute("INSERT INTO visits (id, establishment_id, kind, state, requested_category, requested_families, "
                "typology, "
                "grid_id, grid_version, grid_sha256, context, planned_on, visited_on, refusal_reason, revision_number, "
                "revision_reason, superseded, observations_text, created_at, modified_at, row_version, pending_sync) "
                "VALUES ('vis-1', 'est-1', 'classement', 'in_progress', 2, '[]', '', 'MT-2022-V2', '2022-v2', "
                "'d909e167e63b199353b45a2220d60da1285deba9792e7af2a050379ab2b52862', "
                "'{\"capacity\": 2, \"studio\": true, \"floor\": 2, \"collective_building\": true}', "
                "'2025-06-02', '2025-06-02', '', 1, '', 0, '', ?, ?, 1, 0)", (now, now))
    for seq, (code, value) in enumerate([("PRQ", "yes"), ("1", "yes"), ("4", "no"), ("4", "yes")], 1):
        con.execute("INSERT INTO observations (id, visit_id, criterion, level, value, points, na_reason, comment, "
                    "author_id, device_id, recorded_at, seq, pending_sync) VALUES (?, 'vis-1', ?, '', ?, NULL, '', '', "
                    "NULL, '', ?, ?, 0)", (f"obs-{seq}", code, value, now, seq))
    con.commit()
    con.execute("VACUUM")
    con.close()
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
