from odoo.tests import tagged

from .common import OrderEndOfLifeCase


@tagged("post_install", "-at_install")
class TestConsolidatedInvoice(OrderEndOfLifeCase):
    """One invoice of 1,800 for three orders, A (10 x 100), B (5 x 100) and C (3 x 100), half
    paid: 900 received, so 500, 250 and 150 of it are A's, B's and C's shares. The orders are
    cancelled one by one, then revoked in reverse order; at each step the orders not touched
    stay invoiced and the invoice keeps exactly their open shares."""

    def assertInvoiced(self, orders):
        for order in orders:
            self.assertEqual(
                order.order_line.qty_invoiced,
                order.order_line.product_uom_qty,
                msg=f"{order.name} stays invoiced",
            )
            self.assertEqual(order.invoice_status, "invoiced", msg=f"{order.name}: nothing to do")
            self.assertEqual(order.state, "sale", msg=f"{order.name} stays confirmed")

    def assertStep(self, invoice, invoiced, open_on_invoice, receivable, msg):
        self.assertInvoiced(invoiced)
        self.assertAlmostEqual(
            invoice.amount_residual, open_on_invoice, msg=f"{msg}: the invoice's open shares"
        )
        self.assertAlmostEqual(self.receivable(), receivable, msg=f"{msg}: the receivable")

    def test_three_orders_cancelled_one_by_one_and_revoked_in_reverse(self):
        order_a = self.confirmed_order([(self.storable, 10)])
        order_b = self.confirmed_order([(self.storable, 5)])
        order_c = self.confirmed_order([(self.storable, 3)])
        for order in order_a | order_b | order_c:
            self.deliver(order)
        invoice = (order_a | order_b | order_c)._create_invoices()
        invoice.action_post()
        self.assertEqual(invoice.amount_total, 1800.0, msg="one invoice for the three")
        self.pay(invoice, 900.0)
        manager_a, manager_b, manager_c = (
            order.with_user(self.sales_manager) for order in (order_a, order_b, order_c)
        )

        cancel_a = manager_a.cancel_with_reversal(self.reason)
        self.assertEqual(cancel_a.credit_note_ids.amount_total, 1000.0, msg="A's lines")
        self.assertAlmostEqual(
            cancel_a.credit_note_ids.amount_residual, 500.0, msg="A's 500 paid kept as credit"
        )
        self.assertEqual(order_a.order_line.qty_invoiced, 0, msg="A no longer invoiced")
        self.assertStep(invoice, order_b | order_c, 400.0, -100.0, msg="A cancelled")

        cancel_b = manager_b.cancel_with_reversal(self.reason)
        self.assertEqual(cancel_b.credit_note_ids.amount_total, 500.0, msg="B's lines")
        self.assertAlmostEqual(
            cancel_b.credit_note_ids.amount_residual, 250.0, msg="B's 250 paid kept as credit"
        )
        self.assertStep(invoice, order_c, 150.0, -600.0, msg="B cancelled")

        cancel_c = manager_c.cancel_with_reversal(self.reason)
        self.assertEqual(cancel_c.credit_note_ids.amount_total, 300.0, msg="C's lines")
        self.assertAlmostEqual(
            cancel_c.credit_note_ids.amount_residual, 150.0, msg="C's 150 paid kept as credit"
        )
        self.assertStep(invoice, order_a.browse(), 0.0, -900.0, msg="all cancelled")

        manager_c.revoke_cancel()
        self.assertStep(invoice, order_c, 0.0, -600.0, msg="C revoked")
        self.assertEqual(order_b.order_line.qty_invoiced, 0, msg="B still cancelled")

        manager_b.revoke_cancel()
        self.assertStep(invoice, order_b | order_c, 0.0, -100.0, msg="B revoked")
        self.assertEqual(order_a.order_line.qty_invoiced, 0, msg="A still cancelled")

        manager_a.revoke_cancel()
        self.assertStep(invoice, order_a | order_b | order_c, 0.0, 900.0, msg="A revoked")
        for move in invoice | (cancel_a | cancel_b | cancel_c).credit_note_ids:
            self.assertAlmostEqual(
                sum(move.line_ids.mapped("debit")),
                sum(move.line_ids.mapped("credit")),
                msg=f"{move.display_name} is balanced",
            )
