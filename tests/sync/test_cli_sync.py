"""The command line: `inspector users add|list|revoke` on the server side, `inspector sync` on the laptop."""

from __future__ import annotations

import io
import stat
from pathlib import Path

import pytest

from inspector.cli.main import main

from .conftest import PASSWORD, Server


def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *argv: str,
        stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_users_add_list_revoke(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                               capsys: pytest.CaptureFixture[str]) -> None:
    where = ["--data-dir", str(tmp_path)]
    code, out, _ = run(monkeypatch, capsys, "users", "add", "ana", "--role", "inspector", "--password-stdin",
                       *where, stdin="un-mot-de-passe-long\n")
    assert code == 0 and "ana" in out
    assert (tmp_path / "server" / "inspector-server.sqlite").exists()
    code, _, err = run(monkeypatch, capsys, "users", "add", "ana", "--role", "admin", "--password-stdin", *where,
                       stdin="un-mot-de-passe-long\n")
    assert code == 2 and "existe déjà" in err
    code, _, err = run(monkeypatch, capsys, "users", "add", "bob", "--role", "admin", "--password-stdin", *where,
                       stdin="court\n")
    assert code == 2 and "trop court" in err
    code, out, _ = run(monkeypatch, capsys, "users", "list", *where)
    assert code == 0 and "ana\tinspector\tactif" in out
    code, out, _ = run(monkeypatch, capsys, "users", "revoke", "ana", *where)
    assert code == 0 and "désactivé" in out
    code, out, _ = run(monkeypatch, capsys, "users", "list", *where)
    assert "ana\tinspector\trévoqué" in out
    code, _, err = run(monkeypatch, capsys, "users", "revoke", "personne", *where)
    assert code == 2 and "inconnu" in err


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_sync_command_logs_in_keeps_the_token_and_syncs(server: Server, laptop, monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    a = laptop("a")
    folder = str(a.path.parent)
    code, out, err = run(monkeypatch, capsys, "sync", "--server", server.url, "--user", "nicolas",
                         "--password-stdin", "--data-dir", folder, stdin=PASSWORD + "\n")
    assert code == 0, err
    assert "Envoyé : " in out and "Écart" not in out
    token_file = Path(folder) / "sync-token.json"
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    code, out, _ = run(monkeypatch, capsys, "--data-dir", folder, "sync", "--server", server.url)
    assert code == 0 and "Envoyé : 0 ligne(s)" in out
    code, _, err = run(monkeypatch, capsys, "sync", "--server", server.url, "--user", "nicolas", "--password-stdin",
                       "--data-dir", folder, stdin="faux-mot-de-passe\n")
    assert code == 1 and "(authentification)" in err and "incorrect" in err
    code, _, err = run(monkeypatch, capsys, "sync", "--server", "http://127.0.0.1:9", "--data-dir", folder)
    assert code == 2 and "--user" in err
