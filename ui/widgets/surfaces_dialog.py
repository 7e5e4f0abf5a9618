"""The surfaces calculator: rooms, surfaces, parts under 1.80 m, sleepers and beds, with live verdicts per category."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from inspector.grids.model import Grid
from inspector.i18n import number
from inspector.scoring.answers import ScoringInputError
from inspector.scoring.settings import merged_settings
from inspector.scoring.surfaces import BED_KINDS, ROOM_KINDS, beds_met, parse_measurements, surface_verdict

ROOM_LABELS = {"piece": "Pièce principale", "sejour": "Séjour", "chambre": "Chambre", "cuisine": "Cuisine",
               "salle_d_eau": "Salle d'eau", "wc": "WC", "autre": "Autre"}
BED_LABELS = {"single": "1 personne", "double": "2 personnes", "bunk": "Superposés", "twin": "Jumeaux",
              "trundle": "Gigogne", "sofa_bed": "Canapé-lit", "foldaway": "Escamotable"}


def _combo(labels: dict[str, str], keys: tuple[str, ...], current: str) -> QComboBox:
    box = QComboBox()
    for k in keys:
        box.addItem(labels[k], k)
    box.setCurrentIndex(max(0, keys.index(current) if current in keys else 0))
    return box


class SurfacesDialog(QDialog):
    """Edits the measurements; `result()` gives rooms and beds as plain dicts for `set_measurements`."""

    def __init__(self, grid: Grid, measurements: dict[str, Any], studio: bool, parent: QWidget | None = None):
        super().__init__(parent)
        self.grid, self.studio = grid, studio
        self.settings = merged_settings(grid)
        self.setWindowTitle("Surfaces et lits")
        self.resize(820, 560)
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("Pièces (surfaces en m² ; la partie sous 1,80 m de plafond est exclue)"))
        self.rooms = QTableWidget(0, 5)
        self.rooms.setHorizontalHeaderLabels(["Nom", "Type", "Surface (m²)", "Sous 1,80 m (m²)", "Couchages"])
        self.rooms.setAccessibleName("Pièces mesurées")
        lay.addWidget(self.rooms)
        row = QHBoxLayout()
        add_room, del_room = QPushButton("Ajouter une pièce"), QPushButton("Retirer la pièce")
        add_room.clicked.connect(lambda: self._add_room({}))
        del_room.clicked.connect(lambda: self._remove(self.rooms))
        row.addWidget(add_room)
        row.addWidget(del_room)
        row.addStretch(1)
        lay.addLayout(row)
        lay.addWidget(QLabel("Lits (dimensions en cm)"))
        self.beds = QTableWidget(0, 4)
        self.beds.setHorizontalHeaderLabels(["Pièce", "Type", "Largeur (cm)", "Longueur (cm)"])
        self.beds.setAccessibleName("Lits mesurés")
        lay.addWidget(self.beds)
        row = QHBoxLayout()
        add_bed, del_bed = QPushButton("Ajouter un lit"), QPushButton("Retirer le lit")
        add_bed.clicked.connect(lambda: self._add_bed({}))
        del_bed.clicked.connect(lambda: self._remove(self.beds))
        row.addWidget(add_bed)
        row.addWidget(del_bed)
        row.addStretch(1)
        lay.addLayout(row)
        self.verdict = QLabel()
        self.verdict.setWordWrap(True)
        self.verdict.setTextFormat(Qt.TextFormat.RichText)
        lay.addWidget(self.verdict)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        for r in measurements.get("rooms", []):
            self._add_room(r)
        for b in measurements.get("beds", []):
            self._add_bed(b)
        self.rooms.itemChanged.connect(self.update_verdict)
        self.beds.itemChanged.connect(self.update_verdict)
        self.update_verdict()

    def _add_room(self, r: dict[str, Any]) -> None:
        i = self.rooms.rowCount()
        self.rooms.insertRow(i)
        self.rooms.setItem(i, 0, QTableWidgetItem(str(r.get("name", f"Pièce {i + 1}"))))
        box = _combo(ROOM_LABELS, ROOM_KINDS, r.get("kind", "piece"))
        box.currentIndexChanged.connect(self.update_verdict)
        self.rooms.setCellWidget(i, 1, box)
        for col, key, default in ((2, "surface", ""), (3, "low_ceiling", "0"), (4, "sleepers", "0")):
            self.rooms.setItem(i, col, QTableWidgetItem(str(r.get(key, default)).replace(".", ",")))

    def _add_bed(self, b: dict[str, Any]) -> None:
        i = self.beds.rowCount()
        self.beds.insertRow(i)
        self.beds.setItem(i, 0, QTableWidgetItem(str(b.get("room", ""))))
        box = _combo(BED_LABELS, BED_KINDS, b.get("kind", "double"))
        box.currentIndexChanged.connect(self.update_verdict)
        self.beds.setCellWidget(i, 1, box)
        self.beds.setItem(i, 2, QTableWidgetItem(str(b.get("width", ""))))
        self.beds.setItem(i, 3, QTableWidgetItem(str(b.get("length", ""))))

    def _remove(self, table: QTableWidget) -> None:
        if table.currentRow() >= 0:
            table.removeRow(table.currentRow())
            self.update_verdict()

    @staticmethod
    def _cell(table: QTableWidget, row: int, col: int) -> str:
        item = table.item(row, col)
        return item.text().strip().replace(",", ".") if item else ""

    def result(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        rooms = []
        for i in range(self.rooms.rowCount()):
            sleepers = self._cell(self.rooms, i, 4) or "0"
            rooms.append({"name": self._cell(self.rooms, i, 0), "kind": self.rooms.cellWidget(i, 1).currentData(),
                          "surface": self._cell(self.rooms, i, 2), "low_ceiling": self._cell(self.rooms, i, 3) or "0",
                          "sleepers": int(sleepers) if sleepers.isdigit() else sleepers})
        beds = []
        for i in range(self.beds.rowCount()):
            w, ln = self._cell(self.beds, i, 2), self._cell(self.beds, i, 3)
            beds.append({"room": self._cell(self.beds, i, 0), "kind": self.beds.cellWidget(i, 1).currentData(),
                         "width": int(w) if w.isdigit() else w, "length": int(ln) if ln.isdigit() else ln})
        return rooms, beds

    def update_verdict(self, *_: Any) -> None:
        rooms, beds = self.result()
        try:
            m = parse_measurements({"rooms": rooms, "beds": beds})
        except ScoringInputError as exc:
            self.verdict.setText("<span style='color:#c62828'>" + "<br>".join(exc.problems) + "</span>")
            return
        lines = [f"Surface comptée : <b>{number(m.habitable_m2)} m²</b>"]
        for lv in self.grid.level_codes:
            v = surface_verdict(self.grid, m, lv, self.studio, self.settings)
            ok = "✔" if v.criterion1_met else "✘"
            beds_ok = beds_met(self.grid, m, lv, self.studio)
            bed_text = "" if beds_ok is None else (" · lits ✔" if beds_ok[0] else " · lits ✘")
            lines.append(f"{lv}★ : exigé {number(v.required_m2)} m² (seuil {number(v.threshold_m2)}) {ok} · "
                         f"bonification {v.criterion2_points} pt{bed_text}")
        self.verdict.setText("<br>".join(lines))

    def _accept(self) -> None:
        rooms, beds = self.result()
        try:
            parse_measurements({"rooms": rooms, "beds": beds})
        except ScoringInputError as exc:
            self.verdict.setText("<span style='color:#c62828'>" + "<br>".join(exc.problems) + "</span>")
            return
        self.accept()
