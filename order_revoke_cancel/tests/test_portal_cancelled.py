from odoo.tests import HttpCase, tagged

from .common import OrderEndOfLifeCase


@tagged("post_install", "-at_install")
class TestPortalCancelledOrder(OrderEndOfLifeCase, HttpCase):
    """The customer's page of a cancelled order: an order cancelled after it was confirmed is
    an order, not "a quotation" (core's words for every cancelled order)."""

    def page(self, order):
        order._portal_ensure_token()
        return self.url_open(f"/my/orders/{order.id}?access_token={order.access_token}").text

    def test_cancelled_order_is_called_an_order(self):
        order = self.confirmed_order()
        order.with_user(self.sales_manager).cancel_with_reversal(self.reason)

        self.assertEqual(order.type_name, "Sales Order")
        page = self.page(order)
        self.assertIn("This order has been cancelled.", page)
        self.assertNotIn("This quotation has been cancelled.", page)

    def test_cancelled_quotation_is_still_a_quotation(self):
        order = self.create_order()
        order.with_user(self.sales_manager).cancel_with_reversal(self.reason)

        self.assertEqual(order.type_name, "Quotation")
        self.assertIn("This quotation has been cancelled.", self.page(order))

    def test_revoked_order_is_an_order_again(self):
        order = self.confirmed_order()
        order.with_user(self.sales_manager).cancel_with_reversal(self.reason)
        order.with_user(self.sales_manager).revoke_cancel()

        self.assertEqual(order.type_name, "Sales Order")
        self.assertNotIn("has been cancelled", self.page(order))
