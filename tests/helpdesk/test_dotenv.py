"""The project folder's .env: every setting may come from it, the real environment wins
over it. Each row imports a copy of the settings module whose project folder is a
temporary one holding only that .env, in a fresh interpreter."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SETTINGS = Path(__file__).resolve().parents[2] / "helpdesk" / "settings.py"
NAMES = ["VAR_DIR", "HELPDESK_NAME", "TIME_ZONE", "DEBUG"]


def settings_with(tmp_path: Path, dotenv: str, **variables) -> dict:
    project = tmp_path / "project"
    (project / "helpdesk").mkdir(parents=True)
    (project / "helpdesk" / "__init__.py").write_text("")
    shutil.copy(SETTINGS, project / "helpdesk" / "settings.py")
    (project / ".env").write_text(dotenv.replace("{tmp}", str(tmp_path)))
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in NAMES and key not in ("HELPDESK_VAR_DIR", "DJANGO_SETTINGS_MODULE", "PYTHONPATH")
    }
    env.update({"SECRET_KEY": "s" * 60, **{k: v.replace("{tmp}", str(tmp_path)) for k, v in variables.items()}})
    script = (
        "import json; from helpdesk import settings as s; "
        f"print(json.dumps({{n: str(getattr(s, n)) for n in {NAMES!r}}}))"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=project, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return {name: value.replace(str(tmp_path), "{tmp}") for name, value in json.loads(result.stdout).items()}


@pytest.mark.parametrize(
    ("dotenv", "variables", "expected"),
    [
        # Nothing set: the defaults, the var folder inside the project folder.
        ("", {}, {"VAR_DIR": "{tmp}/project/var", "HELPDESK_NAME": "Mesa de ayuda", "DEBUG": "False"}),
        # Only in .env: honoured, the var folder included (it is read before the file was).
        (
            "HELPDESK_VAR_DIR={tmp}/from-dotenv\nHELPDESK_NAME=Soporte Norte\nTIME_ZONE=America/Bogota\nDEBUG=1\n",
            {},
            {"VAR_DIR": "{tmp}/from-dotenv", "HELPDESK_NAME": "Soporte Norte", "TIME_ZONE": "America/Bogota", "DEBUG": "True"},
        ),
        # In both: the environment wins.
        (
            "HELPDESK_VAR_DIR={tmp}/from-dotenv\nHELPDESK_NAME=Soporte Norte\n",
            {"HELPDESK_VAR_DIR": "{tmp}/from-environment", "HELPDESK_NAME": "Soporte Sur"},
            {"VAR_DIR": "{tmp}/from-environment", "HELPDESK_NAME": "Soporte Sur"},
        ),
    ],
    ids=["defaults", "dotenv-only", "environment-wins"],
)
def test_dotenv_variables_are_honoured_and_the_environment_wins(tmp_path, dotenv, variables, expected):
    settings = settings_with(tmp_path, dotenv, **variables)
    assert {name: settings[name] for name in expected} == expected
