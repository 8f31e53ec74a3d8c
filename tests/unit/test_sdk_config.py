"""`[sdk]`: the SDK rotation's Zendesk filters by view id; a bad value is one line naming the
file and the key (issue 26)."""

from __future__ import annotations

import pytest

from triage_tui.config import SDK_ESCALATED_VIEW, SDK_MOBILE_VIEW, Config, ConfigError, load_config


def test_the_defaults_are_the_rotation_pages_two_filters():
    sdk = Config().sdk
    assert sdk.zendesk_views == [SDK_ESCALATED_VIEW, SDK_MOBILE_VIEW] and sdk.mobile_views == [SDK_MOBILE_VIEW]
    assert sdk.mobile_sla_factor == 0.5


def test_view_ids_are_read_from_the_file(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text("[sdk]\nzendesk_views = [123, 456]\nmobile_views = [456]\nmobile_sla_factor = 0.25\n")
    sdk = load_config(path, environ={}).sdk
    assert (sdk.zendesk_views, sdk.mobile_views, sdk.mobile_sla_factor) == ([123, 456], [456], 0.25)


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ('zendesk_views = ["escalated"]', "sdk.zendesk_views"),
        ("zendesk_views = 42", "sdk.zendesk_views"),
        ("mobile_views = [-1]", "sdk.mobile_views"),
        ("mobile_sla_factor = 2", "sdk.mobile_sla_factor"),
        ("views = [1]", "sdk.views"),
    ],
)
def test_a_bad_value_is_one_line_naming_the_file_and_the_key(tmp_path, line, key):
    path = tmp_path / "config.toml"
    path.write_text(f"[sdk]\n{line}\n")
    with pytest.raises(ConfigError) as raised:
        load_config(path, environ={})
    message = str(raised.value)
    assert "\n" not in message and message.startswith(f"{path}: {key}:")


def test_an_environment_value_names_its_variable(tmp_path):
    empty = tmp_path / "config.toml"
    empty.write_text("")
    with pytest.raises(ConfigError) as raised:
        load_config(empty, environ={"TRIAGE_SDK_ZENDESK_VIEWS": "12,abc"})
    assert str(raised.value).startswith("environment variable TRIAGE_SDK_ZENDESK_VIEWS: expected a list of")
    views = load_config(empty, environ={"TRIAGE_SDK_ZENDESK_VIEWS": "12, 34"}).sdk.zendesk_views
    assert views == [12, 34]
