"""Config errors name the file and key; tokens: env first, then keyring, never leaked."""

from __future__ import annotations

import datetime as dt

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.errors import NoKeyringError, PasswordDeleteError

from triage_tui import secrets
from triage_tui.config import ConfigError, load_config


def write(tmp_path, text: str):
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


def test_defaults_without_a_file_follow_the_handbook(tmp_path):
    config = load_config(environ={"XDG_CONFIG_HOME": str(tmp_path)})
    assert config.sla.targets == {"free": None, "pay_as_you_go": 72.0, "boost": 48.0, "scale": 24.0, "enterprise": 8.0}
    assert config.sla.workdays == [0, 1, 2, 3, 4]
    assert config.zendesk.escalation_tag == "escalated" and config.zendesk.cs_tag == "cs_tagged"
    assert "PostHog/posthog-flutter" in config.github.repos


def test_env_vars_override_the_file(tmp_path):
    path = write(tmp_path, '[zendesk]\nurl = "https://a.zendesk.com"\nemail = "file@example.com"\n')
    config = load_config(
        path, environ={"TRIAGE_ZENDESK_URL": "http://127.0.0.1:9000", "TRIAGE_GITHUB_REPOS": "a/b, c/d"}
    )
    assert config.zendesk.base_url() == "http://127.0.0.1:9000"
    assert config.zendesk.email == "file@example.com"
    assert config.github.repos == ["a/b", "c/d"]


def test_triage_config_env_points_at_another_file(tmp_path):
    path = write(tmp_path, '[zendesk]\nsubdomain = "acme"\n')
    assert load_config(environ={"TRIAGE_CONFIG": str(path)}).zendesk.base_url() == "https://acme.zendesk.com"


def test_bad_value_names_file_key_and_expectation(tmp_path):
    path = write(tmp_path, "[sla]\nworkdays = [0, 9]\n")
    with pytest.raises(ConfigError) as error:
        load_config(path, environ={})
    message = str(error.value)
    assert str(path) in message and "sla.workdays" in message and "0 (Monday) to 6 (Sunday)" in message
    assert "\n" not in message


def test_unknown_key_and_bad_toml_and_missing_file(tmp_path):
    with pytest.raises(ConfigError, match=r"zendesk\.subdmain: unknown key"):
        load_config(write(tmp_path, '[zendesk]\nsubdmain = "x"\n'), environ={})
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(write(tmp_path, "[zendesk\n"), environ={})
    with pytest.raises(ConfigError, match="no such config file"):
        load_config(tmp_path / "nope.toml", environ={})
    with pytest.raises(ConfigError, match="sla.timezone: expected an IANA timezone"):
        load_config(write(tmp_path, '[sla]\ntimezone = "Mars/Olympus"\n'), environ={})


def test_env_strings_become_numbers_flags_and_lists(tmp_path):
    config = load_config(
        environ={
            "XDG_CONFIG_HOME": str(tmp_path),
            "TRIAGE_SYNC_ZENDESK_SECONDS": "45",
            "TRIAGE_UI_BELL": "false",
            "TRIAGE_SLA_WORKDAYS": "0,1,2",
            "TRIAGE_SLA_HOLIDAYS": "2026-12-25",
        }
    )
    assert config.sync.zendesk_seconds == 45.0 and config.ui.bell is False
    assert config.sla.workdays == [0, 1, 2] and config.sla.holidays == [dt.date(2026, 12, 25)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[sync]\nzendesk_seconds = "soon"\n', "sync.zendesk_seconds: expected a number (got 'soon')"),
        ("[ui]\nbell = 3\n", "ui.bell: expected true or false (got 3)"),
        ("[sla]\nday_end_hour = 30\n", "sla.day_end_hour: expected an hour between 0 and 24"),
        ('[sla]\nholidays = ["christmas"]\n', "sla.holidays: expected a list of dates such as 2026-12-25"),
        ('[sla.targets]\nscale = "fast"\n', "sla.targets: expected a table of plan = business hours"),
        ('zendesk = "x"\n', "zendesk: expected a table"),
        ('[keys]\n"ticket.solve" = 5\n', "keys: expected a table of binding id"),
    ],
)
def test_each_kind_of_bad_value_is_one_line_naming_the_key(tmp_path, text, expected):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as error:
        load_config(path, environ={})
    assert str(error.value).startswith(f"{path}: {expected}")
    assert "\n" not in str(error.value)


def test_replace_changes_only_the_named_keys(tmp_path):
    config = load_config(environ={"XDG_CONFIG_HOME": str(tmp_path)})
    changed = config.replace(ui={"bell": False}, cache_dir=tmp_path)
    assert changed.ui.bell is False and changed.ui.notifications is True and changed.cache_dir == tmp_path
    assert config.ui.bell is True and config.cache_dir is None


