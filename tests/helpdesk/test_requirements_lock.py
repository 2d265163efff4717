"""The lock files say what is installed (README, "Dependencies"): every dependency that
pyproject.toml names is pinned there, at a version its specifier allows, with hashes.
A dependency added or changed without `make lock` fails here."""

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\]+)", re.MULTILINE)


def pins(lock: str) -> dict[str, str]:
    return {canonicalize_name(name): version for name, version in PIN.findall((ROOT / lock).read_text())}


LOCKS = {
    "requirements/base.txt": PROJECT["dependencies"],
    "requirements/demo.txt": [*PROJECT["dependencies"], *PROJECT["optional-dependencies"]["demo"]],
    "requirements/dev.txt": [
        *PROJECT["dependencies"],
        *PROJECT["optional-dependencies"]["test"],
        *PROJECT["optional-dependencies"]["dev"],
        *PROJECT["optional-dependencies"]["demo"],
    ],
}


@pytest.mark.parametrize("lock", LOCKS)
def test_every_dependency_is_pinned_at_a_version_it_allows(lock):
    pinned = pins(lock)
    for line in LOCKS[lock]:
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        assert name in pinned, f"{requirement.name} is not in {lock}: run make lock"
        assert requirement.specifier.contains(pinned[name], prereleases=True), (
            f"{lock} pins {requirement.name}=={pinned[name]}, pyproject.toml asks for {requirement.specifier}: run make lock"
        )


def test_the_runtime_lock_agrees_with_the_development_lock():
    dev = pins("requirements/dev.txt")
    assert {name: dev.get(name) for name in pins("requirements/base.txt")} == pins("requirements/base.txt")


@pytest.mark.parametrize("lock", LOCKS)
def test_every_pin_has_a_hash(lock):
    text = (ROOT / lock).read_text()
    for block in re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2]):
        if PIN.match(block):
            assert "--hash=sha256:" in block, block.splitlines()[0]
