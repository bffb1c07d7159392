from odoo.tests import tagged

from .common import OrderEndOfLifeCase


@tagged("post_install", "-at_install")
class TestRevokeCancel(OrderEndOfLifeCase):
    def test_revoke_restores_receivable(self):
        order = self.delivered_and_invoiced_order(qty=5, paid=200.0)
        before = self.receivable()
        order.cancel_with_reversal(self.reason)

        order.revoke_cancel()

        self.assertEqual(order.state, "sale", msg="confirmed again")
        self.assertAlmostEqual(self.receivable(), before, msg="customer owes what they owed")
        self.assertEqual(self.quantities(order), [(5, 5)], msg="delivered and invoiced as before")
