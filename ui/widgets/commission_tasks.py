"""Worker-side jobs of the commission workspace (run on `ctx.runner`): plain data in, plain data out."""

from __future__ import annotations

import inspect
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from inspector.db.database import Database
from inspector.services import commission

PREVIEW_DIR = Path(tempfile.gettempdir()) / "inspector-apercus"


@dataclass(frozen=True)
class Overview:
    """The sessions and who the local user is (for the role check)."""

    sessions: list[Any]
    user_name: str
    user_role: str


@dataclass(frozen=True)
class SessionDetail:
    session: Any
    agenda: list[Any]
    letters: list[Any] = field(default_factory=list)


def load_overview(db: Database, user_id: str | None) -> Overview:
    name, role = "", ""
    if user_id:
        from inspector.db.models import User

        with db.session() as s:
            user = s.get(User, user_id)
            if user is not None:
                name, role = user.name, user.role
    return Overview(commission.list_sessions(db), name, role)


def load_detail(db: Database, session_id: str) -> SessionDetail:
    return SessionDetail(commission.get_session(db, session_id), commission.agenda(db, session_id),
                         commission.letters_of(db, session_id))


def write_minutes_preview(db: Database, session_id: str, folder: Path) -> Path:
    """The draft minutes (or the closed session's minutes re-rendered) in a temporary file."""
    data = commission.minutes_pdf(db, session_id)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"proces-verbal-{session_id[:8]}.pdf"
    path.write_bytes(data)
    return path


def takes_progress(fn: Any) -> bool:
    """Whether `fn` reports progress (then the runner passes it `on_progress`)."""
    try:
        return "progress" in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
