"""Fill locale/vi/LC_MESSAGES/django.po from the translation tables in scripts/vi_*.py, then compile.

Run after `manage.py makemessages -l vi`: entries already translated are kept; msgfmt
must be on PATH (GNU gettext).
"""

import importlib.util
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "vi" / "LC_MESSAGES" / "django.po"


def load_tables() -> dict[str, str]:
    table: dict[str, str] = {}
    for path in sorted((ROOT / "scripts").glob("vi_*.py")):
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        table.update(module.VI)
    return table


def main() -> int:
    import polib

    table = load_tables()
    po = polib.pofile(str(PO))
    po.metadata["Language"] = "vi"
    po.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
    po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    missing = []
    for entry in po:
        if entry.msgid in table:
            entry.msgstr = table[entry.msgid]
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
        elif not entry.msgstr and not entry.msgid_plural:
            missing.append(entry.msgid)
    po.save(str(PO))
    command = ["msgfmt", "--check-format", "-o", str(PO.with_suffix(".mo")), str(PO)]
    subprocess.run(command, check=True)  # noqa: S603 (a fixed command)
    for msgid in missing:
        print(f"untranslated: {msgid!r}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
