"""No module of the project touches a library's private attribute (issue #14): an upgrade
of Django, DRF, drf-spectacular, Celery, kombu, redis-py, psycopg or allauth may change
those without notice. Every `obj._name` in the project's code must name something the
project itself defines (and no library defines), or one of the few underscore names the
libraries document; no import reaches into a library's private module or name."""

import ast
import importlib
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIPPED_DIRECTORIES = {".venv", "node_modules", ".git", "static", "staticfiles", "media"}
LIBRARIES = (
    "django",
    "rest_framework",
    "drf_spectacular",
    "django_filters",
    "celery",
    "kombu",
    "redis",
    "psycopg",
    "allauth",
)

# Underscore names the libraries document as their public API.
DOCUMENTED = {
    # Django's Model _meta API (docs: ref/models/meta).
    "_meta",
    # Django's managers (docs: topics/db/managers, "Default managers", "Base managers").
    "_default_manager",
    "_base_manager",
    # Django's custom user manager example (docs: topics/auth/customizing, "A full
    # example"): `user.save(using=self._db)`.
    "_db",
    # collections.namedtuple's methods and fields (e.g. urllib's SplitResult._replace).
    "_replace",
    "_asdict",
    "_fields",
    "_make",
}

# The project's own functions and methods whose names a library also uses privately,
# read one by one: none overrides or calls the library's (members.imports.real_run._Writer._update,
# S3Store._key, UserManager._create_user on BaseUserManager, which has none,
# public_processing._process, seed_bulk's Command._writer, the CSP test's Violations._add).
OWN_NAMES_ALSO_IN_LIBRARIES = {"_add", "_create_user", "_key", "_process", "_update", "_writer"}

LIBRARY_DEFINITION = re.compile(
    r"def (_[a-z]\w*)\(|\.(_[a-z]\w*)\s*=[^=]|^\s*(_[a-z]\w*)\s*=[^=]", re.MULTILINE
)


def project_files() -> list[Path]:
    return [
        path
        for path in ROOT.rglob("*.py")
        if not SKIPPED_DIRECTORIES & set(path.relative_to(ROOT).parts)
    ]


def is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def names_defined_by_the_project(trees) -> set[str]:
    """Functions, classes, arguments, assigned names and attributes, imports: any
    underscore name the project's own code brings into being."""
    defined = set()
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                defined.add(node.name)
            elif isinstance(node, ast.arg):
                defined.add(node.arg)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                defined.add(node.id)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                defined.add(node.attr)
            elif isinstance(node, ast.alias):
                defined.add(node.asname or node.name.split(".")[0])
    return {name for name in defined if is_private(name)}


def names_defined_by_the_libraries() -> set[str]:
    """Underscore names the libraries define (methods, attributes, module names): what a
    project method of the same name would override or shadow."""
    names = set()
    for library in LIBRARIES:
        for path in Path(importlib.import_module(library).__file__).parent.rglob("*.py"):
            for match in LIBRARY_DEFINITION.finditer(path.read_text(errors="replace")):
                names.add(next(group for group in match.groups() if group))
    return names


def private_names_touched(parsed: dict[str, ast.Module], library_names: set[str]) -> list[str]:
    own = names_defined_by_the_project(parsed.values())
    allowed = (own - library_names) | OWN_NAMES_ALSO_IN_LIBRARIES | DOCUMENTED
    touched = []
    for where, tree in parsed.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and is_private(node.attr):
                if node.attr not in allowed:
                    touched.append((where, node.lineno, f".{node.attr}"))
            elif isinstance(node, ast.ClassDef):
                # A method named like a library's private one overrides it.
                touched += [
                    (where, method.lineno, f"def {node.name}.{method.name}")
                    for method in node.body
                    if isinstance(method, ast.FunctionDef | ast.AsyncFunctionDef)
                    and is_private(method.name)
                    and method.name in library_names - allowed
                ]
            elif isinstance(node, ast.ImportFrom) and node.module:
                parts = node.module.split(".")
                names = [alias.name for alias in node.names]
                if parts[0] in LIBRARIES and any(map(is_private, parts + names)):
                    touched.append((where, node.lineno, f"from {node.module} import ..."))
    return [f"{where}:{line} {what}" for where, line, what in sorted(touched)]


def test_no_module_touches_a_private_attribute_of_a_library():
    parsed = {
        str(path.relative_to(ROOT)): ast.parse(path.read_text(), filename=str(path))
        for path in project_files()
    }
    touched = private_names_touched(parsed, names_defined_by_the_libraries())
    assert touched == [], "\n".join(touched)


def test_the_check_finds_what_the_old_schema_did():
    """The schema's former override of drf-spectacular's private methods is caught, and
    the project's own private helpers are not."""
    old_schema = ast.parse(
        "from drf_spectacular.openapi import AutoSchema\n"
        "from django.utils._os import safe_join\n"
        "class ApiAutoSchema(AutoSchema):\n"
        "    def _get_response_bodies(self, direction='response'):\n"
        "        if self._is_list_view():\n"
        "            return super()._get_response_bodies(direction)\n"
        "        return self._own_helper()\n"
        "    def _own_helper(self):\n"
        "        return {}\n"
    )
    library_names = {"_get_response_bodies", "_is_list_view"}
    assert private_names_touched({"schema.py": old_schema}, library_names) == [
        "schema.py:2 from django.utils._os import ...",
        "schema.py:4 def ApiAutoSchema._get_response_bodies",
        "schema.py:5 ._is_list_view",
        "schema.py:6 ._get_response_bodies",
    ]
    assert {"_get_response_bodies", "_is_list_view"} <= names_defined_by_the_libraries()
