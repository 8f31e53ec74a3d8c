"""The relay: one reader of a Zendesk account publishing to NATS JetStream, and the copies'
side of it (their feed and their presence). README "Running a relay" has the layout."""
