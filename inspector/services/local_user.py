"""The inspector using this laptop: found by name or created, so every answer records who gave it."""

from __future__ import annotations

from sqlalchemy import func, select

from ..db.database import Database
from ..db.models import User
from .common import ServiceError, audit


def ensure_inspector(db: Database, *, name: str, email: str = "") -> str:
    """The id of the inspector called `name` (case-insensitive), created if needed."""
    name = " ".join(name.split())
    if not name:
        raise ServiceError("Indiquez le nom de l'inspecteur.")
    with db.session() as s:
        user = s.scalar(select(User).where(func.lower(User.name) == name.lower()).limit(1))
        if user is None:
            user = User(name=name, email=email.strip(), role="inspector")
            s.add(user)
            s.flush()
            audit(s, user_id=user.id, action="user.create", table="users", row_id=user.id, name=name)
            s.commit()
        return user.id
