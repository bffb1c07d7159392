"""Browser scenario of a card refund: an order paid through a payment provider is cancelled
with Refund Payments, and the money goes back through that provider (see test_ui_tours.py)."""

from odoo.tests import tagged

from odoo.addons.order_revoke_cancel.tests import common

from .test_ui_tours import ScreenshotTourCase


@tagged("post_install", "-at_install")
class TestCardRefundTour(common.DemoProviderMixin, common.OrderEndOfLifeCase, ScreenshotTourCase):
    """A sales manager with billing rights cancels an order paid by card, with refund."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_demo_provider()
        cls.tour_user = cls.company_user(
            "tour_card_manager", common.SALES_MANAGER_GROUPS, name="Tour Card Manager"
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "Tour Card Customer", "email": "tour.card@example.com"}
        )

    def test_cancel_refunds_the_card_in_browser(self):
        order = self.confirmed_order(
            [(self.storable, 5)], partner=self.customer, user_id=self.tour_user.id
        )
        self.deliver(order)
        invoice = self.invoice(order)
        tx = self.demo_transaction(order, invoice.amount_total, invoices=invoice)
        self.assertEqual(invoice.payment_state, "paid")

        self.start_tour("/odoo/sales", "order_card_refund_tour", login=self.tour_user.login)

        self.env.invalidate_all()
        self.assertEqual(order.state, "cancel")
        cancellation = order.cancellation_ids
        refund = cancellation.sudo().refund_transaction_ids
        self.assertEqual(refund.source_transaction_id, tx, msg="refunded through the card")
        self.assertEqual((refund.state, refund.amount), ("done", -invoice.amount_total))
        self.assertEqual(self.receivable(order.partner_id), 0, msg="nothing due, nothing owed")
