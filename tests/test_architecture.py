"""The domain never depends on the web layer (STYLE.md rule 1)."""

import ast
from pathlib import Path

import matcher

FORBIDDEN = ("flask", "flask_login", "flask_wtf", "flask_babel", "wtforms", "werkzeug", "web")


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def forbidden_imports(package_dir: Path) -> list[str]:
    found = []
    for path in sorted(package_dir.rglob("*.py")):
        for name in _imported_modules(path):
            if name.split(".")[0] in FORBIDDEN:
                found.append(f"{path.relative_to(package_dir.parent)} imports {name}")
    return found


def test_matcher_never_imports_the_web_layer():
    assert forbidden_imports(Path(matcher.__file__).parent) == []


def test_the_check_catches_a_flask_import(tmp_path):
    pkg = tmp_path / "matcher"
    pkg.mkdir()
    (pkg / "leaky.py").write_text("from flask import request\n", encoding="utf-8")
    assert forbidden_imports(pkg) == ["matcher/leaky.py imports flask"]
