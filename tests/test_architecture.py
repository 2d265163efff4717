"""The layers are written three times for three readers: as import-linter contracts in
pyproject.toml (what `make test` enforces), in the README's «Architecture» and in
docs/architecture.md. The two diagrams must say what the contracts say."""

import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def contract_layers() -> list[set[str]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    (layers,) = [c["layers"] for c in config["contracts"] if c["type"] == "layers"]
    return [{name.strip().strip("()") for name in layer.split("|")} for layer in layers]


def diagram_layers(document: str) -> list[set[str]]:
    """The ``` block that starts with the project layer: one layer a line, a line that
    starts with "|" continuing the one above, an optional label in the first column."""
    text = (ROOT / document).read_text()
    (block,) = re.findall(r"```\n(project .*?)```", text, flags=re.S)
    layers: list[str] = []
    for line in block.splitlines():
        line = line.strip()
        if line.startswith("|"):
            layers[-1] += " " + line
        else:
            label, _, rest = line.partition("   ")
            layers.append(rest if rest.strip() else label)
    return [{name.strip() for name in layer.split("|") if name.strip()} for layer in layers]


@pytest.mark.parametrize("document", ["README.md", "docs/architecture.md"])
def test_the_layers_diagram_says_what_the_contracts_say(document):
    assert diagram_layers(document) == contract_layers()


def test_every_app_is_in_the_contracts():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    apps = sorted(path.parent.name for path in ROOT.glob("*/apps.py"))
    assert sorted(config["root_packages"]) == sorted([*apps, "helpdesk"])
