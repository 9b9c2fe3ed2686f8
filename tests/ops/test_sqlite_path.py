"""The embedded SQLite path (`make run`) keeps the roster rules: the same writer refuses the same
rows there, seats named by title go in, namesakes are not merged and ends follow a dissolution.

Run in a subprocess on a fresh SQLite file, since the suite's own database is PostgreSQL."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = r"""
import datetime as dt, json
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import translation
from committees.models import Committee
from members.models import Person, Role
from members.roster_import import roster_import
from members.selectors import member_counts, roster_on
from members.services import committee_dissolve, membership_appoint

out = {"vendor": connection.vendor}
data = Committee.objects.get(slug="bcd-du-lieu-tphcm")
seat = membership_appoint(committee=data, person=None, title="Thứ trưởng Bộ Tư pháp", reason="QĐ")
counts = member_counts(data)
out["counts"] = [counts.named, counts.title_only, counts.gap]
with translation.override("vi"):
    try:
        membership_appoint(committee=data, person=Person.objects.create(full_name="Phan Văn Mãi B",
                           slug="pvm-b"), role=Role.HEAD, reason="x")
    except ValidationError as exc:
        out["clash"] = exc.messages[0]
    rows = "Họ và tên,Cấp bậc,Vai trò,Chức vụ,Cơ quan,Ngày bắt đầu,Số quyết định\n"
    rows += "Lâm Đình Thắng,,Ủy viên,Phó Giám đốc Sở Tài chính,,,\n"
    plan = roster_import(committee=data, data=rows.encode(), dry_run=True)
    out["possible_matches"] = [m.full_name for m in plan.possible_matches]
ended = committee_dissolve(committee=data, on=dt.date(2026, 6, 30), reason="Giải thể")
out["ended"] = len(ended)
out["after"] = len(roster_on(data, dt.date(2026, 7, 1)))
print("RESULT " + json.dumps(out, ensure_ascii=False))
"""


def test_the_roster_rules_hold_on_the_embedded_sqlite_path(tmp_path):
    env = {
        key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL"}
    }
    env["DJANGO_VAR_DIR"] = str(tmp_path)
    manage = [sys.executable, str(ROOT / "manage.py")]
    for command in (["migrate", "--noinput", "-v", "0"], ["load_seeds"]):
        subprocess.run([*manage, *command], env=env, cwd=ROOT, check=True, capture_output=True)
    done = subprocess.run(
        [*manage, "shell", "-c", SCRIPT], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    line = next(line for line in done.stdout.splitlines() if line.startswith("RESULT "))
    result = json.loads(line.removeprefix("RESULT "))
    assert result["vendor"] == "sqlite"
    assert result["counts"] == [4, 1, 27]  # 32 declared: 4 named, 1 named by title only
    assert result["clash"].startswith("Vai trò Trưởng ban của ")
    assert "đang do Nguyễn Văn Được đảm nhiệm" in result["clash"]
    assert result["possible_matches"] == ["Lâm Đình Thắng"]
    assert result["ended"] == 5
    assert result["after"] == 0
