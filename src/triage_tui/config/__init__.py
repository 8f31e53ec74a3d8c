"""Configuration: a TOML file, overridden by TRIAGE_* environment variables.

A bad value is reported as one line naming the file, the key and what was expected
(`ConfigError`); the CLI turns that into exit code 2.

checks.py: how each value is checked; sections.py: the sections and their defaults;
loading.py: the file and the environment; example.py: the example file.
"""

from triage_tui.config.checks import SEARCH_VIEW, ConfigError
from triage_tui.config.example import EXAMPLE_CONFIG
from triage_tui.config.loading import default_config_path, load_config, xdg_dir
from triage_tui.config.sections import (
    DEFAULT_ESCALATION_GROUPS,
    DEFAULT_SDK_REPOS,
    DEFAULT_TEAM_LABELS,
    SDK_ESCALATED_VIEW,
    SDK_MOBILE_VIEW,
    Config,
    GithubConfig,
    IncidentioConfig,
    RelayConfig,
    SdkConfig,
    SlaConfig,
    SyncConfig,
    UiConfig,
    ZendeskConfig,
)

__all__ = [
    "DEFAULT_ESCALATION_GROUPS",
    "DEFAULT_SDK_REPOS",
    "DEFAULT_TEAM_LABELS",
    "EXAMPLE_CONFIG",
    "SDK_ESCALATED_VIEW",
    "SDK_MOBILE_VIEW",
    "SEARCH_VIEW",
    "Config",
    "ConfigError",
    "GithubConfig",
    "IncidentioConfig",
    "RelayConfig",
    "SdkConfig",
    "SlaConfig",
    "SyncConfig",
    "UiConfig",
    "ZendeskConfig",
    "default_config_path",
    "load_config",
    "xdg_dir",
]
