"""The issued documents of a visit as a table model over plain DocumentInfo data (no database access in data())."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

from inspector.services.documents import DocumentInfo

from ..strings import UI, t
from .row_table import RowTableModel

DocumentIdRole = Qt.ItemDataRole.UserRole + 1
PathRole = Qt.ItemDataRole.UserRole + 2  # str: absolute path of the stored PDF
KindRole = Qt.ItemDataRole.UserRole + 3
Sha256Role = Qt.ItemDataRole.UserRole + 4  # the full digest

COLUMNS = ("kind", "revision", "date", "sha256", "replaces")
SHORT_SHA = 12

_Index = QModelIndex | QPersistentModelIndex


def kind_label(kind: str) -> str:
    return t(f"doc_kind.{kind}") if f"doc_kind.{kind}" in UI else kind


def local_time(utc: dt.datetime) -> dt.datetime:
    """The naive UTC timestamp of the database, in the computer's time zone."""
    return utc.replace(tzinfo=dt.UTC).astimezone().replace(tzinfo=None)


class DocumentListModel(RowTableModel):
    """One row per issued document (kind, revision, date, short SHA-256, the revision it replaces)."""

    columns = COLUMNS
    header_prefix = "docs.col."

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._items) or not 0 <= index.column() < len(COLUMNS):
            return None
        doc = self._items[index.row()]
        column = COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(doc, column)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return self._accessible(doc, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(doc, column)
        if role == DocumentIdRole:
            return doc.id
        if role == PathRole:
            return str(doc.path)
        if role == KindRole:
            return doc.kind
        if role == Sha256Role:
            return doc.sha256
        if role == Qt.ItemDataRole.TextAlignmentRole and column == "revision":
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    # helpers
    def _revision_of(self, document_id: str | None) -> int | None:
        return next((d.revision for d in self._items if d.id == document_id), None) if document_id else None

    def _display(self, doc: DocumentInfo, column: str) -> str:
        if column == "kind":
            return kind_label(doc.kind)
        if column == "revision":
            return str(doc.revision)
        if column == "date":
            return local_time(doc.issued_at).strftime("%d/%m/%Y %H:%M")
        if column == "sha256":
            return doc.sha256[:SHORT_SHA]
        if doc.replaces_id is None:
            return ""
        replaced = self._revision_of(doc.replaces_id)
        return t("docs.replaces", revision=replaced if replaced is not None else "?")

    def _accessible(self, doc: DocumentInfo, column: str) -> str:
        if column == "sha256":
            return t("docs.sha.accessible", sha=" ".join(doc.sha256[:SHORT_SHA]))
        return self._display(doc, column)

    def _tooltip(self, doc: DocumentInfo, column: str) -> str | None:
        if column == "sha256":
            return t("docs.sha.tip", sha=doc.sha256)
        if column in ("kind", "date", "revision"):
            return str(doc.path)
        return self._display(doc, column) or None

    # public API
    def set_documents(self, docs: list[DocumentInfo]) -> None:
        """Replace every row (plain data, loaded off the UI thread)."""
        self.replace_items(docs)

    def documents(self) -> list[DocumentInfo]:
        return list(self._items)

    def document(self, row: int) -> DocumentInfo | None:
        return self._items[row] if 0 <= row < len(self._items) else None

    def row_of(self, document_id: str) -> int:
        return next((i for i, d in enumerate(self._items) if d.id == document_id), -1)

    def latest(self, kind: str) -> DocumentInfo | None:
        """The newest revision of a kind of document, None when none was issued."""
        of_kind = [d for d in self._items if d.kind == kind]
        return max(of_kind, key=lambda d: d.revision) if of_kind else None

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)
        if self._items:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._items) - 1, len(COLUMNS) - 1),
                                  [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole,
                                   Qt.ItemDataRole.ToolTipRole])
