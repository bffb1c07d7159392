"""What an integration sends: `execute_kw` on /jsonrpc, authenticated by login and password."""

import json

from odoo.tests import get_db_name

TIMEOUT = 120


def execute_kw(case, uid, password, model, method, args, kwargs):
    """POST one `execute_kw` call from the HttpCase `case`; returns the HTTP response."""
    payload = {
        "jsonrpc": "2.0",
        "method": "call",
        "id": 1,
        "params": {
            "service": "object",
            "method": "execute_kw",
            "args": [get_db_name(), uid, password, model, method, list(args), kwargs],
        },
    }
    return case.url_open(
        "/jsonrpc",
        data=json.dumps(payload),
        headers={"Content-Type": "application/json"},
        timeout=TIMEOUT,
    )


def execute_kw_json(case, user, model, method, args, kwargs):
    """The same call through `make_jsonrpc_request`, authenticated by the user's login as
    password: returns the result, raises `JsonRpcException` with the error's name."""
    return case.make_jsonrpc_request(
        "/jsonrpc",
        {
            "service": "object",
            "method": "execute_kw",
            "args": [get_db_name(), user.id, user.login, model, method, list(args), kwargs],
        },
    )
