"""Issue 24: after a filter is cleared, the ticket under the cursor (the one the detail
shows and `s` acts on) is scrolled into view. Keys come in one burst, as a terminal sends
a fast typist's keys."""

from __future__ import annotations

from tests.app.test_type_ahead import settle
from tests.app.test_writes import burst
from tests.waiting import until


def cursor_in_view(table) -> bool:
    top = int(table.scroll_offset.y)
    body = table.size.height - 1  # the header line
    return top <= table.cursor < top + body


async def test_clearing_a_filter_scrolls_the_cursors_ticket_into_view(harness):
    app = harness.app()
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.main.queue_table
        deep = table.rows[len(table.rows) * 2 // 3].entry.id  # far below the first screen
        burst(app, "/" + str(deep))
        await until(pilot, lambda: table.current_id == deep, what="the filter finds the deep ticket")
        burst(app, "escape")
        await until(pilot, lambda: app.main.filter_text == "" and len(table.rows) > 40, what="filter cleared")
        await settle(pilot)
        assert table.current_id == deep
        assert table.cursor > table.size.height, "the ticket must be below the first screen"
        assert cursor_in_view(table), (table.cursor, table.scroll_offset.y, table.size.height)
