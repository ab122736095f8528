pytest_plugins = [
    "tests.fixtures.personas",
    "tests.fixtures.services",
    "tests.fixtures.nginx",
    "tests.fixtures.browser",
    "tests.fixtures.site_tour",
    "tests.fixtures.form_pages",
    "tests.fixtures.osdi",
]
