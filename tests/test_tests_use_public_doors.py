"""Tests reach the project's code through its public names (issue #14): a test that imports,
calls or patches a private helper of the project's modules pins how the code is written,
not what it does, and breaks on every reshaping. A fault a test needs is injected at a real
boundary (tests/fixtures/faults.py) or through a public, documented seam."""

import ast
from pathlib import Path

from tests.test_no_private_attributes import DOCUMENTED, is_private

TESTS = Path(__file__).resolve().parent
PROJECT_PACKAGES = {"alliance", "members", "campaigns", "statements", "osdi"}


def private_reaches(source: str) -> list[str]:
    """What a test module reaches of the project's private names: imports of them, `._name`
    on a name imported from the project, and monkeypatching of an underscore name."""
    tree = ast.parse(source)
    from_project = set()
    reaches = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            parts = node.module.split(".")
            if parts[0] not in PROJECT_PACKAGES:
                continue
            names = [alias.name for alias in node.names]
            if any(map(is_private, parts + names)):
                reaches.append(f"{node.lineno}: from {node.module} import {', '.join(names)}")
            from_project |= {alias.asname or alias.name for alias in node.names}
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] in PROJECT_PACKAGES:
                    if any(map(is_private, parts)):
                        reaches.append(f"{node.lineno}: import {alias.name}")
                    from_project.add(alias.asname or parts[0])
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and is_private(node.attr)
            and node.attr not in DOCUMENTED
            and isinstance(node.value, ast.Name | ast.Attribute)
            and _root(node.value) in from_project
        ):
            reaches.append(f"{node.lineno}: .{node.attr}")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in {"setattr", "delattr"}
        ):
            strings = [
                argument.value
                for argument in node.args[:2]
                if isinstance(argument, ast.Constant) and isinstance(argument.value, str)
            ]
            if any(is_private(part) for text in strings for part in text.split(".")):
                reaches.append(f"{node.lineno}: {node.func.attr}({', '.join(strings)})")
    return sorted(reaches, key=lambda reach: int(reach.split(":")[0]))


def _root(node: ast.expr) -> str | None:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def test_no_test_reaches_into_a_private_name_of_the_project():
    found = {
        str(path.relative_to(TESTS)): reaches
        for path in sorted(TESTS.rglob("*.py"))
        if (reaches := private_reaches(path.read_text()))
    }
    assert found == {}


def test_the_check_sees_each_way_of_reaching_in():
    source = (
        "from statements.services import public_processing, public_signing\n"
        "from alliance.context_processors import _htmx_url\n"
        "from statements.views._common import page_language\n"
        "import members.imports.real_run as real_run\n"
        "from members.models import Organisation\n"
        "def test(monkeypatch):\n"
        "    public_processing._process\n"
        "    real_run._Writer.write\n"
        "    monkeypatch.setattr(public_signing, '_next_wake_up', 0.0)\n"
        "    monkeypatch.setattr('alliance.core.outbox.services._shared_parts', None)\n"
        "    Organisation._meta.db_table\n"
        "    self._own_helper()\n"
    )
    assert private_reaches(source) == [
        "2: from alliance.context_processors import _htmx_url",
        "3: from statements.views._common import page_language",
        "7: ._process",
        "8: ._Writer",
        "9: setattr(_next_wake_up)",
        "10: setattr(alliance.core.outbox.services._shared_parts)",
    ]
