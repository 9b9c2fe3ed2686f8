"""Every management command of the project answers `--help` (issue 10): a lazy translation
given as help text once crashed `import_popolo --help`."""

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import get_commands, load_command_class
from django.utils import translation

PROJECT = Path(settings.BASE_DIR).resolve()


def project_commands() -> list[tuple[str, str]]:
    """(app, command) of every command an app of this repository defines (not Django's or a
    library's), wherever the apps have moved them."""
    found = []
    for name, app in sorted(get_commands().items()):
        if app.startswith("django."):
            continue
        module = __import__(app, fromlist=["__file__"])
        if Path(module.__file__).resolve().is_relative_to(PROJECT) and ".venv" not in str(
            Path(module.__file__)
        ):
            found.append((app, name))
    return found


def test_the_project_has_commands_to_check():
    names = {name for _app, name in project_commands()}
    assert {"import_popolo", "import_roster", "load_seeds"} <= names


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize(("app", "name"), project_commands())
def test_it_prints_the_help_of_every_command(app, name, language):
    command = load_command_class(app, name)
    with translation.override(language):
        parser = command.create_parser("manage.py", name)
        out = io.StringIO()
        parser.print_help(out)
    text = out.getvalue()
    assert f"manage.py {name}" in text
    assert "--help" in text
