# ruff: noqa: E501 (the table of cases keeps one call per line)
"""Bad input over JSON-RPC: every public method and route, as an integration or an attacker
would call them. Each case gets a clear business error (UserError and its subclasses, with a
message saying what is wrong) and writes nothing; never a 500, a TypeError or a psycopg2 error.

One test per row of CASES: (name, user, model, method, args, kwargs, error, message). Args and
kwargs may name fixtures with "@fixture" strings (replaced by the fixture's id, or list of ids
for "@@fixture"), so the table reads like the calls an RPC client makes.
"""

from odoo import Command
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from odoo.addons.order_termination.tests.common import TerminationCase

from .jsonrpc import execute_kw

USER_ERROR = "odoo.exceptions.UserError"
ACCESS_ERROR = "odoo.exceptions.AccessError"
MISSING_ERROR = "odoo.exceptions.MissingError"
VALIDATION_ERROR = "odoo.exceptions.ValidationError"

# Seconds an HTTP call may take (a loaded CI machine is slow; the default is 12).
TIMEOUT = 120

SO = "sale.order"
REQ = "sale.termination.request"

# name, user, model, method, args, kwargs, error class, text the message contains
CASES = [
    # ---- cancel_with_reversal ------------------------------------------------------------------
    ("cancel_reason_string", "manager", SO, "cancel_with_reversal", ["@@delivered", "x"], {}, USER_ERROR, "argument reason"),
    ("cancel_reason_unknown_id", "manager", SO, "cancel_with_reversal", ["@@delivered", 999999], {}, USER_ERROR, "id 999999"),
    ("cancel_reason_negative_id", "manager", SO, "cancel_with_reversal", ["@@delivered", -3], {}, USER_ERROR, "id -3"),
    ("cancel_reason_archived", "manager", SO, "cancel_with_reversal", ["@@delivered", "@cancel_reason_archived"], {}, USER_ERROR, "archived"),
    ("cancel_reason_other_company", "manager", SO, "cancel_with_reversal", ["@@delivered", "@cancel_reason_other_company"], {}, USER_ERROR, "another company"),
    ("cancel_reason_boolean", "manager", SO, "cancel_with_reversal", ["@@delivered", True], {}, USER_ERROR, "argument reason"),
    ("cancel_reason_list", "manager", SO, "cancel_with_reversal", ["@@delivered", [1, 2]], {}, USER_ERROR, "argument reason"),
    ("cancel_reason_missing", "manager", SO, "cancel_with_reversal", ["@@delivered", None], {}, USER_ERROR, "Choose a"),
    ("cancel_receive_returns_string", "manager", SO, "cancel_with_reversal", ["@@delivered", "@reason"], {"receive_returns": "false"}, USER_ERROR, "receive_returns"),
    ("cancel_refund_payments_string", "manager", SO, "cancel_with_reversal", ["@@delivered", "@reason"], {"refund_payments": "no"}, USER_ERROR, "refund_payments"),
    ("cancel_refund_payments_integer", "manager", SO, "cancel_with_reversal", ["@@delivered", "@reason"], {"refund_payments": 1}, USER_ERROR, "true or false"),
    ("cancel_note_dict", "manager", SO, "cancel_with_reversal", ["@@delivered", "@reason"], {"note": {"a": 1}}, USER_ERROR, "must be a text"),
    ("cancel_unknown_order", "manager", SO, "cancel_with_reversal", [[999999], "@reason"], {}, MISSING_ERROR, "999999"),
    ("cancel_other_company_order", "manager", SO, "cancel_with_reversal", ["@@other_company_order", "@reason"], {}, ACCESS_ERROR, ""),
    ("cancel_other_salesmans_order", "salesman", SO, "cancel_with_reversal", ["@@managers_order", "@reason"], {}, ACCESS_ERROR, ""),
    ("cancel_already_cancelled", "manager", SO, "cancel_with_reversal", ["@@cancelled", "@reason"], {}, USER_ERROR, "already cancelled"),
    # ---- impacts -------------------------------------------------------------------------------
    ("cancel_impact_unknown_order", "manager", SO, "get_cancel_impact", [[999999]], {}, MISSING_ERROR, "999999"),
    ("revoke_impact_unknown_order", "manager", SO, "get_revoke_impact", [[999999]], {}, MISSING_ERROR, "999999"),
    ("revoke_impact_other_salesmans_order", "salesman", SO, "get_revoke_impact", ["@@managers_order"], {}, ACCESS_ERROR, ""),
    # ---- revoke_cancel -------------------------------------------------------------------------
    ("revoke_note_number", "manager", SO, "revoke_cancel", ["@@cancelled"], {"note": 42}, USER_ERROR, "must be a text"),
    ("revoke_unknown_order", "manager", SO, "revoke_cancel", [[999999]], {}, MISSING_ERROR, "999999"),
    ("revoke_not_cancelled", "manager", SO, "revoke_cancel", ["@@delivered"], {}, USER_ERROR, "not cancelled"),
    ("revoke_as_salesman", "salesman", SO, "revoke_cancel", ["@@cancelled"], {}, ACCESS_ERROR, "revoke"),
    # ---- request_termination -------------------------------------------------------------------
    ("request_reason_string", "salesman", SO, "request_termination", ["@@delivered", "x", "Why"], {}, USER_ERROR, "argument reason"),
    ("request_reason_unknown_id", "salesman", SO, "request_termination", ["@@delivered", 999999, "Why"], {}, USER_ERROR, "id 999999"),
    ("request_reason_archived", "salesman", SO, "request_termination", ["@@delivered", "@term_reason_archived", "Why"], {}, USER_ERROR, "archived"),
    ("request_reason_other_company", "salesman", SO, "request_termination", ["@@delivered", "@term_reason_other_company", "Why"], {}, USER_ERROR, "another company"),
    ("request_description_missing", "salesman", SO, "request_termination", ["@@delivered", "@term_reason", None], {}, USER_ERROR, "description is required"),
    ("request_description_number", "salesman", SO, "request_termination", ["@@delivered", "@term_reason", 42], {}, USER_ERROR, "must be a text"),
    ("request_customer_confirmation_string", "salesman", SO, "request_termination", ["@@delivered", "@term_reason", "Why"], {"customer_confirmation": "false"}, USER_ERROR, "customer_confirmation"),
    ("request_receive_returns_string", "salesman", SO, "request_termination", ["@@delivered", "@term_reason", "Why"], {"receive_returns": "true"}, USER_ERROR, "receive_returns"),
    ("request_on_cancelled_order", "manager", SO, "request_termination", ["@@cancelled", "@term_reason", "Why"], {}, USER_ERROR, "not a confirmed order"),
    ("request_on_other_salesmans_order", "salesman", SO, "request_termination", ["@@managers_order", "@term_reason", "Why"], {}, ACCESS_ERROR, ""),
    # ---- close / reopen / checklist ------------------------------------------------------------
    ("close_reason_unknown_id", "manager", SO, "close", ["@@settled"], {"reason": 999999}, USER_ERROR, "id 999999"),
    ("close_reason_string", "manager", SO, "close", ["@@settled"], {"reason": "abc"}, USER_ERROR, "argument reason"),
    ("close_reason_archived", "manager", SO, "close", ["@@settled"], {"reason": "@close_reason_archived"}, USER_ERROR, "archived"),
    ("close_reason_other_company", "manager", SO, "close", ["@@settled"], {"reason": "@close_reason_other_company"}, USER_ERROR, "another company"),
    ("close_force_string", "manager", SO, "close", ["@@settled"], {"reason": "@close_reason", "force": "false"}, USER_ERROR, "argument force"),
    ("close_note_list", "manager", SO, "close", ["@@settled"], {"note": []}, USER_ERROR, "must be a text"),
    ("close_unknown_order", "manager", SO, "close", [[999999]], {}, MISSING_ERROR, "999999"),
    ("close_unfinished_order", "manager", SO, "close", ["@@delivered"], {}, USER_ERROR, "cannot be closed yet"),
    ("reopen_note_empty", "manager", SO, "reopen", ["@@closed", ""], {}, USER_ERROR, "note is required"),
    ("reopen_note_number", "manager", SO, "reopen", ["@@closed", 5], {}, USER_ERROR, "must be a text"),
    ("reopen_not_closed", "manager", SO, "reopen", ["@@settled", "Why"], {}, USER_ERROR, "not closed"),
    ("reopen_as_salesman", "salesman", SO, "reopen", ["@@closed", "Why"], {}, ACCESS_ERROR, "reopen"),
    ("checklist_two_orders", "manager", SO, "get_close_checklist", ["@@settled+delivered"], {}, USER_ERROR, "exactly one"),
    ("checklist_no_order", "manager", SO, "get_close_checklist", [[]], {}, USER_ERROR, "exactly one"),
    ("checklist_unknown_order", "manager", SO, "get_close_checklist", [[999999]], {}, MISSING_ERROR, "999999"),
    # ---- termination request -------------------------------------------------------------------
    ("approve_comment_number", "approver", REQ, "action_approve", ["@@request"], {"comment": 42}, USER_ERROR, "must be a text"),
    ("approve_not_an_approver", "salesman", REQ, "action_approve", ["@@request"], {}, ACCESS_ERROR, "may not decide"),
    ("approve_unknown_request", "approver", REQ, "action_approve", [[999999]], {}, MISSING_ERROR, "999999"),
    ("reject_comment_missing", "approver", REQ, "action_reject", ["@@request", None], {}, USER_ERROR, "comment is required"),
    ("reject_comment_list", "approver", REQ, "action_reject", ["@@request", ["no"]], {}, USER_ERROR, "must be a text"),
    ("withdraw_unknown_request", "salesman", REQ, "action_withdraw", [[999999]], {}, MISSING_ERROR, "999999"),
    ("withdraw_by_someone_else", "approver", REQ, "action_withdraw", ["@@request"], {}, ACCESS_ERROR, "withdraw"),
    ("execute_not_approved", "manager", REQ, "action_execute", ["@@request"], {}, USER_ERROR, "cannot terminate"),
    ("respond_accept_string", "manager", REQ, "customer_respond", ["@@request_to_confirm", "false"], {}, USER_ERROR, "argument accept"),
    ("respond_two_requests", "manager", REQ, "customer_respond", ["@@request_to_confirm+request", True], {}, USER_ERROR, "exactly one"),
    ("respond_without_token", "manager", REQ, "customer_respond", ["@@request", True], {}, ACCESS_ERROR, "signed in as staff"),
    # ---- place_hold / release_hold ------------------------------------------------------------
    ("hold_reason_string", "manager", SO, "place_hold", ["@@delivered", "x"], {}, USER_ERROR, "argument reason"),
    ("hold_reason_unknown_id", "manager", SO, "place_hold", ["@@delivered", 999999], {}, USER_ERROR, "id 999999"),
    ("hold_reason_archived", "manager", SO, "place_hold", ["@@delivered", "@hold_reason_archived"], {}, USER_ERROR, "archived"),
    ("hold_reason_other_company", "manager", SO, "place_hold", ["@@delivered", "@hold_reason_other_company"], {}, USER_ERROR, "another company"),
    ("hold_reason_boolean", "manager", SO, "place_hold", ["@@delivered", True], {}, USER_ERROR, "argument reason"),
    ("hold_reason_missing", "manager", SO, "place_hold", ["@@delivered", None], {}, USER_ERROR, "Choose a"),
    ("hold_note_dict", "manager", SO, "place_hold", ["@@delivered", "@hold_reason"], {"note": {"a": 1}}, USER_ERROR, "must be a text"),
    ("hold_unknown_order", "manager", SO, "place_hold", [[999999], "@hold_reason"], {}, MISSING_ERROR, "999999"),
    ("hold_other_salesmans_order", "salesman", SO, "place_hold", ["@@managers_order", "@hold_reason"], {}, ACCESS_ERROR, ""),
    ("hold_reason_of_another_group", "salesman", SO, "place_hold", ["@@delivered", "@hold_reason_credit"], {}, ACCESS_ERROR, "termination managers"),
    ("hold_already_held", "manager", SO, "place_hold", ["@@held", "@hold_reason"], {}, USER_ERROR, "already on hold"),
    ("hold_cancelled_order", "manager", SO, "place_hold", ["@@cancelled", "@hold_reason"], {}, USER_ERROR, "is cancelled"),
    ("hold_closed_order", "manager", SO, "place_hold", ["@@closed", "@hold_reason"], {}, USER_ERROR, "is closed"),
    ("release_not_held", "manager", SO, "release_hold", ["@@delivered"], {}, USER_ERROR, "not on hold"),
    ("release_note_number", "manager", SO, "release_hold", ["@@held"], {"note": 5}, USER_ERROR, "must be a text"),
    ("release_reason_of_another_group", "salesman", SO, "release_hold", ["@@held"], {}, ACCESS_ERROR, "termination managers"),
    ("release_unknown_order", "manager", SO, "release_hold", [[999999]], {}, MISSING_ERROR, "999999"),
    # ---- settings ------------------------------------------------------------------------------
    ("settings_negative_revoke_window", "admin", "res.company", "write", ["@@company", {"revoke_cancel_days": -1}], {}, VALIDATION_ERROR, "revoke window"),
    ("settings_huge_revoke_window", "admin", "res.company", "write", ["@@company", {"revoke_cancel_days": 10**9}], {}, VALIDATION_ERROR, "3650"),
    ("settings_negative_auto_close", "admin", "res.company", "write", ["@@company", {"auto_close_days": -5}], {}, VALIDATION_ERROR, "automatic close delay"),
    ("settings_huge_auto_close", "admin", "res.company", "write", ["@@company", {"auto_close_days": 3651}], {}, VALIDATION_ERROR, "3650"),
    ("settings_page_negative_revoke_window", "admin", "res.config.settings", "create", [{"revoke_cancel_days": -7}], {}, VALIDATION_ERROR, "revoke window"),
    ("settings_page_huge_auto_close", "admin", "res.config.settings", "create", [{"auto_close_days": 2**40}], {}, VALIDATION_ERROR, "automatic close delay"),
]  # fmt: skip


