"""The collector pause restores whatever state it found, also when the work fails."""

from __future__ import annotations

import gc

import pytest

from triage_tui.gcpause import collection_paused


def test_paused_inside_and_restored_after_even_on_error():
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collection_paused():
        assert not gc.isenabled()
        raise RuntimeError("work failed")
    assert gc.isenabled()


def test_a_pause_inside_start_up_leaves_the_collector_off():
    gc.disable()  # as start-up does until the first paint
    try:
        with collection_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
