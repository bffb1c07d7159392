from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import OrderEndOfLifeCase


@tagged("post_install", "-at_install")
class TestCancelPaths(OrderEndOfLifeCase):
    """The wizard, the mass cancel, notifications and company settings around the engine."""

    def test_cancel_wizard_shows_impact_and_cancels_with_reason(self):
        order = self.delivered_and_invoiced_order()
        action = order.action_cancel()
        wizard_form = Form.from_action(self.env, action)

        self.assertEqual(
            sorted(wizard_form.impact_line_ids._records, key=lambda r: r["action"])[0]["action"],
            "credit_note",
            msg="the preview lists the credit note",
        )
        wizard_form.cancel_reason_id = self.reason
        wizard_form.receive_returns = True
        wizard_form.save().action_cancel()

        self.assertEqual(order.state, "cancel", msg="cancelled")
        self.assertEqual(order.cancel_reason_id, self.reason, msg="with the reason")
        self.assertEqual(order.order_line.qty_delivered, 0, msg="returns received at once")

    def test_mass_cancel_isolates_failing_order(self):
        good = self.confirmed_order(user_id=self.salesman.id)
        delivered = self.confirmed_order(user_id=self.salesman.id)
        self.deliver(delivered)
        orders = (good | delivered).with_user(self.salesman)
        wizard = (
            self.env["sale.mass.cancel.orders"]
            .with_user(self.salesman)
            .with_context(active_model="sale.order", active_ids=orders.ids)
            .create({"cancel_reason_id": self.reason.id})
        )

        wizard.action_mass_cancel()

        self.assertEqual(good.state, "cancel", msg="the good one is cancelled")
        self.assertEqual(delivered.state, "sale", msg="the one needing reversal is untouched")
        self.assertFalse(delivered.cancellation_ids, msg="nothing of it stayed")
        self.assertIn(delivered.name, wizard.result, msg="the report names it")
        self.assertIn("not cancelled", wizard.result, msg="and says it failed")

    def test_notification_group_users_get_one_activity_each(self):
        group = self.env["res.groups"].create(
            {"name": "Cancel watchers", "users": [Command.set(self.sales_manager.ids)]}
        )
        self.company.cancel_notify_group_ids = group
        order = self.delivered_and_invoiced_order()

        order.cancel_with_reversal(self.reason)

        activities = order.activity_ids.filtered(
            lambda a: (
                a.activity_type_id
                == self.env.ref("order_revoke_cancel.mail_activity_order_cancelled")
            )
        )
        self.assertEqual(activities.user_id, self.sales_manager, msg="one activity for the user")

    def test_chatter_lists_created_documents(self):
        order = self.delivered_and_invoiced_order()

        cancellation = order.cancel_with_reversal(self.reason)

        message = order.message_ids[0]
        self.assertIn(cancellation.credit_note_ids.name, message.body, msg="credit note linked")
        self.assertIn(cancellation.return_picking_ids.name, message.body, msg="return linked")

    def test_manager_cancel_button_on_locked_order_opens_wizard(self):
        order = self.delivered_and_invoiced_order()
        order.action_lock()

        action = order.with_user(self.sales_manager).action_cancel()
        wizard = Form.from_action(self.env(user=self.sales_manager), action)
        wizard.cancel_reason_id = self.reason
        wizard.save().action_cancel()

        self.assertEqual(order.state, "cancel", msg="a manager cancels a locked order")
        self.assertTrue(order.cancellation_ids.previous_locked, msg="the unlock is recorded")

    def test_salesman_cancel_button_on_locked_order_is_refused(self):
        order = self.confirmed_order(user_id=self.salesman.id)
        order.action_lock()

        with self.assertRaises(UserError):
            order.with_user(self.salesman).action_cancel()

    def test_batch_cancel_and_revoke_keep_each_orders_documents_apart(self):
        first = self.delivered_and_invoiced_order(qty=2)
        second = self.delivered_and_invoiced_order(qty=3)
        orders = first | second

        cancellations = orders.cancel_with_reversal(self.reason, receive_returns=True)

        self.assertEqual(cancellations.order_id, orders, msg="one ledger entry per order")
        for order, qty in ((first, 2), (second, 3)):
            ledger = order.cancellation_ids
            self.assertEqual(
                ledger.credit_note_ids.reversed_entry_id, order.invoice_ids[:1], msg="own credit"
            )
            self.assertEqual(ledger.return_picking_ids.move_ids.quantity, qty, msg="own return")
        orders.revoke_cancel()
        for order, qty in ((first, 2), (second, 3)):
            ledger = order.cancellation_ids
            self.assertEqual(
                ledger.revoke_picking_ids.move_ids.product_uom_qty, qty, msg="own new delivery"
            )
            self.assertEqual(
                ledger.revoke_invoice_ids.reversed_entry_id, ledger.credit_note_ids, msg="own"
            )
            self.assertEqual(order.order_line.qty_invoiced, qty, msg="invoiced again")
