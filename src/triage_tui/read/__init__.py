"""The read side: what the screen shows, read from the cache and ranked by the handbook.

`workspace` (the queue and its views, search), `entries` (a queued ticket and its row),
`detail` (one ticket in full), `catalog` (macros, incidents, issues), `people`, `search`
(the last "find in Zendesk"), `reads` (typed reads of the cache and outbox) and
`local_writes` (the values this copy keeps for itself). No UI framework here.
"""
