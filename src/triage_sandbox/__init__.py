"""The sandbox: a loopback server speaking the Zendesk, incident.io and GitHub APIs, seeded
with a realistic support team's data, as strict as the real services. It powers the demo,
the tests and the benchmarks, and imports nothing of the product it is there to judge."""
