"""The `crm` command: init, seed, report overview, users; errors exit non-zero."""

import json
import subprocess
import sys

import pytest

from crm_data.cli import main


def test_help_everywhere(capsys):
    for argv in (["--help"], ["init", "--help"], ["seed", "--help"], ["report", "--help"],
                 ["users", "--help"], ["users", "add", "--help"], ["rebuild", "--help"]):
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == 0
        assert "usage: crm" in capsys.readouterr().out


def test_init_is_safe_to_rerun(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'c.db'}"
    assert main(["init", "--database-url", url]) == 0
    assert main(["init", "--database-url", url]) == 0
    assert "revision" in capsys.readouterr().out


def test_commands_need_schema(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'none.db'}"
    assert main(["report", "overview", "--database-url", url]) == 2
    assert "crm init" in capsys.readouterr().err


def test_bad_dates_are_clear_errors(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'd.db'}"
    main(["init", "--database-url", url])
    assert main(["report", "overview", "--database-url", url, "--from", "2026-02-01",
                 "--to", "2026-01-01"]) == 2
    with pytest.raises(SystemExit) as exc:
        main(["report", "overview", "--database-url", url, "--from", "31/02/2026"])
    assert exc.value.code == 2


def test_users_add_and_list(db_url, capsys):
    assert main(["users", "add", "lan", "--role", "staff", "--name", "Trần Thị Lan",
                 "--password", "mat-khau-123", "--database-url", db_url]) == 0
    assert main(["users", "add", "lan", "--role", "staff", "--password", "mat-khau-123",
                 "--database-url", db_url]) == 2
    capsys.readouterr()
    assert main(["users", "list", "--format", "json", "--database-url", db_url]) == 0
    users = json.loads(capsys.readouterr().out)
    assert [(u["username"], u["role"], u["display_name"]) for u in users] == [("lan", "staff", "Trần Thị Lan")]


def test_init_seed_report_overview_json(tmp_path):
    """The issue's acceptance line, run as a user would: three commands, valid JSON."""
    url = f"sqlite:///{tmp_path / 'e2e.db'}"
    crm = [sys.executable, "-m", "crm_data.cli"]
    env_run = dict(capture_output=True, text=True, timeout=300, check=True)
    subprocess.run([*crm, "init", "--database-url", url], **env_run)
    subprocess.run([*crm, "seed", "--customers", "2000", "--seed", "7", "--database-url", url], **env_run)
    out = subprocess.run([*crm, "report", "overview", "--format", "json", "--period", "last_12m",
                          "--database-url", url], **env_run).stdout
    doc = json.loads(out)
    kpis = doc["kpis"]
    for key in ("total_customers", "new_customers", "revenue", "orders"):
        assert isinstance(kpis[key], int)
    assert kpis["total_customers"] > 1000 and kpis["orders"] > 0 and kpis["revenue"] > 0
    # seeding again refuses; --if-empty is a no-op
    again = subprocess.run([*crm, "seed", "--customers", "10", "--database-url", url],
                           capture_output=True, text=True, timeout=120)
    assert again.returncode == 2
    subprocess.run([*crm, "seed", "--if-empty", "--database-url", url], **env_run)
