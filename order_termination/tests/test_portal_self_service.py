import re
from unittest.mock import patch

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import TerminationCase


@tagged("post_install", "-at_install")
class TestPortalSelfService(TerminationCase, HttpCase):
    """The customer asks to cancel a confirmed order on the portal order page: one request
    with origin 'portal' that goes through the approvals, nothing internal shown, the outcome
    emailed; every bad input sends the customer back politely and creates nothing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.portal_termination_request = True
        cls.reason_portal = cls.env["sale.termination.reason"].create(
            {"name": "I no longer need it", "customer_selectable": True}
        )
        other_company = cls.env["res.company"].create({"name": "Other Company Ltd"})
        cls.reason_other_company = cls.env["sale.termination.reason"].create(
            {
                "name": "Other company's reason",
                "customer_selectable": True,
                "company_id": other_company.id,
            }
        )
        cls.portal_user = new_test_user(
            cls.env,
            login="self_service_customer",
            password="self_service_customer",
            groups="base.group_portal",
            partner_id=cls.partner_a.id,
        )

    def setUp(self):
        super().setUp()
        self.order = self.confirmed_order()
        self.url = f"/my/orders/{self.order.id}"
        self.token = self.order._portal_ensure_token()

    # ---- helpers -------------------------------------------------------------------------
    def page(self, order=None, token=None, **params):
        order = order or self.order
        query = "&".join(f"{k}={v}" for k, v in {"access_token": token, **params}.items() if v)
        return self.url_open(f"/my/orders/{order.id}?{query}")

    def csrf(self):
        """A valid CSRF token of the current session (the portal home carries one)."""
        page = self.page(token=self.token).text
        return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    def post(self, order=None, reason=None, comment="Please cancel.", token=None, csrf=True):
        data = {
            "reason_id": str((reason or self.reason_portal).id) if reason != "" else "",
            "comment": comment,
        }
        if token:
            data["access_token"] = token
        if csrf:
            data["csrf_token"] = self.csrf()
        order = order or self.order
        return self.url_open(
            f"/my/orders/{order.id}/request_termination", data=data, allow_redirects=False
        )

    def requests(self, order=None):
        return self.env["sale.termination.request"].search(
            [("order_id", "=", (order or self.order).id)]
        )

    def assertRedirect(self, response, fragment):
        self.assertEqual(response.status_code, 303, msg="the customer is sent back")
        self.assertIn(fragment, response.headers["Location"], msg=f"with {fragment}")

    # ---- the customer asks ---------------------------------------------------------------
    def test_portal_user_requests_cancellation(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        page = self.page().text
        self.assertIn("Request cancellation", page, msg="a confirmed order offers the request")
        self.assertIn(self.reason_portal.name, page, msg="reasons offered to customers are listed")
        self.assertNotIn(self.reason.name, page, msg="internal reasons are not offered")
        self.assertNotIn(
            self.reason_other_company.name, page, msg="another company's reasons are not offered"
        )

        response = self.post(comment="We closed the shop.")
        self.assertRedirect(response, "termination_message=requested")
        self.assertNotIn("access_token", response.headers["Location"], msg="no token added")

        request = self.requests()
        self.assertEqual(len(request), 1, msg="one request")
        self.assertRecordValues(
            request,
            [
                {
                    "origin": "portal",
                    "reason_id": self.reason_portal.id,
                    "customer_message": "We closed the shop.",
                    "customer_confirmation": False,
                    "receive_returns": False,
                    "refund_payments": False,
                    "state": "to_approve",
                    "user_id": self.portal_user.id,
                }
            ],
        )
        self.assertEqual(
            request.approval_ids.mapped("state"), ["pending"], msg="the approvals started"
        )
        self.assertEqual(request.approval_ids.step_id, self.step_wh, msg="the company's step")
        self.assertEqual(self.order.termination_state, "pending", msg="the order is on hold")
        self.assertEqual(self.order.state, "sale", msg="nothing is cancelled before approval")

        page = self.page(termination_message="requested").text
        self.assertIn("we received your cancellation request", page, msg="thanks the customer")
        self.assertIn("we are reviewing it", page, msg="the page shows the request's state")
        self.assertNotIn("o_termination_request_btn", page, msg="no second request is offered")
        self.assertNotIn(request.description, page, msg="the internal description stays hidden")

    def test_token_access_not_logged_in(self):
        response = self.post(token=self.token)
        self.assertRedirect(response, "termination_message=requested")
        self.assertIn(f"access_token={self.token}", response.headers["Location"])
        request = self.requests()
        self.assertEqual(len(request), 1, msg="the order's link is enough to ask")
        self.assertEqual(request.origin, "portal")
        self.assertEqual(
            request.user_id, self.env.ref("base.user_root"), msg="OdooBot, not the public user"
        )
        self.assertEqual(request.state, "to_approve", msg="the approvals started")

    def test_csrf_missing_is_refused(self):
        with self.assertLogs("odoo.http", level="WARNING") as logs:
            response = self.post(token=self.token, csrf=False)
        self.assertEqual(response.status_code, 400, msg="a post without CSRF token is refused")
        self.assertTrue(any("CSRF" in line for line in logs.output), msg="Odoo says why")
        self.assertFalse(self.requests(), msg="no request")

    def test_double_submit_creates_one_request(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        self.assertRedirect(self.post(), "termination_message=requested")
        self.assertRedirect(self.post(), "termination_message=pending")
        self.assertEqual(len(self.requests()), 1, msg="the second submission creates nothing")

    def test_concurrent_submission_is_refused_politely(self):
        """While another submission holds the order's row (a double click), the second is
        refused by the lock as `lock_for_update` refuses it (NOWAIT), nothing is kept, and
        the customer is sent back politely. Real concurrency: bin/run-races."""

        def locked(records):
            raise UserError(records.env._("%s is being changed by someone else.", records.name))

        self.authenticate(self.portal_user.login, self.portal_user.login)
        target = "odoo.addons.order_termination.models.sale_order_portal.lock_for_update"
        with patch(target, side_effect=locked) as lock:
            response = self.post()
        self.assertEqual(lock.call_args.args[0], self.order, msg="the order's row is locked")
        self.assertRedirect(response, "termination_message=refused")
        self.assertFalse(self.requests(), msg="the refused submission keeps nothing")
        self.assertEqual(self.order.termination_state, False, msg="the order is not on hold")

    def test_wrong_token_and_foreign_order(self):
        foreign = self.order.copy({"partner_id": self.partner_b.id})
        foreign.action_confirm()
        # Not logged in, with a wrong token or none.
        for token in ("wrong-token", None):
            response = self.post(token=token)
            self.assertRedirect(response, "/my?termination_message=no_access")
        # A customer's token does not open another customer's order.
        self.assertRedirect(self.post(foreign, token=self.token), "termination_message=no_access")
        # Logged in: another customer's order, and an order that does not exist.
        self.authenticate(self.portal_user.login, self.portal_user.login)
        response = self.post(foreign)
        self.assertRedirect(response, "/my?termination_message=no_access")
        self.assertNotIn(foreign.name, response.text, msg="nothing of the order leaks")
        response = self.url_open(
            "/my/orders/999999/request_termination",
            data={"csrf_token": self.csrf(), "reason_id": str(self.reason_portal.id)},
            allow_redirects=False,
        )
        self.assertRedirect(response, "termination_message=no_access")
        self.assertFalse(self.requests() | self.requests(foreign), msg="no request")
        page = self.url_open("/my?termination_message=no_access").text
        self.assertIn("We could not find this order for you", page, msg="a polite message")

    def test_bad_reasons_are_refused(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        csrf = self.csrf()
        for reason_id in (
            str(self.reason.id),  # not offered to customers
            str(self.reason_other_company.id),  # another company's
            "999999",  # unknown
            "abc",  # not a number
            "",  # none
        ):
            response = self.url_open(
                f"{self.url}/request_termination",
                data={"csrf_token": csrf, "reason_id": reason_id, "comment": "x"},
                allow_redirects=False,
            )
            self.assertRedirect(response, "termination_message=refused")
        self.assertFalse(self.requests(), msg="no request")
        page = self.page(termination_message="refused").text
        self.assertIn("We could not take your cancellation request", page)

    def test_setting_off(self):
        self.company.portal_termination_request = False
        self.authenticate(self.portal_user.login, self.portal_user.login)
        self.assertNotIn("o_termination_request_btn", self.page().text, msg="no button")
        self.assertRedirect(self.post(), "termination_message=refused")
        self.assertFalse(self.requests(), msg="no request")

    def test_not_offered_on_quotation_closed_or_pending(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        quotation = self.order.copy()
        self.assertEqual(quotation.state, "draft", msg="a quotation")
        pending = self.confirmed_order()
        self.request(pending)
        for order in (quotation, pending):
            self.assertNotIn("o_termination_request_btn", self.page(order).text)
            self.assertRedirect(self.post(order), "termination_message=")
            self.assertFalse(
                self.requests(order).filtered(lambda r: r.origin == "portal"), msg="nothing"
            )

    # ---- the company decides ---------------------------------------------------------------
    def _portal_request(self, comment="We closed the shop."):
        self.assertRedirect(self.post(token=self.token, comment=comment), "requested")
        return self.requests()

    def _outcome_messages(self, request):
        return request.message_ids.filtered(lambda m: self.partner_a in m.partner_ids)

    def test_salesman_sees_and_approver_terminates_with_email(self):
        request = self._portal_request()
        # The order's salesman sees the customer's request in his lists.
        visible = (
            self.env["sale.termination.request"]
            .with_user(self.requester)
            .search([("origin", "=", "portal")])
        )
        self.assertIn(request, visible, msg="the salesman sees the request of his order")
        request.with_user(self.warehouse_approver).action_approve("Stock is fine (internal).")
        self.assertEqual(request.state, "done", msg="the last approval executes")
        self.assertEqual(self.order.state, "cancel", msg="the order is cancelled")
        self.assertEqual(
            self.order.picking_ids.filtered(lambda p: p.state != "cancel"),
            self.env["stock.picking"],
            msg="the open delivery is cancelled",
        )
        mails = self._outcome_messages(request)
        self.assertEqual(len(mails), 1, msg="the customer is told the outcome once")
        self.assertIn("was cancelled", mails.body)
        self.assertIn("We closed the shop.", mails.body, msg="with the customer's own message")
        self.assertNotIn("internal", mails.body, msg="no approver comment")
        self.assertNotIn(request.description, mails.body, msg="no internal description")
        page = self.page(token=self.token).text
        self.assertIn("accepted; this order was cancelled", page)
        self.assertNotIn("Stock is fine", page, msg="approvers' comments stay internal")

    def test_rejection_is_emailed(self):
        request = self._portal_request()
        request.with_user(self.warehouse_approver).action_reject("Goods already shipped.")
        self.assertEqual(request.state, "rejected")
        self.assertEqual(self.order.state, "sale", msg="the order carries on")
        mails = self._outcome_messages(request)
        self.assertEqual(len(mails), 1, msg="the customer is told the outcome")
        self.assertIn("could not accept", mails.body)
        self.assertNotIn("Goods already shipped", mails.body, msg="no approver comment")
        self.assertIn("not accepted; this order carries on", self.page(token=self.token).text)

    def test_without_applicable_step_managers_decide(self):
        self.step_wh.active = False
        request = self._portal_request()
        self.assertEqual(request.state, "to_approve", msg="never executed without a decision")
        self.assertEqual(
            request.approval_ids.group_id,
            self.env.ref("order_termination.group_termination_manager"),
            msg="termination managers decide the customer's request",
        )
        self.assertEqual(self.order.state, "sale")
        manager = self.company_user(
            "self_service_term_manager",
            "sales_team.group_sale_manager,order_termination.group_termination_manager",
        )
        request.with_user(manager).action_approve()
        self.assertEqual(request.state, "done")
        self.assertEqual(self.order.state, "cancel")

    def test_internal_request_is_not_shown_to_customer(self):
        self.request(self.order)
        page = self.page(token=self.token).text
        self.assertNotIn("termination_request_status", page, msg="only the customer's own request")
        self.assertNotIn("The customer moved abroad.", page, msg="internal description hidden")


@tagged("post_install", "-at_install")
class TestPortalSelfServiceLines(TerminationCase, HttpCase):
    """The customer may choose quantities of some lines: the request ends only those."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.portal_termination_request = True
        cls.reason_portal = cls.env["sale.termination.reason"].create(
            {"name": "Only part of it", "customer_selectable": True}
        )
        cls.portal_user = new_test_user(
            cls.env,
            login="self_service_lines_customer",
            password="self_service_lines_customer",
            groups="base.group_portal",
            partner_id=cls.partner_a.id,
        )

    page = TestPortalSelfService.page
    csrf = TestPortalSelfService.csrf
    requests = TestPortalSelfService.requests
    assertRedirect = TestPortalSelfService.assertRedirect

    def setUp(self):
        super().setUp()
        self.order = self.env["sale.order"].create(
            {
                "partner_id": self.partner_a.id,
                "user_id": self.requester.id,
                "order_line": [
                    Command.create(
                        {"product_id": self.storable.id, "product_uom_qty": 5, "price_unit": 100}
                    ),
                    Command.create(
                        {"product_id": self.service.id, "product_uom_qty": 2, "price_unit": 50}
                    ),
                ],
            }
        )
        self.order.action_confirm()
        self.url = f"/my/orders/{self.order.id}"
        self.token = self.order._portal_ensure_token()

    def post_lines(self, quantities):
        data = {
            "reason_id": str(self.reason_portal.id),
            "comment": "Only part of it.",
            "csrf_token": self.csrf(),
            **{f"qty_{line.id}": str(qty) for line, qty in quantities.items()},
        }
        return self.url_open(
            f"/my/orders/{self.order.id}/request_termination", data=data, allow_redirects=False
        )

    def test_customer_chooses_quantities(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        chairs = self.order.order_line.filtered(lambda line: line.product_id == self.storable)
        page = self.page().text
        self.assertIn(f'name="qty_{chairs.id}"', page, msg="the form offers the lines")
        response = self.post_lines({chairs: 2})
        self.assertRedirect(response, "termination_message=requested")
        request = self.requests()
        self.assertEqual(request.line_ids.sale_line_id, chairs)
        self.assertEqual(request.line_ids.quantity, 2)
        self.assertEqual(request.amount_total, 200)
        page = self.page().text
        self.assertIn("Only these quantities", page, msg="the request's page shows them")

    def test_too_much_is_refused_politely(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        chairs = self.order.order_line.filtered(lambda line: line.product_id == self.storable)
        response = self.post_lines({chairs: 9})
        self.assertRedirect(response, "termination_message=refused")
        self.assertFalse(self.requests())
