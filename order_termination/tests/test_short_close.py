from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import TerminationCase


@tagged("post_install", "-at_install")
class TestShortClose(TerminationCase):
    """A forced close settles the order at what was delivered: 10 invoiced, 4 delivered, a
    credit note for 6; reopen puts back what the close did."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.close_reason = cls.env.ref("order_termination.close_reason_short_close")

    def partly_delivered_order(self, paid=None):
        """10 ordered and invoiced (invoiced on order), 4 delivered, 6 in a backorder."""
        order = self.confirmed_order(qty=10)
        invoice = self.invoice(order)
        self.deliver(order, qty=4)
        if paid is not None:
            self.pay(invoice, paid)
        return order, invoice

    def short_close(self, order, **kwargs):
        order.with_user(self.manager).close(
            reason=self.close_reason, note="Customer takes no more.", force=True, **kwargs
        )

    # ---- close ----------------------------------------------------------------------------------
    def test_short_close_credits_what_was_not_delivered(self):
        order, invoice = self.partly_delivered_order()
        backorder = order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))

        self.short_close(order)

        credit_note = order.close_credit_note_ids
        self.assertEqual(credit_note.state, "posted", msg="a posted credit note")
        self.assertEqual(credit_note.amount_total, 600.0, msg="for the 6 not delivered")
        self.assertEqual(credit_note.reversed_entry_id, invoice, msg="crediting the invoice")
        self.assertEqual(order.order_line.qty_invoiced, 4, msg="invoiced what was delivered")
        self.assertEqual(order.order_line.qty_delivered, 4, msg="delivered stays 4")
        self.assertEqual(order.order_line.qty_to_invoice, 0, msg="nothing left to invoice")
        self.assertNotEqual(order.invoice_status, "to invoice", msg="not 'to invoice'")
        self.assertEqual(backorder.state, "cancel", msg="the open backorder is cancelled")
        self.assertEqual(order.close_cancelled_picking_ids, backorder, msg="and recorded")
        self.assertAlmostEqual(self.receivable(), 400.0, msg="the customer owes the 4 delivered")
        self.assertBalanced(invoice | credit_note)

    def test_short_close_of_a_paid_order_keeps_the_money_as_credit(self):
        order, _invoice = self.partly_delivered_order(paid=1000.0)

        self.short_close(order)

        self.assertFalse(order.close_refund_payment_ids, msg="nothing paid out by default")
        self.assertAlmostEqual(self.receivable(), -600.0, msg="600 stays as customer credit")

    def test_short_close_refunds_the_money_when_asked(self):
        order, _invoice = self.partly_delivered_order(paid=1000.0)

        self.short_close(order, refund_payments=True)

        refund = order.close_refund_payment_ids
        self.assertEqual(refund.payment_type, "outbound", msg="money goes out")
        self.assertEqual(refund.amount, 600.0, msg="the 6 not delivered")
        self.assertAlmostEqual(self.receivable(), 0.0, msg="nothing owed either way")

    def test_short_close_refused_while_delivered_goods_are_not_invoiced(self):
        order = self.confirmed_order(qty=10)
        self.deliver(order, qty=4)

        with self.assertRaisesRegex(UserError, f"{order.name} has delivered goods"):
            self.short_close(order)
        self.assertFalse(order.is_closed, msg="the order stays open")
        self.assertTrue(
            order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel")),
            msg="its backorder is untouched",
        )

    def test_short_close_refused_while_an_invoice_is_draft(self):
        # Found by the soak: a draft counted as invoiced, so nothing was left to settle.
        order = self.confirmed_order(qty=10)
        draft = order._create_invoices()

        with self.assertRaisesRegex(UserError, f"{order.name} has draft invoices"):
            self.short_close(order)
        self.assertFalse(order.is_closed, msg="the order stays open")
        self.assertEqual(draft.state, "draft", msg="the draft is untouched")
        self.assertFalse(order.close_credit_note_ids, msg="nothing was credited")

    def test_short_close_of_an_order_invoiced_as_delivered_credits_nothing(self):
        order = self.confirmed_order(qty=10)
        self.deliver(order, qty=4)
        invoice = self.invoice(order, post=False)
        invoice.invoice_line_ids.quantity = 4
        invoice.action_post()
        self.assertEqual(order.invoice_status, "to invoice", msg="6 are still to invoice")

        self.short_close(order)

        self.assertFalse(order.close_credit_note_ids, msg="nothing to credit")
        self.assertEqual(order.order_line.qty_to_invoice, 0, msg="nothing left to invoice")
        self.assertNotEqual(order.invoice_status, "to invoice", msg="no longer 'to invoice'")

    def test_short_close_is_refused_to_a_salesman(self):
        order, _invoice = self.partly_delivered_order()

        with self.assertRaises(AccessError):
            order.with_user(self.requester).close(reason=self.close_reason, force=True)
        self.assertFalse(order.is_closed, msg="the order stays open")
        self.assertEqual(len(order.invoice_ids), 1, msg="no credit note")
        self.assertAlmostEqual(self.receivable(), 1000.0, msg="the receivable did not move")

    def test_salesman_sees_a_closed_order_with_nothing_to_invoice(self):
        order, _invoice = self.partly_delivered_order()
        self.short_close(order)

        as_salesman = order.with_user(self.requester)
        self.assertNotEqual(as_salesman.invoice_status, "to invoice", msg="not to invoice")
        with self.assertRaisesRegex(UserError, order.name):
            as_salesman._create_invoices()

    # ---- reopen ---------------------------------------------------------------------------------
    def test_reopen_puts_back_what_the_short_close_did(self):
        order, invoice = self.partly_delivered_order()
        self.short_close(order)
        credit_note = order.close_credit_note_ids

        order.with_user(self.manager).reopen("The customer wants the rest after all.")

        reversal = order.invoice_ids.filtered(
            lambda m: m.move_type == "out_invoice" and m.reversed_entry_id == credit_note
        )
        self.assertEqual(reversal.state, "posted", msg="a posted invoice reverses the credit")
        self.assertEqual(reversal.amount_total, 600.0, msg="for the same 600")
        self.assertEqual(credit_note.state, "posted", msg="the credit note is not rewritten")
        self.assertEqual(order.order_line.qty_invoiced, 10, msg="invoiced as before the close")
        self.assertAlmostEqual(self.receivable(), 1000.0, msg="receivable as before the close")
        open_deliveries = order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        self.assertEqual(
            sum(open_deliveries.move_ids.mapped("product_uom_qty")),
            6,
            msg="the 6 not delivered are planned again",
        )
        self.assertFalse(order.close_credit_note_ids, msg="the close record is cleared")
        self.assertFalse(order.close_cancelled_picking_ids, msg="so a new close starts afresh")
        self.assertBalanced(invoice | credit_note | reversal)

    def test_reopen_after_refund_makes_the_customer_owe_again(self):
        order, _invoice = self.partly_delivered_order(paid=1000.0)
        self.short_close(order, refund_payments=True)

        order.with_user(self.manager).reopen("Delivering the rest.")

        self.assertEqual(order.order_line.qty_invoiced, 10, msg="invoiced as before")
        self.assertAlmostEqual(self.receivable(), 600.0, msg="the refunded 600 is owed again")
