"""The config file `triage-tui config --example` (or the README) shows: every section, the
keys a user most often sets."""

EXAMPLE_CONFIG = """\
# triage-tui configuration: $XDG_CONFIG_HOME/triage-tui/config.toml
# Every scalar key can also be set as TRIAGE_<SECTION>_<KEY>, e.g. TRIAGE_ZENDESK_URL.
# Tokens never go here: use `triage-tui auth set zendesk` or TRIAGE_ZENDESK_TOKEN.

[zendesk]
subdomain = "posthoghelp"          # or url = "https://posthoghelp.zendesk.com"
email = "you@example.com"          # the agent the token belongs to
my_groups = ["Product Analytics"]  # your team's queue; empty = all unsolved tickets
sme_groups = ["Analytics", "Support"]
escalation_tag = "escalated"
cs_tag = "cs_tagged"               # Customer Success tagged the team: tier 1
plan_field = "plan"                # organization_fields key holding the plan
plan_tag_prefix = "plan_"          # a ticket tag plan_enterprise overrides the org's plan
severity_field = "Severity"        # the ticket field E edits as severity (found by its title)
# billing_lead = "lead@example.com"  # B adds this agent as a follower of a billing ticket

[incidentio]
url = "https://api.incident.io"
watcher_role = "Support Watcher"
status_page_url = "https://status.posthog.com"

[github]
url = "https://api.github.com"
repos = ["PostHog/posthog-js", "PostHog/posthog-python", "PostHog/posthog-ios",
         "PostHog/posthog-android", "PostHog/posthog-flutter"]
hero_label = "SDK Support Hero"
bug_repo = "PostHog/posthog"       # B on a ticket: bug reports and feature requests go here

[sdk]                              # the SDK rotation's Zendesk filters, listed in the SDK view (3)
zendesk_views = [33118780890267, 42222680081819]
mobile_views = [42222680081819]    # mobile SDK tickets: a shorter SLA
mobile_sla_factor = 0.5            # of the plan's target ("a bit faster"; the page gives no figure)

[sla]
timezone = "UTC"
workdays = [0, 1, 2, 3, 4]         # Monday..Friday: no weekend support
day_start = 00:00:00
day_end_hour = 24
holidays = [2026-12-25]
[sla.targets]                      # business hours to first/next reply; omit = no target
pay_as_you_go = 72
boost = 48
scale = 24
enterprise = 8

[sync]
zendesk_seconds = 30
incidentio_seconds = 60
github_seconds = 300

[ui]
theme = "textual-dark"
notifications = true
bell = true
mouse = true                       # false (or --no-mouse) saves bytes over SSH

[relay]                            # a team's relay (README "Running a relay"); no url: read Zendesk
# url = "tls://nats.example.com:4222"  # its password: `triage-tui auth set relay` or TRIAGE_RELAY_TOKEN
# user = "alex"

[keys]                             # binding id = keys, to change a default; `?` lists the ids
# "ticket.solve" = "S"             # e.g. solve with S; several keys: "S,ctrl+o"
"""
