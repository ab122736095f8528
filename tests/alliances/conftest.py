import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def empty_cache():
    """The dashboard caches its groups: no test may see another's."""
    cache.clear()
    yield
    cache.clear()
