from triage_tui.ui import words


def test_a_count_of_tickets_reads_as_written():
    assert [words.tickets(n) for n in (0, 1, 2)] == ["0 tickets", "1 ticket", "2 tickets"]
    assert words.tickets(1, "tagged") == "1 tagged ticket"
    assert words.tickets(3, "tagged") == "3 tagged tickets"
