from odoo.exceptions import UserError
from odoo.tests import tagged, users

from .common import OrderEndOfLifeCase


@tagged("post_install", "-at_install")
class TestActionDraft(OrderEndOfLifeCase):
    """ "Set to Quotation" is no back door around Revoke Cancellation."""

    @users("orc_sales_manager")
    def test_manager_cannot_set_reversed_order_to_quotation(self):
        order = self.delivered_and_invoiced_order().with_user(self.env.user)
        cancellation = order.cancel_with_reversal(self.reason, receive_returns=True)

        with self.assertRaisesRegex(UserError, f"{order.name}.*Revoke Cancellation"):
            order.action_draft()

        self.assertEqual(order.state, "cancel", msg="still cancelled")
        self.assertEqual(cancellation.state, "cancelled", msg="the ledger is untouched")
        self.assertEqual(self.quantities(order), [(0, 0)], msg="still reversed")
        self.assertEqual(
            self.stock_by_location()["stock"], 1000, msg="the goods stay back in stock"
        )

    @users("plain_salesman")
    def test_salesman_cannot_set_cancelled_quotation_to_quotation(self):
        order = self.create_order().with_user(self.env.user)
        order.cancel_with_reversal(self.reason)

        with self.assertRaisesRegex(UserError, order.name):
            order.action_draft()
        self.assertEqual(order.state, "cancel", msg="still cancelled")

    @users("plain_salesman")
    def test_salesman_native_cancellation_keeps_native_behaviour(self):
        order = self.create_order().with_user(self.env.user)
        order.sudo().state = "cancel"  # cancelled before this addon: no record

        order.action_draft()

        self.assertEqual(order.state, "draft", msg="native Set to Quotation")

    @users("orc_sales_manager")
    def test_refused_for_the_whole_batch(self):
        native = self.create_order().with_user(self.env.user)
        native.sudo().state = "cancel"
        reversed_order = self.confirmed_order().with_user(self.env.user)
        reversed_order.cancel_with_reversal(self.reason)

        with self.assertRaisesRegex(UserError, reversed_order.name):
            (native | reversed_order).action_draft()
        self.assertEqual(native.state, "cancel", msg="nothing of the batch changed")

    @users("orc_sales_manager")
    def test_revoked_then_cancelled_again_is_refused_again(self):
        order = self.confirmed_order().with_user(self.env.user)
        order.cancel_with_reversal(self.reason)
        order.revoke_cancel()
        order.cancel_with_reversal(self.reason_other, note="Again")

        with self.assertRaisesRegex(UserError, "Revoke Cancellation"):
            order.action_draft()
        order.revoke_cancel()
        self.assertEqual(order.state, "sale", msg="Revoke is the way back")
