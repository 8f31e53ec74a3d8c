"""The subset of the Zendesk Support API triage-tui uses, in Zendesk's own shapes.

Every path is served with and without `.json`. Lists answer offset-style (`next_page`,
`previous_page`, `count`) unless the request asks for cursor pagination with `page[size]`
(or `page[after]`/`page[before]`); cursor pages carry `meta` and real `links.prev`/`next`.
Roles and budgets are enforced before a request reaches this package (see `limits.py`).

`api.build` puts the endpoints together; each module registers one area's routes
(`tickets`, `directory`, `macros`, `tags`, `jobs`, `views`, `search`, `incremental`), and the
`*_rules` modules hold the business rules they decide with, without state.
"""
