"""The handbook duties of issue 26 (part B) on the ticket screen, one module each: the
main screen takes them all through this one class."""

from __future__ import annotations

from triage_tui.ui.corrections import CorrectionScreen
from triage_tui.ui.field_edits import FieldEditScreen
from triage_tui.ui.guards import GuardScreen
from triage_tui.ui.raise_incident import RaiseIncidentScreen


class DutyScreen(GuardScreen, FieldEditScreen, RaiseIncidentScreen, CorrectionScreen):
    """Field edits, routing guards, raising an incident, follow-ups and corrections."""
