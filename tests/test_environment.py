"""The conda/Binder environment and pyproject.toml must name the same packages."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def package_name(requirement):
    """'numpy>=1.24' -> 'numpy' (lower case, '_' and '.' read as '-')."""
    name = re.match(r"\s*([A-Za-z0-9_.\-]+)", requirement).group(1)
    return re.sub(r"[_.]", "-", name).lower()


def pyproject_runtime_packages():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return {package_name(r) for r in project["dependencies"]}


def environment_conda_packages():
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = [d for d in environment["dependencies"] if isinstance(d, str)]
    return {package_name(d) for d in conda} - {"python", "pip"}


def test_environment_yml_and_pyproject_name_the_same_packages():
    in_pyproject = pyproject_runtime_packages()
    in_environment = environment_conda_packages()
    assert in_pyproject == in_environment, (
        f"only in pyproject.toml: {sorted(in_pyproject - in_environment)}; "
        f"only in environment.yml: {sorted(in_environment - in_pyproject)}"
    )


def test_environment_yml_uses_conda_forge_and_installs_the_checkout():
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert environment["channels"] == ["conda-forge"]
    pip_sections = [d["pip"] for d in environment["dependencies"] if isinstance(d, dict)]
    assert pip_sections == [["-e ."]]


def test_every_conda_dependency_has_a_comment_saying_what_it_is_for():
    text = (ROOT / "environment.yml").read_text()
    after_dependencies = text.split("dependencies:", 1)[1].splitlines()
    dependency_lines = [l for l in after_dependencies if re.match(r"\s+- [a-z-]", l)]
    assert dependency_lines, "no dependencies found in environment.yml"
    uncommented = [l.strip() for l in dependency_lines if "#" not in l and l.strip() != "- pip:"]
    assert not uncommented, f"dependencies without a comment: {uncommented}"


def test_versions_agree_between_environment_yml_and_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pinned = {package_name(r): r.replace(" ", "") for r in project["dependencies"]}
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    for dependency in environment["dependencies"]:
        if isinstance(dependency, str) and package_name(dependency) in pinned:
            spec = dependency.split("#")[0].replace(" ", "")
            assert spec == pinned[package_name(dependency)]