@tagged("post_install", "-at_install")
class TestRpcBadInput(TerminationCase, HttpCase):
    """Each row of CASES is a test (see the module docstring)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rpc_users = {
            "salesman": cls.company_user("bad_salesman", "sales_team.group_sale_salesman"),
            "manager": cls.company_user(
                "bad_manager",
                "sales_team.group_sale_manager,stock.group_stock_user,"
                "account.group_account_invoice",
            ),
            "approver": cls.warehouse_approver,
        }
        cls.rpc_users["admin"] = cls.env.ref("base.user_admin")
        cls.passwords = {"admin": "admin"}
        cls.step_fin.active = False
        cls.other_company = cls.env["res.company"].create({"name": "Bad input other company"})
        salesman = cls.rpc_users["salesman"]
        cls.cancel_reason = cls.env.ref("order_revoke_cancel.cancel_reason_customer_request")
        CancelReason = cls.env["sale.order.cancel.reason"]
        TermReason = cls.env["sale.termination.reason"]
        CloseReason = cls.env["sale.close.reason"]
        HoldReason = cls.env["sale.hold.reason"]
        cls.close_reason = CloseReason.create({"name": "Bad input close"})
        fixtures = {
            "reason": cls.cancel_reason,
            "cancel_reason_archived": CancelReason.create({"name": "Old", "active": False}),
            "cancel_reason_other_company": CancelReason.create(
                {"name": "Other company's", "company_id": cls.other_company.id}
            ),
            "term_reason": cls.reason,
            "term_reason_archived": TermReason.create({"name": "Old", "active": False}),
            "term_reason_other_company": TermReason.create(
                {"name": "Other company's", "company_id": cls.other_company.id}
            ),
            "close_reason": cls.close_reason,
            "close_reason_archived": CloseReason.create({"name": "Old", "active": False}),
            "close_reason_other_company": CloseReason.create(
                {"name": "Other company's", "company_id": cls.other_company.id}
            ),
            "company": cls.company,
            "hold_reason": cls.env.ref("order_termination.hold_reason_customer_dispute"),
            "hold_reason_credit": cls.env.ref("order_termination.hold_reason_credit_check"),
            "hold_reason_archived": HoldReason.create({"name": "Old", "active": False}),
            "hold_reason_other_company": HoldReason.create(
                {"name": "Other company's", "company_id": cls.other_company.id}
            ),
        }
        fixtures["delivered"] = cls._order(salesman, deliver=True, invoice=True)
        fixtures["managers_order"] = cls._order(cls.rpc_users["manager"], deliver=True)
        fixtures["cancelled"] = cls._order(salesman, deliver=True, invoice=True)
        fixtures["cancelled"].cancel_with_reversal(cls.cancel_reason)
        fixtures["settled"] = cls._order(salesman, deliver=True, invoice=True, pay=True)
        fixtures["closed"] = cls._order(salesman, deliver=True, invoice=True, pay=True)
        fixtures["closed"].close(note="Settled")
        fixtures["held"] = cls._order(salesman)
        fixtures["held"].place_hold(fixtures["hold_reason_credit"], "Over the limit.")
        fixtures["other_company_order"] = cls.env["sale.order"].create(
            {
                "partner_id": cls.partner_a.id,
                "company_id": cls.other_company.id,
                "order_line": [Command.create({"product_id": cls.service.id})],
            }
        )
        term_order = cls._order(salesman)
        fixtures["request"] = term_order.with_user(salesman).request_termination(
            cls.reason, "The customer moved abroad."
        )
        confirm_order = cls._order(salesman)
        fixtures["request_to_confirm"] = confirm_order.with_user(salesman).request_termination(
            cls.reason, "The customer must agree.", customer_confirmation=True
        )
        fixtures["request_to_confirm"].with_user(cls.warehouse_approver).action_approve()
        assert fixtures["request"].state == "to_approve"
        assert fixtures["request_to_confirm"].state == "to_confirm"
        cls.fixtures = fixtures

    @classmethod
    def _order(cls, user, deliver=False, invoice=False, pay=False):
        order = cls.env["sale.order"].create(
            {
                "partner_id": cls.partner_a.id,
                "user_id": user.id,
                "order_line": [Command.create({"product_id": cls.storable.id, "price_unit": 100})],
            }
        )
        order.action_confirm()
        if deliver:
            picking = order.picking_ids
            for move in picking.move_ids:
                move.quantity = move.product_uom_qty
                move.picked = True
            picking.button_validate()
        if invoice:
            invoice_move = order._create_invoices()
            invoice_move.action_post()
            if pay:
                cls.env["account.payment.register"].with_context(
                    active_model="account.move", active_ids=invoice_move.ids
                ).create({})._create_payments()
        return order

    # ---- calling and looking -------------------------------------------------------------------
    def resolve(self, value):
        """Replace "@name" by the fixture's id and "@@a+b" by the ids of fixtures a and b."""
        if isinstance(value, str) and value.startswith("@@"):
            return [self.fixtures[name].id for name in value[2:].split("+")]
        if isinstance(value, str) and value.startswith("@"):
            return self.fixtures[value[1:]].id
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if isinstance(value, dict):
            return {k: self.resolve(v) for k, v in value.items()}
        return value

    def call(self, user_key, model, method, args, kwargs):
        """execute_kw on /jsonrpc; returns (result, error dict or None, HTTP status)."""
        user = self.rpc_users[user_key]
        password = self.passwords.get(user_key, user.login)
        response = execute_kw(self, user.id, password, model, method, args, kwargs)
        answer = response.json() if response.status_code == 200 else {}
        return answer.get("result"), answer.get("error"), response.status_code

    def snapshot(self):
        """Everything a refused call must leave as it was."""
        self.env.invalidate_all()
        orders = self.env["sale.order"].browse(
            [r.id for r in self.fixtures.values() if r._name == "sale.order"]
            + self.fixtures["request"].order_id.ids
            + self.fixtures["request_to_confirm"].order_id.ids
        )
        requests = self.fixtures["request"] | self.fixtures["request_to_confirm"]
        return {
            "orders": orders.read(
                [
                    "state",
                    "locked",
                    "is_closed",
                    "cancel_reason_id",
                    "close_reason_id",
                    "hold_reason_id",
                    "hold_date",
                    "write_date",
                ]
            ),
            "requests": requests.read(["state", "customer_response", "write_date"]),
            "approvals": requests.approval_ids.read(["state", "reviewer_id", "comment"]),
            "companies": self.company.read(["revoke_cancel_days", "auto_close_days"]),
            "counts": {
                model: self.env[model].sudo().search_count([])
                for model in (
                    "sale.order",
                    "sale.order.cancellation",
                    "sale.termination.request",
                    "stock.picking",
                    "account.move",
                    "account.payment",
                )
            },
        }


