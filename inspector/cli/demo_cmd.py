"""`inspector demo --out DIR`: score the scenario visits and write their input, result and explanation."""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path

from .main import UserError


def _write_atomic(path: Path, text: str) -> None:
    """Write a file so that it is either wholly there or not at all."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def cmd_demo(args: argparse.Namespace) -> int:
    from ..demo import SCENARIOS
    from .score_cmd import cmd_score

    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"{out} : impossible de créer le dossier ({exc.strerror or exc})") from None
    for name, make in SCENARIOS.items():
        visit = make()
        visit_path = out / f"{name}-visit.json"
        _write_atomic(visit_path, json.dumps(visit, ensure_ascii=False, indent=1) + "\n")
        for fmt in ("json", "txt"):
            ns = argparse.Namespace(file=str(visit_path), json=fmt == "json", partial=False, setting=[],
                                    target=None, lang="fr")
            import contextlib
            import io

            buf = io.StringIO()
            with contextlib.redirect_stdout(buf):
                cmd_score(ns)
            _write_atomic(out / f"{name}-result.{fmt}", buf.getvalue())
        print(f"== {visit['title']}")
        print((out / f"{name}-result.txt").read_text(encoding="utf-8"))
    print(f"Fichiers écrits dans {out.resolve()}")
    return 0
