from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import TerminationCase


@tagged("post_install", "-at_install")
class TestOrderClose(TerminationCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.close_reason = cls.env.ref("order_termination.close_reason_completed")

    def checks(self, order):
        return {c["code"]: c["ok"] for c in order.get_close_checklist()}

    def closed_order(self):
        """A settled order closed by the salesman."""
        order = self.settled_order()
        order.with_user(self.requester).close(reason=self.close_reason, note="All done.")
        return order

    # ---- checklist -----------------------------------------------------------------------------
    def test_checklist_lists_every_close_check(self):
        checklist = self.confirmed_order().get_close_checklist()
        self.assertEqual(
            [c["code"] for c in checklist],
            [
                "confirmed",
                "delivered",
                "no_pending_returns",
                "invoiced",
                "invoices_posted",
                "paid",
                "no_pending_termination",
            ],
            msg="the checklist shows the close checks in a fixed order",
        )
        self.assertTrue(
            all(set(c) == {"code", "label", "ok", "detail"} for c in checklist),
            msg="every check has a code, a label, a result and a detail",
        )

    def test_checklist_of_fresh_order(self):
        order = self.confirmed_order()
        self.assertEqual(
            self.checks(order),
            {
                "confirmed": True,
                "delivered": False,
                "no_pending_returns": True,
                "invoiced": False,
                "invoices_posted": True,
                "paid": False,
                "no_pending_termination": True,
            },
            msg="a just confirmed order is neither delivered nor invoiced nor paid yet",
        )

    def test_checklist_follows_delivery_invoice_and_payment(self):
        order = self.confirmed_order()
        self.deliver(order)
        invoice = self.invoice(order, post=False)
        checks = self.checks(order)
        self.assertTrue(
            checks["delivered"] and checks["invoiced"],
            msg="delivering and drafting the invoice ticks delivered and invoiced",
        )
        self.assertFalse(checks["invoices_posted"], msg="a draft invoice is not posted yet")
        invoice.action_post()
        self.assertFalse(self.checks(order)["paid"], msg="a posted, unpaid invoice is not paid")
        self.pay(invoice)
        self.assertTrue(
            all(self.checks(order).values()), msg="a settled order passes every close check"
        )

    # ---- closing and reopening -----------------------------------------------------------------
    def test_close_settled_order(self):
        order = self.closed_order()
        self.assertTrue(order.is_closed, msg="the settled order is closed")
        self.assertEqual(order.state, "sale", msg="a closed order stays a confirmed sale")
        self.assertTrue(order.locked, msg="closing locks the order")
        self.assertEqual(
            order.close_reason_id, self.close_reason, msg="the close reason is recorded"
        )
        self.assertEqual(
            order.close_user_id, self.requester, msg="the user who closed the order is recorded"
        )
        self.assertTrue(order.close_date, msg="the close date is recorded")

    def test_closed_order_counts_as_confirmed_in_sales_report(self):
        order = self.closed_order()
        self.env.flush_all()
        report = self.env["sale.report"].search(
            [("order_reference", "=", f"sale.order,{order.id}")]
        )
        self.assertEqual(
            set(report.mapped("state")),
            {"sale"},
            msg="sales reports count a closed order as a confirmed order",
        )

    def test_closed_order_is_frozen(self):
        order = self.closed_order()
        with self.assertRaisesRegex(UserError, order.name):
            order.write({"note": "edited"})
        with self.assertRaisesRegex(UserError, order.name):
            order._action_cancel()
        with self.assertRaisesRegex(UserError, order.name):
            order._create_invoices()
        with self.assertRaisesRegex(UserError, order.name):
            self.request(order)
        with self.assertRaisesRegex(UserError, order.name):
            order.close()

    def test_reopen_is_for_managers_and_needs_a_note(self):
        order = self.closed_order()
        with self.assertRaises(AccessError):
            order.with_user(self.requester).reopen("Customer wants more.")
        with self.assertRaises(UserError):
            order.with_user(self.manager).reopen("")
        self.assertTrue(order.is_closed, msg="refused reopenings leave the order closed")

    def test_reopen_makes_the_order_editable_again(self):
        order = self.closed_order()
        order.with_user(self.manager).reopen("Customer wants more.")
        self.assertFalse(order.is_closed, msg="the reopened order is no longer closed")
        self.assertFalse(order.locked, msg="the reopened order is unlocked again")
        self.assertFalse(order.close_reason_id, msg="reopening clears the close reason")
        order.write({"note": "edited"})

    def test_reopen_restores_previous_lock(self):
        order = self.settled_order()
        order.action_lock()
        order.close()
        order.with_user(self.manager).reopen("Check.")
        self.assertTrue(order.locked, msg="an order locked before closing stays locked")

    def test_close_refused_lists_failed_checks(self):
        order = self.confirmed_order()
        with self.assertRaises(UserError) as caught:
            order.with_user(self.requester).close(reason=self.close_reason)
        message = caught.exception.args[0]
        self.assertIn(order.name, message, msg="the refusal names the order")
        self.assertIn("Fully delivered", message, msg="the refusal lists the missing delivery")
        self.assertIn("Fully invoiced", message, msg="the refusal lists the missing invoice")
        self.assertIn("Paid", message, msg="nothing invoiced is nothing paid")
        self.assertNotIn("Invoices posted", message, msg="no check that passes is listed")
        self.assertFalse(order.is_closed, msg="a refused close leaves the order open")

    # ---- forced close --------------------------------------------------------------------------
    def test_force_close_is_for_managers_with_a_reason(self):
        order = self.confirmed_order()
        with self.assertRaises(AccessError):
            order.with_user(self.requester).close(reason=self.close_reason, force=True)
        with self.assertRaises(UserError):
            order.with_user(self.manager).close(force=True)
        self.assertFalse(order.is_closed, msg="refused forced closes leave the order open")

    def test_force_close_cancels_open_deliveries(self):
        order = self.confirmed_order()
        order.with_user(self.manager).close(reason=self.close_reason, force=True)
        self.assertTrue(order.is_closed, msg="the manager force-closes an unsettled order")
        self.assertTrue(order.close_forced, msg="the close is marked as forced")
        self.assertEqual(order.picking_ids.state, "cancel", msg="the open delivery is cancelled")
        self.assertEqual(order.state, "sale", msg="a force-closed order stays a confirmed sale")

    def test_force_close_never_skips_pending_termination(self):
        order = self.confirmed_order()
        request = self.request(order)
        with self.assertRaisesRegex(UserError, request.name):
            order.with_user(self.manager).close(reason=self.close_reason, force=True)

    # ---- what a closed order blocks ------------------------------------------------------------
    def test_closed_order_blocks_invoice_posting(self):
        # A close never leaves a draft behind (the checklist, and a short close, refuse
        # drafts): a draft made by hand afterwards, here a credit note of the order's invoice,
        # is what the guard stops.
        order = self.settled_order()
        order.close(reason=self.close_reason)
        draft = order.invoice_ids._reverse_moves()
        self.assertTrue(draft.line_ids.sale_line_ids, msg="the draft is tied to the order")
        with self.assertRaisesRegex(UserError, order.name):
            draft.action_post()

    def test_closed_order_blocks_returns(self):
        order = self.settled_order()
        order.close(reason=self.close_reason)
        delivery = order.picking_ids
        wizard = (
            self.env["stock.return.picking"]
            .with_context(
                active_id=delivery.id, active_ids=delivery.ids, active_model="stock.picking"
            )
            .create({})
        )
        wizard.product_return_moves.quantity = 1
        returned = wizard._create_return()
        returned.move_ids.write({"quantity": 1, "picked": True})
        with self.assertRaisesRegex(UserError, order.name):
            returned.button_validate()
        self.assertNotEqual(returned.state, "done", msg="the return is not validated")

    # ---- wizards and cron ----------------------------------------------------------------------
    def test_close_wizard_refuses_unsettled_order(self):
        order = self.confirmed_order()
        action = order.with_user(self.requester).action_close_order()
        wizard = (
            self.env[action["res_model"]]
            .with_user(self.requester)
            .with_context(**action["context"])
            .create({})
        )
        self.assertEqual(len(wizard.check_ids), 7, msg="the wizard shows all seven checks")
        self.assertFalse(wizard.all_ok, msg="the wizard shows that some checks fail")
        self.assertFalse(wizard.can_force, msg="a salesman is not offered to force the close")
        with self.assertRaises(UserError):
            wizard.action_close()

    def test_mass_close_reports_skipped(self):
        settled = self.settled_order()
        open_order = self.confirmed_order()
        wizard = (
            self.env["sale.order.mass.close"]
            .with_user(self.requester)
            .with_context(active_model="sale.order", active_ids=(settled | open_order).ids)
            .create({"reason_id": self.close_reason.id})
        )
        wizard.action_close()
        self.assertTrue(settled.is_closed, msg="the settled order is closed")
        self.assertFalse(open_order.is_closed, msg="the unsettled order stays open")
        self.assertEqual(
            (wizard.closed_count, wizard.skipped_count),
            (1, 1),
            msg="the wizard counts one closed and one skipped order",
        )
        skipped = wizard.result_ids.filtered(lambda r: not r.closed)
        self.assertEqual(
            skipped.order_id, open_order, msg="the result lists the unsettled order as skipped"
        )
        self.assertIn(
            "Fully delivered", skipped.message, msg="the result says why the order was skipped"
        )

    def test_cron_auto_close_is_off_by_default(self):
        settled = self.settled_order()
        self.env["sale.order"]._cron_auto_close(commit=False)
        self.assertFalse(settled.is_closed, msg="without auto close days, the cron closes nothing")

    def test_cron_auto_closes_settled_orders_after_the_delay(self):
        settled = self.settled_order()
        open_order = self.confirmed_order()
        self.company.auto_close_days = 3
        self.env["sale.order"]._cron_auto_close(commit=False)
        self.assertFalse(
            settled.is_closed, msg="an order settled today is not closed before 3 days"
        )
        with freeze_time(fields.Datetime.now() + timedelta(days=4)):
            self.env["sale.order"]._cron_auto_close(commit=False)
        self.assertTrue(settled.is_closed, msg="after 4 days the settled order is closed")
        self.assertEqual(
            settled.close_reason_id,
            self.env.ref("order_termination.close_reason_settled"),
            msg="the cron closes with the 'settled' reason",
        )
        self.assertFalse(open_order.is_closed, msg="the cron leaves unsettled orders open")
