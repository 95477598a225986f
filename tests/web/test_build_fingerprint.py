"""The console's build fingerprint is the same in every process, however many apps it made.

A test process that had created an app got another OpenAPI document than `make test`'s build
(each `create_app()` appended a shared annotation's example once more), so its `ensure_built()`
rebuilt `web/dist` while another worker's browser was loading a lazy chunk of it (404)."""

from __future__ import annotations

import json

from api.app import create_app
from api.web.build import fingerprint, openapi_document


def test_the_document_does_not_grow_with_the_apps_a_process_made() -> None:
    first = openapi_document()
    create_app()
    create_app()
    again = openapi_document()
    assert again == first
    assert fingerprint(again) == fingerprint(first)
    session_id = json.loads(first)["components"]["schemas"]["SelectPhoneRequest"]["properties"]
    assert session_id["session_id"]["examples"] == ["renewal_2_0123456789ab"]
