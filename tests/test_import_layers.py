"""The import-linter contract in pyproject.toml catches imports to the right."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def copy_tree(dest: Path) -> Path:
    shutil.copytree(
        ROOT / "herald",
        dest / "herald",
        ignore=shutil.ignore_patterns(
            "__pycache__", "*.html", "*.css", "*.js", "*.png", "*.po", "*.mo"
        ),
    )
    shutil.copy(ROOT / "pyproject.toml", dest / "pyproject.toml")
    return dest


def lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", str(tree / "pyproject.toml")],
        cwd=tree,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tree)},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    return copy_tree(tmp_path)


def test_contract_is_kept_by_the_code_as_it_is(tree):
    result = lint_imports(tree)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "KEPT" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "culprit"),
    [
        ("herald/core/_bad.py", "import herald.newsroom.models\n", "herald.core"),
        ("herald/members/_bad.py", "from herald import newsroom\n", "herald.members"),
    ],
)
def test_app_importing_an_app_to_its_right_breaks_the_contract(
    tree, module, line, culprit
):
    (tree / module).write_text(line)

    result = lint_imports(tree)

    assert result.returncode != 0
    assert "BROKEN" in result.stdout
    assert culprit in result.stdout


def test_an_app_that_does_not_exist_yet_is_checked_once_created(tree):
    # reactions is an optional layer: created later, it may import newsroom,
    # but newsroom may not import it.
    (tree / "herald" / "reactions").mkdir(exist_ok=True)
    (tree / "herald" / "reactions" / "__init__.py").write_text("")
    (tree / "herald" / "reactions" / "_ok.py").write_text("import herald.newsroom\n")
    assert lint_imports(tree).returncode == 0

    (tree / "herald" / "newsroom" / "_bad.py").write_text("import herald.reactions\n")
    result = lint_imports(tree)

    assert result.returncode != 0
    assert "herald.newsroom" in result.stdout
