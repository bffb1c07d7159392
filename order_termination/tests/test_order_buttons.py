from unittest.mock import patch

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import TerminationCase


@tagged("post_install", "-at_install")
class TestOrderButtons(TerminationCase):
    """A button shows exactly when its method works: each visibility flag agrees with the
    server check that would refuse the action."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cancel_reason = cls.env.ref("order_revoke_cancel.cancel_reason_customer_request")
        cls.close_reason = cls.env.ref("order_termination.close_reason_completed")

    def assertCannotCancel(self, order, user, error, msg):
        order = order.with_user(user)
        self.assertFalse(order.can_cancel_order, msg=f"no Cancel button: {msg}")
        with self.assertRaises(error, msg=f"and the server refuses: {msg}"):
            order.cancel_with_reversal(self.cancel_reason)

    # ---- Cancel ------------------------------------------------------------------------------
    def test_cancel_shown_to_salesman_when_nothing_is_reversed(self):
        order = self.confirmed_order().with_user(self.requester)
        self.assertTrue(order.can_cancel_order, msg="nothing delivered: the salesman may cancel")
        order.cancel_with_reversal(self.cancel_reason)
        self.assertEqual(order.state, "cancel", msg="and the cancel works")
        self.assertFalse(order.can_cancel_order, msg="a cancelled order has no Cancel button")

    def test_cancel_hidden_from_salesman_when_reversal_needed(self):
        order = self.confirmed_order()
        self.deliver(order)
        self.assertCannotCancel(order, self.requester, AccessError, "the delivery needs a return")
        self.assertTrue(
            order.with_user(self.manager).can_cancel_order, msg="a sales manager may cancel it"
        )

    def test_cancel_of_locked_order_shown_to_manager_only(self):
        order = self.confirmed_order()
        order.action_lock()
        self.assertCannotCancel(order, self.requester, UserError, "the order is locked")
        manager_order = order.with_user(self.manager)
        self.assertTrue(manager_order.can_cancel_order, msg="a manager may cancel a locked order")
        action = manager_order.action_cancel()
        self.assertEqual(
            (action["res_model"], action["context"]["default_order_id"]),
            ("sale.order.cancel", order.id),
            msg="the manager gets core's cancel wizard for the locked order",
        )
        self.env.flush_all()
        order.invalidate_recordset(["locked"])
        self.assertTrue(order.locked, msg="opening the wizard leaves the order locked")

    def test_cancel_hidden_on_hold(self):
        order = self.confirmed_order()
        self.request(order)
        self.assertEqual(order.termination_state, "pending", msg="the order is on hold")
        self.assertCannotCancel(order, self.manager, UserError, "the order is on hold")

    def test_cancel_hidden_on_closed_order(self):
        order = self.settled_order()
        order.close(reason=self.close_reason)
        self.assertCannotCancel(order, self.manager, UserError, "the order is closed")

    # ---- Revoke ------------------------------------------------------------------------------
    def test_revoke_of_terminated_order_shown_to_termination_managers_only(self):
        (self.step_wh | self.step_fin).active = False
        order = self.confirmed_order()
        self.request(order)
        self.assertEqual(order.termination_state, "terminated", msg="executed at once")
        revoker = self.company_user(
            "term_revoker",
            "sales_team.group_sale_salesman_all_leads,order_revoke_cancel.group_revoke_cancel",
        )
        self.assertFalse(
            order.with_user(revoker).can_revoke_cancel,
            msg="no Revoke button for a revoker who is not a termination manager",
        )
        with self.assertRaises(AccessError, msg="and the server refuses the revoke"):
            order.with_user(revoker).revoke_cancel()
        self.assertTrue(order.with_user(self.manager).can_revoke_cancel, msg="a manager may")

    # ---- Withdraw ----------------------------------------------------------------------------
    def test_withdraw_shown_to_requester_and_managers_only(self):
        order = self.confirmed_order()
        request = self.request(order)
        self.assertFalse(
            order.with_user(self.warehouse_approver).termination_can_withdraw,
            msg="an approver who did not ask sees no Withdraw button",
        )
        with self.assertRaises(AccessError, msg="and the server refuses the withdrawal"):
            request.with_user(self.warehouse_approver).action_withdraw()
        self.assertTrue(order.with_user(self.manager).termination_can_withdraw, msg="manager")
        requester_order = order.with_user(self.requester)
        self.assertTrue(requester_order.termination_can_withdraw, msg="the requester may withdraw")
        requester_order.action_withdraw_termination()
        self.assertEqual(request.state, "withdrawn", msg="and the withdrawal works")
        self.assertFalse(order.termination_can_withdraw, msg="nothing left to withdraw")

    # ---- Banners -----------------------------------------------------------------------------
    def test_banners_are_one_sentence_each(self):
        order = self.confirmed_order()
        request = self.request(order)
        self.assertEqual(
            order.termination_banner,
            f"{order.name} is on hold until the termination request {request.name} is decided: "
            "no delivery, invoice or change is possible meanwhile.",
            msg="the hold banner names the order and the request",
        )
        settled = self.settled_order()
        settled.close(reason=self.close_reason)
        self.assertTrue(
            settled.close_banner.startswith("Closed on ")
            and settled.close_banner.endswith(f"for this reason: {self.close_reason.name}."),
            msg=f"the closed banner is one sentence: {settled.close_banner}",
        )

    def test_order_terminated_reason_not_offered_for_manual_cancel(self):
        offered = self.env["sale.order.cancel.reason"].name_search("Order terminated")
        self.assertFalse(offered, msg="the reason terminations record is not offered by hand")
        terminated = self.env.ref("order_termination.cancel_reason_order_terminated")
        self.assertEqual(
            self.reason._get_cancel_reason(), terminated, msg="terminations still record it"
        )


@tagged("post_install", "-at_install")
class TestCloseChecksExtension(TerminationCase):
    """`_get_close_checks()` is the one place an addon adds a check to closing."""

    def test_an_added_check_applies_to_checklist_and_close(self):
        SaleOrder = self.registry["sale.order"]
        original = SaleOrder._get_close_checks

        def _close_check_customer_reference(order):
            return order._check_item(
                "customer_reference",
                "Customer reference",
                order.client_order_ref,
                "The customer's reference is recorded." if order.client_order_ref else "-",
            )

        def _get_close_checks(order):
            return [*original(order), lambda: _close_check_customer_reference(order)]

        order = self.settled_order()
        reason = self.env.ref("order_termination.close_reason_completed")
        with patch.object(SaleOrder, "_get_close_checks", _get_close_checks):
            codes = [check["code"] for check in order.get_close_checklist()]
            self.assertEqual(codes[-1], "customer_reference", msg="the added check is listed last")
            with self.assertRaisesRegex(UserError, "Customer reference", msg="close applies it"):
                order.close(reason=reason)
            self.assertFalse(order.is_closed, msg="refused: the order stays open")
            order.client_order_ref = "PO-4711"
            order.close(reason=reason)
        self.assertTrue(order.is_closed, msg="once the added check passes, the order closes")
