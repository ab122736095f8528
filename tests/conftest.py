import pytest

pytest_plugins = [
    "tests.fixtures.personas",
    "tests.fixtures.services",
    "tests.fixtures.nginx",
    "tests.fixtures.browser",
    "tests.fixtures.site_tour",
    "tests.fixtures.form_pages",
    "tests.fixtures.osdi",
]


@pytest.fixture(autouse=True)
def _site_language():
    """Each test starts in the site's language: a request made by the test client leaves
    the language it chose active in the thread, which a later test calling code directly
    would otherwise inherit."""
    from django.conf import settings
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        yield
