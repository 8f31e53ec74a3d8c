"""The ticket keys' flows, one module per thing they do: each key's action on the screen
calls one function here (set a status, reply, pick a macro, escalate, attach, resolve)."""
