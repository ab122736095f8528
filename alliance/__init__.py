from importlib.metadata import PackageNotFoundError, version

from alliance.celery import app as celery_app

try:
    # One source: pyproject.toml's version, tagged `v<version>` in git with its
    # CHANGELOG.md entry (docs/running/upgrades.md).
    __version__ = version("alliance-hub")
except PackageNotFoundError:  # a checkout run without installing the project
    __version__ = "unknown"

__all__ = ["__version__", "celery_app"]
