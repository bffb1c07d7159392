from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from odoo.addons.order_revoke_cancel.tests.common import SALESMAN_GROUPS, OrderEndOfLifeCase


@tagged("post_install", "-at_install")
class TestStockCancelRestrictionCoexistence(OrderEndOfLifeCase):
    """Installed next to OCA's sale_stock_cancel_restriction: a delivered order is cancelled
    through the reversal wizard, which returns the goods; a plain cancel stays refused."""

    def test_manager_cancels_delivered_order_with_returns(self):
        order = self.delivered_and_invoiced_order()
        stock_before = self.on_hand(self.stock_location)

        action = order.with_user(self.sales_manager).action_cancel()
        self.assertEqual(action["res_model"], "sale.order.cancel", msg="the wizard opens")
        wizard_form = Form.from_action(self.env(user=self.sales_manager), action)
        wizard_form.cancel_reason_id = self.reason
        wizard_form.receive_returns = True
        wizard_form.save().action_cancel()

        self.assertEqual(order.state, "cancel", msg="cancelled")
        self.assertEqual(self.quantities(order), [(0, 0)], msg="returned and credited")
        self.assertEqual(self.on_hand(self.stock_location), stock_before + 5, msg="back in stock")
        done = order.picking_ids.filtered(lambda p: p.state == "done")
        self.assertEqual(len(done), 2, msg="delivery and return both done, none cancelled")

    def test_plain_cancel_of_delivered_order_keeps_the_restriction(self):
        order = self.confirmed_order()
        self.deliver(order)
        with self.assertRaises(UserError):
            order.with_context(disable_cancel_warning=True).action_cancel()
        self.assertEqual(order.state, "sale", msg="not cancelled")
        self.assertEqual(order.order_line.qty_delivered, 5, msg="delivery untouched")

    def test_salesman_without_reversal_right_cannot_cancel_delivered_order(self):
        salesman = self.company_user("restricted_salesman", SALESMAN_GROUPS)
        order = self.confirmed_order(user_id=salesman.id)
        self.deliver(order)
        self.assertFalse(order.with_user(salesman).can_cancel_order, msg="no Cancel button")
        with self.assertRaises(AccessError):
            order.with_user(salesman).cancel_with_reversal(self.reason)
        self.assertEqual(order.order_line.qty_delivered, 5, msg="delivery untouched")

    def test_cancel_without_deliveries_is_unchanged(self):
        order = self.confirmed_order(user_id=self.salesman.id)
        action = order.with_user(self.salesman).action_cancel()
        wizard_form = Form.from_action(self.env(user=self.salesman), action)
        wizard_form.cancel_reason_id = self.reason
        wizard_form.save().action_cancel()
        self.assertEqual(order.state, "cancel", msg="a salesman cancels an undelivered order")
        self.assertEqual(
            order.picking_ids.mapped("state"), ["cancel"], msg="its open delivery cancelled"
        )
