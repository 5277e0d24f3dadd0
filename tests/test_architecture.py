"""Dependencies point one way: views -> forms -> services -> models."""

import ast
from pathlib import Path

import pytest
from jinja2 import TemplateSyntaxError

from portal import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "portal"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_views_and_templates_never_touch_the_database_session():
    for path in PACKAGE.glob("*/views.py"):
        assert "db.session" not in path.read_text(), path
    for path in (PROJECT_ROOT / "templates").rglob("*"):
        if path.is_file():
            assert "session.query" not in path.read_text() and "db.session" not in path.read_text(), path


def test_models_do_not_query_or_import_services():
    for path in (PACKAGE / "models").glob("*.py"):
        source = path.read_text()
        assert "select(" not in source and "db.session" not in source, path
        assert not any(m.startswith("portal.services") for m in _imports(path)), path


def test_services_do_not_import_views_or_forms():
    for path in (PACKAGE / "services").glob("*.py"):
        for module in _imports(path):
            assert not module.endswith((".views", ".forms")), (path, module)


def test_only_portal_htmx_imports_htmx_flask():
    for path in PACKAGE.rglob("*.py"):
        if path.name == "htmx.py" and path.parent == PACKAGE:
            continue
        assert not any(m.startswith("htmx_flask") for m in _imports(path)), path


def test_every_template_compiles(app):
    for path in (PROJECT_ROOT / "templates").rglob("*.*"):
        name = str(path.relative_to(PROJECT_ROOT / "templates"))
        try:
            app.jinja_env.get_template(name)
        except TemplateSyntaxError as error:  # pragma: no cover - the message is the point
            pytest.fail(f"{name}: {error}")
