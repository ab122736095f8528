import pytest
from django.core.exceptions import ImproperlyConfigured

from alliance.env import env_bool, env_int, env_list, parse_email_url


def test_smtp_url_gives_host_port_credentials_and_tls():
    config = parse_email_url("EMAIL_URL", "smtp://hub%40x.org:s%3Dcret@mail.example.org:587?tls=1")
    assert config["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert config["EMAIL_HOST"] == "mail.example.org"
    assert config["EMAIL_PORT"] == 587
    assert config["EMAIL_HOST_USER"] == "hub@x.org"
    assert config["EMAIL_HOST_PASSWORD"] == "s=cret"
    assert config["EMAIL_USE_TLS"] is True
    assert config["EMAIL_USE_SSL"] is False


def test_console_and_file_urls():
    assert parse_email_url("E", "console://")["EMAIL_BACKEND"].endswith("console.EmailBackend")
    assert parse_email_url("E", "file:///var/mail")["EMAIL_FILE_PATH"] == "/var/mail"


@pytest.mark.parametrize("raw", ["1", "true", "Yes", "ON"])
def test_true_values(monkeypatch, raw):
    monkeypatch.setenv("FLAG", raw)
    assert env_bool("FLAG", False) is True


@pytest.mark.parametrize("raw", ["0", "false", "No", "off", ""])
def test_false_values(monkeypatch, raw):
    monkeypatch.setenv("FLAG", raw)
    assert env_bool("FLAG", True) is False


def test_unset_values_take_the_default(monkeypatch):
    monkeypatch.delenv("FLAG", raising=False)
    assert env_bool("FLAG", True) is True
    assert env_int("FLAG", 7) == 7
    assert env_list("FLAG", ["a"]) == ["a"]


def test_lists_are_split_on_commas_and_trimmed(monkeypatch):
    monkeypatch.setenv("HOSTS", " a.org, b.org ,,")
    assert env_list("HOSTS", []) == ["a.org", "b.org"]


def test_nonsense_is_refused(monkeypatch):
    monkeypatch.setenv("FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="FLAG='maybe' is not a boolean"):
        env_bool("FLAG", False)
    monkeypatch.setenv("NUMBER", "ten")
    with pytest.raises(ImproperlyConfigured, match="NUMBER='ten' is not an integer"):
        env_int("NUMBER", 1)
