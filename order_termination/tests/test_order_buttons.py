from unittest.mock import patch

from lxml import etree

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from odoo.addons.order_revoke_cancel.tests.common import ButtonAgreementMixin

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
        self.assertFalse(
            request.with_user(self.warehouse_approver).can_withdraw,
            msg="nor on the request's form",
        )
        with self.assertRaises(AccessError, msg="and the server refuses the withdrawal"):
            request.with_user(self.warehouse_approver).action_withdraw()
        self.assertTrue(order.with_user(self.manager).termination_can_withdraw, msg="manager")
        self.assertTrue(request.with_user(self.manager).can_withdraw, msg="manager, on the form")
        self.assertTrue(request.with_user(self.requester).can_withdraw, msg="the requester")
        requester_order = order.with_user(self.requester)
        self.assertTrue(requester_order.termination_can_withdraw, msg="the requester may withdraw")
        requester_order.action_withdraw_termination()
        self.assertEqual(request.state, "withdrawn", msg="and the withdrawal works")
        self.assertFalse(request.with_user(self.requester).can_withdraw, msg="closed: no button")
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
class TestButtonsAgreeWithMethods(ButtonAgreementMixin, TerminationCase):
    """Each flag of the order form, as salesman, sales manager and termination manager, is
    what the method answers on the same order."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.close_reason = cls.env.ref("order_termination.close_reason_completed")
        cls.cancel_reason = cls.env.ref("order_revoke_cancel.cancel_reason_customer_request")
        cls.term_manager = cls.company_user(
            "term_only_manager",
            "sales_team.group_sale_salesman_all_leads,"
            "order_termination.group_termination_manager,stock.group_stock_user",
        )

    def _close(self, force=False):
        return lambda o: o.close(reason=self.close_reason, force=force)

    def _close_wizard(self, order, user):
        action = order.with_user(user).action_close_order()
        return Form.from_action(self.env(user=user), action)

    # ---- Close -------------------------------------------------------------------------------
    def test_close_of_settled_order_offered_to_every_closer(self):
        for user in (self.requester, self.manager, self.term_manager):
            order = self.settled_order()
            self.assertButtonAgrees(
                order, user, "can_close_order", self._close(), True, msg="settled order"
            )
            self.assertTrue(order.is_closed, msg="and closed")

    def test_close_wizard_of_settled_order_is_no_short_close(self):
        order = self.settled_order()
        wizard = self._close_wizard(order, self.manager)
        self.assertTrue(wizard.can_close, msg="a plain close")
        self.assertFalse(wizard.force, msg="nothing forced where the checks pass")

    def test_close_of_undelivered_order_hidden_from_salesman(self):
        """Regression: the salesman got a checklist with only Discard."""
        order = self.confirmed_order()
        self.assertButtonAgrees(
            order, self.requester, "can_close_order", self._close(), False, msg="undelivered"
        )
        self.assertButtonAgrees(
            order,
            self.requester,
            "can_force_close_order",
            self._close(force=True),
            False,
            AccessError,
            msg="a salesman may not close short",
        )
        wizard = self._close_wizard(order, self.requester)
        self.assertFalse(wizard.can_close or wizard.can_force, msg="the wizard offers nothing")
        self.assertIn(
            "right to manage order terminations and closing",
            wizard.force_refusal,
            msg="and says which right a short close needs",
        )

    def test_force_close_offered_to_termination_managers(self):
        for user in (self.manager, self.term_manager):
            order = self.confirmed_order()
            self.assertButtonAgrees(
                order, user, "can_close_order", self._close(), False, msg="undelivered"
            )
            wizard = self._close_wizard(order, user)
            self.assertTrue(wizard.can_force, msg="the wizard offers the short close")
            self.assertTrue(
                wizard.force,
                msg="regression: it opens with the short close chosen, not with only Discard",
            )
            self.assertButtonAgrees(
                order, user, "can_force_close_order", self._close(force=True), True, msg="short"
            )
            self.assertTrue(order.is_closed and order.close_forced, msg="closed short")

    def test_force_close_hidden_when_delivered_goods_are_not_invoiced(self):
        """Regression: Force close was offered, then refused because delivered goods were
        not invoiced."""
        order = self.confirmed_order(qty=10)
        self.deliver(order, qty=4)
        for user in (self.manager, self.term_manager):
            self.assertButtonAgrees(
                order, user, "can_close_order", self._close(), False, msg="not finished"
            )
            self.assertButtonAgrees(
                order,
                user,
                "can_force_close_order",
                self._close(force=True),
                False,
                msg="delivered goods are not invoiced",
            )
            wizard = self._close_wizard(order, user)
            self.assertFalse(wizard.can_force, msg="the wizard does not offer force")
            self.assertIn("not invoiced yet", wizard.force_refusal, msg="it says why")
        self.assertFalse(order.is_closed, msg="still open")

    def test_close_hidden_on_hold(self):
        order = self.settled_order()
        request = self.request(order)
        for user in (self.requester, self.manager):
            for force in (False, True):
                flag = "can_force_close_order" if force else "can_close_order"
                self.assertButtonAgrees(order, user, flag, self._close(force), False, msg="on hold")
        wizard = self._close_wizard(order, self.manager)
        self.assertIn(request.name, wizard.force_refusal, msg="the wizard names the request")

    # ---- Request termination ----------------------------------------------------------------
    def test_request_termination_flag(self):
        order = self.confirmed_order()

        def ask(o):
            return o.request_termination(self.reason, "The customer moved abroad.")

        self.assertButtonAgrees(order, self.requester, "can_request_termination", ask, True)
        self.assertEqual(order.termination_state, "pending", msg="requested")
        for user in (self.requester, self.manager):
            self.assertButtonAgrees(
                order, user, "can_request_termination", ask, False, msg="already requested"
            )
        settled = self.settled_order()
        settled.close(reason=self.close_reason)
        self.assertButtonAgrees(
            settled, self.manager, "can_request_termination", ask, False, msg="closed"
        )

    def test_request_termination_hidden_where_it_would_execute_without_the_right(self):
        """Without an approval step the request executes at once with the requester's rights:
        a salesman's request of a delivered order would be refused by the cancellation."""
        (self.step_wh | self.step_fin).active = False
        order = self.confirmed_order()
        self.deliver(order)

        def ask(o):
            return o.request_termination(self.reason, "The customer moved abroad.")

        self.assertButtonAgrees(
            order,
            self.requester,
            "can_request_termination",
            ask,
            False,
            AccessError,
            msg="the return needs the reversal right",
        )
        self.assertFalse(order.termination_request_ids, msg="no request left behind")
        self.assertButtonAgrees(order, self.manager, "can_request_termination", ask, True)
        self.assertEqual(order.termination_state, "terminated", msg="executed at once")

    # ---- Revoke ------------------------------------------------------------------------------
    def test_revoke_of_terminated_order_names_the_right(self):
        (self.step_wh | self.step_fin).active = False
        order = self.confirmed_order()
        self.request(order)
        revoker = self.company_user(
            "term_revoker2",
            "sales_team.group_sale_salesman_all_leads,order_revoke_cancel.group_revoke_cancel",
        )
        with self.assertRaisesRegex(AccessError, "right to manage order terminations"):
            order.with_user(revoker).revoke_cancel()
        self.assertButtonAgrees(
            order, self.manager, "can_revoke_cancel", lambda o: o.revoke_cancel(), True
        )
        self.assertEqual(order.state, "sale", msg="revoked by the manager")

    # ---- Cancel of a closed order ---------------------------------------------------------
    def test_closed_order_refusal_is_right_for_a_sales_manager(self):
        """Regression: mass cancel told a sales manager to "ask a sales manager"."""
        order = self.settled_order()
        order.close(reason=self.close_reason)
        wizard = (
            self.env["sale.mass.cancel.orders"]
            .with_user(self.manager)
            .with_context(active_model="sale.order", active_ids=order.ids)
            .create({"cancel_reason_id": self.cancel_reason.id})
        )
        refused = wizard.impact_line_ids.filtered(lambda x: x.action == "refused")
        self.assertIn("until a termination manager reopens it", refused.note)
        self.assertNotIn("sales manager", refused.note)
        wizard.action_mass_cancel()
        self.assertEqual(order.state, "sale", msg="the closed order is left alone")
        self.assertEqual(
            wizard.result_line_ids.note, refused.note, msg="the result says why, as previewed"
        )

    # ---- Delivery of an order on hold -------------------------------------------------------
    def test_delivery_of_order_on_hold_shows_the_hold_and_no_validate(self):
        """Regression: the picking showed no hold banner and offered Validate."""
        order = self.confirmed_order()
        picking = order.picking_ids
        request = self.request(order)
        wh_picking = picking.with_user(self.warehouse_approver)
        self.assertIn(
            request.name,
            wh_picking.termination_block_message,
            msg="the delivery names the pending request",
        )
        self.pick_all(picking)
        with self.assertRaisesRegex(UserError, request.name):
            wh_picking.button_validate()
        request.with_user(self.requester).action_withdraw()
        wh_picking.invalidate_recordset(["termination_block_message"])
        self.assertFalse(wh_picking.termination_block_message, msg="the hold is lifted")
        wh_picking.button_validate()
        self.assertEqual(picking.state, "done", msg="and Validate works again")
        self.assertEqual(order.order_line.qty_delivered, 5, msg="delivered")

    def test_delivery_of_closed_order_says_closed(self):
        order = self.confirmed_order(qty=10)
        self.deliver(order, qty=4)
        self.invoice(order)
        backorder = order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        order.with_user(self.manager).close(reason=self.close_reason, force=True)
        self.assertEqual(backorder.state, "cancel", msg="the short close cancelled it")
        self.assertFalse(backorder.termination_block_message, msg="nothing left to validate")

    def test_picking_form_hides_validate_where_refused(self):
        arch = self.env["stock.picking"].get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertEqual(arch.count("or termination_block_message"), 2, msg="both Validate buttons")
        self.assertIn('name="termination_hold_banner"', arch, msg="and the banner")

    def test_lock_buttons_hidden_on_hold(self):
        order = self.confirmed_order()
        self.request(order)
        with self.assertRaises(UserError, msg="locking writes the order on hold"):
            order.with_user(self.manager).action_lock()
        # The combined arch: Lock is in a group-restricted block that get_views may drop.
        arch = etree.tostring(
            self.env.ref("sale.view_order_form")._get_combined_arch(), encoding="unicode"
        )
        self.assertRegex(
            arch,
            r'name="action_lock"[^>]*invisible="[^"]*termination_state == \'pending\'',
            msg="the Lock button is hidden on hold",
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
