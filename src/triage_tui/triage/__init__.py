"""The handbook's rules as pure functions: no IO, no UI framework, no HTTP."""
