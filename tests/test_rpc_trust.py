"""Trust rules (contract v2) as an attacker meets them: over JSON-RPC and the portal routes, as a
plain salesman, a sales manager, a portal customer and an anonymous visitor."""

import re
from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import HttpCase, JsonRpcException, tagged
from odoo.tools import mute_logger

from odoo.addons.order_termination.tests.common import TerminationCase

from .jsonrpc import execute_kw_json


@tagged("post_install", "-at_install")
class TestTrustRpc(TerminationCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        (cls.step_wh | cls.step_fin).active = False
        cls.portal_user = cls.portal_customer("trust_rpc_customer")

    def jsonrpc(self, user, model, method, *args, **kwargs):
        """`execute_kw` on /jsonrpc, authenticated by password like any integration."""
        return execute_kw_json(self, user, model, method, args, kwargs)

    def assertRpcRefused(self, error, user, model, method, *args, **kwargs):
        with mute_logger("odoo.http"), self.assertRaises(JsonRpcException) as caught:
            self.jsonrpc(user, model, method, *args, **kwargs)
        self.assertEqual(
            str(caught.exception),
            f"odoo.exceptions.{error}",
            msg=f"{user.login}: {model}.{method} is refused with {error}",
        )

    def waiting_request(self, order=None):
        order = order or self.confirmed_order()
        request = self.request(order, reason=self.reason_confirm, user=self.manager)
        self.assertEqual(request.state, "to_confirm", msg="the request waits for the customer")
        return order, request

    # ---- the portal answer needs the token, whoever is logged in -------------------------------
    def portal_post(self, request, data):
        url = f"/my/terminations/{request.id}"
        page = self.url_open(f"{url}?access_token={request.sudo().access_token}").text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        return self.url_open(f"{url}/respond", data={"csrf_token": csrf, **data})

    def test_logged_in_salesman_cannot_answer_without_the_token(self):
        order, request = self.waiting_request()
        self.authenticate(self.requester.login, self.requester.login)
        for data in ({"decision": "confirm"}, {"decision": "confirm", "access_token": "x"}):
            response = self.portal_post(request, data)
            self.assertEqual(response.status_code, 403, msg=f"{data} is forbidden")
        self.env.invalidate_all()
        self.assertEqual(request.state, "to_confirm", msg="no answer was recorded")
        self.assertFalse(request.customer_response, msg="no answer was recorded")
        self.assertEqual(order.state, "sale", msg="the order goes on")

    def test_answer_with_token_runs_with_no_right_of_the_logged_in_user(self):
        _order, request = self.waiting_request()
        # A portal user (internal users may not answer for the customer at all).
        self.authenticate(self.portal_user.login, self.portal_user.login)
        token = request.sudo().access_token
        response = self.portal_post(
            request, {"decision": "confirm", "access_token": token, "comment": "OK for us."}
        )
        self.assertIn("you confirmed the termination", response.text, msg="the customer is told")
        self.env.invalidate_all()
        self.assertEqual(request.state, "done", msg="the customer's confirmation executes it")
        self.assertEqual(
            request.executed_by_id, self.manager, msg="executed in the requester's name"
        )
        answer = request.message_ids.filtered(lambda m: "OK for us." in (m.body or ""))
        self.assertEqual(answer.author_id, self.partner_a, msg="the answer is the customer's")

    def test_failed_execution_tells_the_customer_we_will_contact_them(self):
        order, request = self.waiting_request(self.delivered_and_invoiced())
        token = request.sudo().access_token
        with patch.object(
            type(self.env["sale.order"]),
            "_credit_invoices",
            side_effect=UserError("Journal locked"),
        ):
            response = self.portal_post(request, {"decision": "confirm", "access_token": token})
        self.assertIn("we received your answer", response.text, msg="received, we will call")
        self.assertNotIn("Journal locked", response.text, msg="the internal error stays inside")
        self.env.invalidate_all()
        self.assertEqual(request.state, "to_confirm", msg="the request is as before")
        self.assertEqual(order.state, "sale", msg="the order is as before")
        self.assertIn("Journal locked", request.execution_error, msg="the failure is recorded")

    def test_page_hides_internal_description_and_purchases(self):
        _order, request = self.waiting_request()
        response = self.url_open(
            f"/my/terminations/{request.id}?access_token={request.sudo().access_token}"
        )
        self.assertNotIn("moved abroad", response.text, msg="the description stays internal")
        self.assertNotIn("/my/purchase", response.text, msg="no purchase order breadcrumb")
        self.assertIn("/my/orders", response.text, msg="the breadcrumb leads to sales orders")

    def test_anonymous_sees_nothing_without_the_token(self):
        order, request = self.waiting_request()
        response = self.url_open(f"/my/terminations/{request.id}")
        self.assertEqual(response.status_code, 403, msg="no token, no page")
        self.assertNotIn(order.name, response.text, msg="nothing of the order is shown")

    # ---- JSON-RPC ----------------------------------------------------------------------------
    def test_customer_answer_over_rpc_needs_the_token(self):
        _order, request = self.waiting_request()
        self.assertRpcRefused(
            "AccessError",
            self.requester,
            "sale.termination.request",
            "customer_respond",
            request.ids,
            True,
        )
        self.assertRpcRefused(
            "AccessError",
            self.requester,
            "sale.termination.request",
            "read",
            request.ids,
            ["access_token"],
        )
        self.env.invalidate_all()
        self.assertEqual(request.state, "to_confirm", msg="no answer was recorded")

    def test_managers_cannot_rewrite_the_evidence_over_rpc(self):
        order = self.delivered_and_invoiced()
        cancellation = order.cancel_with_reversal(
            self.env.ref("order_revoke_cancel.cancel_reason_other"), note="Duplicate"
        )
        self.step_wh.active = True
        request = self.request(self.confirmed_order())
        for model, record, vals in (
            ("sale.order.cancellation", cancellation, {"date": "2000-01-01 00:00:00"}),
            ("sale.termination.request", request, {"state": "done"}),
            ("sale.termination.approval", request.approval_ids, {"state": "approved"}),
        ):
            self.assertRpcRefused("AccessError", self.manager, model, "write", record.ids, vals)
            self.assertRpcRefused("AccessError", self.manager, model, "unlink", record.ids)
        self.env.invalidate_all()
        self.assertEqual(request.approval_ids.state, "pending", msg="the approval still waits")

    def test_request_termination_over_rpc_returns_ids_and_checks_options(self):
        order = self.confirmed_order()
        self.assertRpcRefused(
            "AccessError",
            self.requester,
            "sale.order",
            "request_termination",
            order.ids,
            self.reason.id,
            "Wants out",
            refund_payments=True,
        )
        result = self.jsonrpc(
            self.requester, "sale.order", "request_termination", order.ids, self.reason.id, "Out"
        )
        self.env.invalidate_all()
        self.assertEqual(result, order.termination_request_ids.ids, msg="ids, not a repr")

    def test_context_key_does_not_reopen_a_closed_order_over_rpc(self):
        order = self.settled_order()
        order.close()
        self.assertRpcRefused(
            "UserError",
            self.requester,
            "sale.order",
            "write",
            order.ids,
            {"is_closed": False, "locked": False},
            context={"order_termination_closing": True},
        )
        self.env.invalidate_all()
        self.assertTrue(order.is_closed, msg="the order stays closed")

    def test_portal_user_reads_no_internal_note_over_rpc(self):
        order = self.delivered_and_invoiced()
        order.cancel_with_reversal(
            self.env.ref("order_revoke_cancel.cancel_reason_other"), note="Internal note"
        )
        result = self.jsonrpc(self.portal_user, "sale.order", "read", order.ids, ["name"])
        self.assertEqual(result[0]["name"], order.name, msg="the customer reads their order")
        for field in ("cancel_note", "close_note"):
            self.assertRpcRefused(
                "AccessError", self.portal_user, "sale.order", "read", order.ids, [field]
            )
        for model in ("sale.termination.request", "sale.order.cancellation"):
            self.assertRpcRefused("AccessError", self.portal_user, model, "search_read", [])