def _make_test(case):
    name, user, model, method, args, kwargs, error_class, text = case

    def test(self):
        before = self.snapshot()
        with mute_logger("odoo.http", "odoo.addons.base.controllers.rpc", "odoo.sql_db"):
            result, error, status = self.call(
                user, model, method, self.resolve(args), self.resolve(kwargs)
            )
        self.assertEqual(status, 200, msg=f"{name}: JSON-RPC answers (no HTTP 500)")
        self.assertIsNotNone(error, msg=f"{name}: refused, but it answered {result!r}")
        data = error.get("data") or {}
        self.assertEqual(
            data.get("name"),
            error_class,
            msg=f"{name}: a {error_class}, got {data.get('name')}: {data.get('message')}",
        )
        self.assertIn(
            text.lower(),
            (data.get("message") or "").lower(),
            msg=f"{name}: the message says what is wrong",
        )
        self.assertEqual(self.snapshot(), before, msg=f"{name}: nothing was written")

    test.__name__ = f"test_{name}"
    test.__doc__ = f"{model}.{method} as {user}: {error_class.rsplit('.', 1)[-1]}"
    return test


for _case in CASES:
    setattr(TestRpcBadInput, f"test_{_case[0]}", _make_test(_case))


@tagged("post_install", "-at_install")
class TestPortalBadInput(TerminationCase, HttpCase):
    """The portal routes with wrong ids, tokens and decisions: 4xx, nothing written."""

    def setUp(self):
        super().setUp()
        (self.step_wh | self.step_fin).active = False
        order = self.confirmed_order()
        self.termination = order.with_user(self.requester).request_termination(
            self.reason_confirm, "The customer must agree."
        )
        self.url = f"/my/terminations/{self.termination.id}"

    def csrf(self):
        page = self.url_open(
            f"{self.url}?access_token={self.termination.access_token}", timeout=TIMEOUT
        ).text
        return page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]

    def assertUntouched(self, label):
        self.env.invalidate_all()
        self.assertEqual(self.termination.state, "to_confirm", msg=f"{label}: still waiting")
        self.assertFalse(self.termination.customer_response, msg=f"{label}: no answer recorded")
        self.assertEqual(self.termination.order_id.state, "sale", msg=f"{label}: order goes on")

    def test_portal_bad_input_table(self):
        token = self.termination.access_token
        csrf = self.csrf()
        cases = [
            ("GET non-numeric id", "GET", "/my/terminations/abc", None, 404),
            ("GET unknown id", "GET", f"/my/terminations/999999?access_token={token}", None, 404),
            ("GET huge id", "GET", f"/my/terminations/{2**63}?access_token={token}", None, 404),
            ("GET wrong token", "GET", f"{self.url}?access_token=nope", None, 403),
            (
                "POST unknown decision",
                "POST",
                f"{self.url}/respond",
                {"csrf_token": csrf, "access_token": token, "decision": "maybe"},
                404,
            ),
            (
                "POST no decision",
                "POST",
                f"{self.url}/respond",
                {"csrf_token": csrf, "access_token": token},
                404,
            ),
            (
                "POST unknown request",
                "POST",
                "/my/terminations/999999/respond",
                {"csrf_token": csrf, "access_token": token, "decision": "confirm"},
                404,
            ),
            (
                "POST wrong token",
                "POST",
                f"{self.url}/respond",
                {"csrf_token": csrf, "access_token": "nope", "decision": "confirm"},
                403,
            ),
        ]
        for label, _verb, url, data, expected in cases:
            with mute_logger("odoo.http"):
                response = self.url_open(url, data=data, timeout=TIMEOUT)
            self.assertEqual(response.status_code, expected, msg=f"{label}: HTTP {expected}")
            self.assertNotIn(
                "Traceback", response.text, msg=f"{label}: no server error shown to the visitor"
            )
            self.assertUntouched(label)