def test_example_config_is_valid(tmp_path):
    from triage_tui.config import EXAMPLE_CONFIG

    config = load_config(write(tmp_path, EXAMPLE_CONFIG), environ={})
    assert config.zendesk.my_groups == ["Product Analytics"]


class MemoryKeyring(KeyringBackend):
    priority = 1

    def __init__(self):
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.items.get((service, username))

    def set_password(self, service, username, password):
        self.items[(service, username)] = password

    def delete_password(self, service, username):
        if (service, username) not in self.items:
            raise PasswordDeleteError("none")
        del self.items[(service, username)]


class NoBackend(KeyringBackend):
    priority = 1

    def get_password(self, service, username):
        raise NoKeyringError("No recommended backend was available.")

    def set_password(self, service, username, password):
        raise NoKeyringError("No recommended backend was available.")

    def delete_password(self, service, username):
        raise NoKeyringError("No recommended backend was available.")


@pytest.fixture
def memory_keyring():
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def test_env_var_wins_over_the_keyring(memory_keyring):
    secrets.store("zendesk", "from-keyring")
    token = secrets.lookup("zendesk", environ={"TRIAGE_ZENDESK_TOKEN": "from-env"})
    assert token.value == "from-env" and token.origin == "env TRIAGE_ZENDESK_TOKEN"
    token = secrets.lookup("zendesk", environ={})
    assert token.value == "from-keyring" and token.origin == "keyring"


def test_missing_token_says_how_to_set_it(memory_keyring):
    token = secrets.lookup("github", environ={})
    assert (
        token.value is None and "triage-tui auth set github" in token.origin and "TRIAGE_GITHUB_TOKEN" in token.origin
    )


def test_clear_removes_and_reports(memory_keyring):
    secrets.store("incidentio", "x")
    assert secrets.clear("incidentio") is True
    assert secrets.clear("incidentio") is False


def test_headless_box_without_a_keyring_gets_guidance_not_a_traceback():
    previous = keyring.get_keyring()
    keyring.set_keyring(NoBackend())
    try:
        token = secrets.lookup("zendesk", environ={})
        assert token.value is None
        assert "TRIAGE_ZENDESK_TOKEN" in token.origin and "keyrings.alt" in token.origin
        with pytest.raises(secrets.SecretError, match="keyrings.alt"):
            secrets.store("zendesk", "x")
    finally:
        keyring.set_keyring(previous)


def test_token_repr_never_shows_the_value():
    token = secrets.Token("zendesk", "s3cr3t-value", "env")
    assert "s3cr3t" not in repr(token) and "s3cr3t" not in str(token)


def test_a_bad_env_value_names_the_variable_not_a_missing_file(tmp_path):
    environ = {"XDG_CONFIG_HOME": str(tmp_path), "TRIAGE_SYNC_ZENDESK_SECONDS": "abc"}
    with pytest.raises(ConfigError) as error:
        load_config(environ=environ)
    assert str(error.value) == "environment variable TRIAGE_SYNC_ZENDESK_SECONDS: expected a number (got 'abc')"
    assert "config.toml" not in str(error.value)


def test_with_a_file_present_each_error_still_names_its_own_origin(tmp_path):
    path = write(tmp_path, "[sync]\nzendesk_seconds = 30\n[ui]\nmouse = 'sometimes'\n")
    with pytest.raises(ConfigError, match=r"config\.toml: ui\.mouse: expected true or false"):
        load_config(path, environ={"TRIAGE_SYNC_ZENDESK_SECONDS": "15"})
    good = write(tmp_path, "[sync]\nzendesk_seconds = 30\n")
    with pytest.raises(ConfigError) as error:
        load_config(good, environ={"TRIAGE_UI_BELL": "loud"})
    assert str(error.value).startswith("environment variable TRIAGE_UI_BELL: expected true or false")
    assert load_config(good, environ={"TRIAGE_SYNC_ZENDESK_SECONDS": "15"}).sync.zendesk_seconds == 15.0


def test_a_missing_file_named_by_triage_config_says_so(tmp_path):
    with pytest.raises(ConfigError, match="no such config file \\(named by TRIAGE_CONFIG\\)"):
        load_config(environ={"TRIAGE_CONFIG": str(tmp_path / "nope.toml")})


def test_the_keyring_is_checked_before_anyone_types_a_token(memory_keyring):
    secrets.check_keyring("zendesk")  # a working keyring: no complaint
    keyring.set_keyring(NoBackend())
    with pytest.raises(secrets.SecretError, match="TRIAGE_ZENDESK_TOKEN"):
        secrets.check_keyring("zendesk")
    from keyring.backends import fail

    keyring.set_keyring(fail.Keyring())
    with pytest.raises(secrets.SecretError, match="keyrings.alt"):
        secrets.check_keyring("github")
