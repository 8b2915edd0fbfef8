"""deploy/Dockerfile installs the package the way deploy/README.md documents, non-root, slim."""

import os
import re
import subprocess
import tomllib
from pathlib import Path

import pytest

from tests.deploy.conftest import ROOT

DOCKERFILE = ROOT / "deploy" / "Dockerfile"
# every document that shows the image's install line, after an `<!-- image-install: ... -->`
GUIDES = [ROOT / "deploy" / "README.md", ROOT / "README.md"]


def instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", path.read_text())
    lines = [line.strip() for line in text.splitlines()]
    pairs = [line.split(None, 1) for line in lines if line and not line.startswith("#")]
    return [(pair[0].upper(), pair[1] if len(pair) > 1 else "") for pair in pairs]


def stages(path: Path) -> list[list[tuple[str, str]]]:
    result: list[list[tuple[str, str]]] = []
    for instruction in instructions(path):
        if instruction[0] == "FROM":
            result.append([])
        if result:
            result[-1].append(instruction)
    return result


def extras_set(text: str) -> set[str]:
    return {extra.strip() for extra in text.split(",") if extra.strip()}


def dockerfile_extras() -> set[str]:
    args = [value for kind, value in instructions(DOCKERFILE) if kind == "ARG"]
    (default,) = [arg.split("=", 1)[1] for arg in args if arg.startswith("OASIS_EXTRAS=")]
    return extras_set(default.strip('"'))


def readme_extras(path: Path) -> set[str]:
    text = path.read_text()
    marker = text.index("<!-- image-install:")
    match = re.search(r'pip install "\.\[([^\]]*)\]"', text[marker:])
    assert match, f"no pip install line after the image-install marker in {path}"
    return extras_set(match.group(1))


def pip_install_lines() -> list[str]:
    runs = [value for kind, value in instructions(DOCKERFILE) if kind == "RUN"]
    return [run for run in runs if "pip install" in run]


@pytest.mark.parametrize("guide", GUIDES, ids=lambda path: str(path.relative_to(ROOT)))
def test_the_image_installs_the_extras_the_guide_documents(guide: Path) -> None:
    assert dockerfile_extras() == readme_extras(guide)


def install_target(extras: str) -> str:
    """What RUN's shell makes of the install line with OASIS_EXTRAS set to ``extras``."""
    (line,) = pip_install_lines()
    script = "echo " + line.split("pip install", 1)[1]
    env = {"OASIS_EXTRAS": extras, "PATH": os.environ["PATH"]}
    return subprocess.run(["sh", "-c", script], env=env, capture_output=True, text=True).stdout


@pytest.mark.parametrize(
    ("extras", "target"), [("embeddings", ".[embeddings]"), ("", "."), ("a,b", ".[a,b]")]
)
def test_the_install_line_expands_to_a_valid_requirement(extras: str, target: str) -> None:
    assert install_target(extras).strip() == target


def test_the_install_line_uses_the_extras_argument_from_the_source_tree() -> None:
    (line,) = pip_install_lines()
    assert '".${OASIS_EXTRAS:+[${OASIS_EXTRAS}]}"' in line
    assert not re.search(r"(^|\s)(-e|--editable)(\s|$)", line)


def test_the_extras_exist_and_leave_out_gpu_and_dev() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    declared = set(pyproject["project"]["optional-dependencies"])
    assert dockerfile_extras() <= declared
    assert {"gpu", "dev"}.isdisjoint(dockerfile_extras())


def test_the_build_copies_what_setuptools_needs() -> None:
    build = stages(DOCKERFILE)[0]
    copied = " ".join(value for kind, value in build if kind == "COPY")
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    for needed in ["pyproject.toml", pyproject["project"]["readme"], "oasis"]:
        assert re.search(rf"(^|\s){re.escape(needed)}(\s|$)", copied), needed


def test_dockerignore_lets_the_copied_paths_through() -> None:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    allowed = {line[1:].rstrip("/") for line in lines if line.startswith("!")}
    assert "**" in lines  # everything else stays out of the build context
    copies = [value.split() for kind, value in stages(DOCKERFILE)[0] if kind == "COPY"]
    sources = {source for *paths, _target in copies for source in paths}
    assert sources <= allowed


def test_the_final_stage_is_slim_and_runs_as_a_non_root_user() -> None:
    final = stages(DOCKERFILE)[-1]
    assert final[0][1].split()[0].endswith("-slim")
    users = [value for kind, value in final if kind == "USER"]
    assert users and users[-1] not in {"root", "0"}
    created = " ".join(value for kind, value in final if kind == "RUN")
    uid = re.search(rf"useradd .*--uid (\d+) .*{users[-1]}", created)
    assert uid and int(uid.group(1)) > 0
    assert any(kind == "COPY" and "--from=build" in value for kind, value in final)


@pytest.mark.parametrize("path", [ROOT / "docker-compose.yml", ROOT / ".env.example"])
def test_the_image_tag_follows_the_package_version(path: Path) -> None:
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert f"oasis-sim:{version}" in path.read_text()
