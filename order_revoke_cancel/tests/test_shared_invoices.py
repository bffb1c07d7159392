from odoo.exceptions import AccessError
from odoo.tests import Form, tagged

from .common import OrderEndOfLifeCase


@tagged("post_install", "-at_install")
class TestSharedInvoices(OrderEndOfLifeCase):
    """One invoice for two orders (10 x 100 and 5 x 100): each order is credited, refunded
    and re-billed for its own lines only; the other order does not move."""

    def shared_invoice(self, paid=None):
        order_a = self.confirmed_order([(self.storable, 10)])
        order_b = self.confirmed_order([(self.storable, 5)])
        self.deliver(order_a)
        self.deliver(order_b)
        invoice = (order_a | order_b)._create_invoices()
        invoice.action_post()
        if paid is not None:
            self.pay(invoice, paid)
        return order_a, order_b, invoice

    def impact(self, order, action, **options):
        return [line for line in order.get_cancel_impact(**options) if line["action"] == action]

    def assertOtherOrderUntouched(self, order_b):
        self.assertEqual(order_b.order_line.qty_invoiced, 5, msg="the other order stays invoiced")
        self.assertEqual(order_b.invoice_status, "invoiced", msg="and not to invoice again")
        self.assertEqual(order_b.state, "sale", msg="the other order stays confirmed")

    # ---- cancel ---------------------------------------------------------------------------------
    def test_cancel_credits_only_the_cancelled_orders_lines(self):
        order_a, order_b, invoice = self.shared_invoice()
        self.assertEqual(invoice.amount_total, 1500.0, msg="one invoice for both orders")
        preview = self.impact(order_a, "credit_note")

        cancellation = order_a.with_user(self.sales_manager).cancel_with_reversal(self.reason)

        credit_note = cancellation.credit_note_ids
        self.assertEqual(credit_note.amount_total, 1000.0, msg="only the cancelled order's lines")
        self.assertEqual(credit_note.state, "posted", msg="the credit note is posted")
        self.assertEqual(credit_note.reversed_entry_id, invoice, msg="it credits the invoice")
        self.assertEqual(
            credit_note.invoice_line_ids.sale_line_ids, order_a.order_line, msg="its lines only"
        )
        self.assertEqual(
            [line["amount"] for line in preview], [1000.0], msg="the preview showed that figure"
        )
        self.assertEqual(order_a.order_line.qty_invoiced, 0, msg="cancelled order not invoiced")
        self.assertOtherOrderUntouched(order_b)
        self.assertAlmostEqual(self.receivable(), 500.0, msg="the other order's 500 stays due")
        self.assertAlmostEqual(invoice.amount_residual, 500.0, msg="open on the shared invoice")
        self.assertBalanced(invoice | credit_note)

    def test_revoke_rebills_only_the_cancelled_orders_lines(self):
        order_a, order_b, invoice = self.shared_invoice()
        order_a.with_user(self.sales_manager).cancel_with_reversal(self.reason)

        cancellation = order_a.with_user(self.sales_manager).revoke_cancel()

        rebill = cancellation.revoke_invoice_ids
        self.assertEqual(rebill.amount_total, 1000.0, msg="revoke re-bills the order's 1,000")
        self.assertEqual(rebill.invoice_line_ids.sale_line_ids, order_a.order_line, msg="only")
        self.assertEqual(order_a.order_line.qty_invoiced, 10, msg="invoiced again")
        self.assertOtherOrderUntouched(order_b)
        self.assertAlmostEqual(self.receivable(), 1500.0, msg="receivable as before the cancel")
        self.assertBalanced(invoice | cancellation.credit_note_ids | rebill)

    def test_refund_is_the_orders_share_of_a_partial_payment(self):
        order_a, order_b, invoice = self.shared_invoice(paid=600.0)
        preview = self.impact(order_a, "refund_payment", refund_payments=True)

        cancellation = order_a.with_user(self.sales_manager).cancel_with_reversal(
            self.reason, refund_payments=True
        )

        refund = cancellation.refund_payment_ids
        self.assertEqual(refund.amount, 400.0, msg="600 paid split 1000:500, A paid 400")
        self.assertEqual([line["amount"] for line in preview], [400.0], msg="as previewed")
        self.assertAlmostEqual(invoice.amount_residual, 300.0, msg="B still owes its 300")
        self.assertAlmostEqual(self.receivable(), 300.0, msg="nothing else is due")
        self.assertEqual(cancellation.credit_note_ids.payment_state, "paid", msg="settled")
        self.assertOtherOrderUntouched(order_b)

    def test_kept_credit_is_the_orders_share_of_a_partial_payment(self):
        order_a, order_b, invoice = self.shared_invoice(paid=600.0)
        preview = self.impact(order_a, "customer_credit")
        self.assertFalse(self.impact(order_a, "refund_payment"), msg="no refund without option")

        cancellation = order_a.with_user(self.sales_manager).cancel_with_reversal(self.reason)

        self.assertFalse(cancellation.refund_payment_ids, msg="nothing paid out")
        self.assertEqual([line["amount"] for line in preview], [400.0], msg="400 kept as credit")
        self.assertAlmostEqual(invoice.amount_residual, 300.0, msg="B still owes its 300")
        self.assertAlmostEqual(
            cancellation.credit_note_ids.amount_residual, 400.0, msg="A's 400 stays as credit"
        )
        self.assertAlmostEqual(self.receivable(), -100.0, msg="300 due less 400 of credit")
        self.assertOtherOrderUntouched(order_b)

    def test_fully_paid_shared_invoice_refunds_only_the_orders_share(self):
        order_a, order_b, invoice = self.shared_invoice(paid=1500.0)

        cancellation = order_a.with_user(self.sales_manager).cancel_with_reversal(
            self.reason, refund_payments=True
        )

        self.assertEqual(cancellation.refund_payment_ids.amount, 1000.0, msg="A's 1,000 only")
        self.assertIn(invoice.payment_state, ("paid", "in_payment"), msg="the invoice stays paid")
        self.assertAlmostEqual(self.receivable(), 0.0, msg="nothing due, nothing owed")
        self.assertOtherOrderUntouched(order_b)

        order_a.with_user(self.sales_manager).revoke_cancel()
        self.assertEqual(order_a.order_line.qty_invoiced, 10, msg="revoke re-bills A")
        self.assertAlmostEqual(self.receivable(), 1000.0, msg="the refunded 1,000 is owed again")
        self.assertOtherOrderUntouched(order_b)

    def test_cancelling_both_orders_in_one_batch(self):
        order_a, order_b, invoice = self.shared_invoice(paid=600.0)

        cancellations = (
            (order_a | order_b)
            .with_user(self.sales_manager)
            .cancel_with_reversal(self.reason, refund_payments=True)
        )

        self.assertEqual(
            sorted(cancellations.mapped(lambda c: c.credit_note_ids.amount_total)),
            [500.0, 1000.0],
            msg="one credit note per order",
        )
        self.assertEqual(
            sorted(cancellations.mapped(lambda c: c.refund_payment_ids.amount)),
            [200.0, 400.0],
            msg="each order refunds its share of the 600",
        )
        self.assertAlmostEqual(invoice.amount_residual, 0.0, msg="the invoice is settled")
        self.assertAlmostEqual(self.receivable(), 0.0, msg="nothing left either way")

    def test_cancel_wizard_preview_follows_the_refund_option(self):
        order_a, order_b, _invoice = self.shared_invoice(paid=600.0)
        action = order_a.with_user(self.sales_manager).action_cancel()
        wizard_form = Form.from_action(self.env(user=self.sales_manager), action)

        def previewed():
            return {line["action"]: line["amount"] for line in wizard_form.impact_line_ids._records}

        self.assertEqual(previewed().get("customer_credit"), 400.0, msg="kept as credit")
        self.assertNotIn("refund_payment", previewed(), msg="no refund while not ticked")
        wizard_form.refund_payments = True
        self.assertEqual(previewed().get("refund_payment"), 400.0, msg="ticked: refunded")
        self.assertNotIn("customer_credit", previewed(), msg="and no longer kept as credit")
        self.assertEqual(previewed().get("credit_note"), 1000.0, msg="A's lines only")
        wizard_form.cancel_reason_id = self.reason
        wizard_form.save().action_cancel()

        cancellation = order_a.cancellation_ids
        self.assertEqual(cancellation.refund_payment_ids.amount, 400.0, msg="as previewed")
        self.assertEqual(cancellation.credit_note_ids.amount_total, 1000.0, msg="as previewed")
        self.assertOtherOrderUntouched(order_b)

    # ---- several invoices, down payments -------------------------------------------------------
    def test_order_with_down_payment_and_shared_final_invoice(self):
        order_a = self.confirmed_order([(self.storable, 10)])
        order_b = self.confirmed_order([(self.storable, 5)])
        self.env["sale.advance.payment.inv"].with_context(
            active_model="sale.order", active_ids=order_a.ids
        ).create({"advance_payment_method": "fixed", "fixed_amount": 200.0}).create_invoices()
        down_payment = order_a.invoice_ids
        down_payment.action_post()
        self.deliver(order_a)
        self.deliver(order_b)
        final = (order_a | order_b)._create_invoices(final=True)
        final.action_post()
        self.assertEqual(final.amount_total, 1300.0, msg="1000 - 200 down payment + 500")
        self.assertAlmostEqual(self.receivable(), 1500.0, msg="200 + 1300 due")

        cancellation = order_a.with_user(self.sales_manager).cancel_with_reversal(self.reason)

        by_invoice = {cn.reversed_entry_id: cn.amount_total for cn in cancellation.credit_note_ids}
        self.assertEqual(
            by_invoice,
            {down_payment: 200.0, final: 800.0},
            msg="each invoice credited for A's part, the deduction included",
        )
        self.assertEqual(
            order_a.order_line.filtered(lambda line: not line.display_type).mapped("qty_invoiced"),
            [0.0, 0.0],
            msg="nothing of A invoiced",
        )
        self.assertOtherOrderUntouched(order_b)
        self.assertAlmostEqual(self.receivable(), 500.0, msg="only B's 500 is due")

        order_a.with_user(self.sales_manager).revoke_cancel()
        self.assertEqual(order_a.order_line[0].qty_invoiced, 10, msg="A invoiced again")
        self.assertOtherOrderUntouched(order_b)
        self.assertAlmostEqual(self.receivable(), 1500.0, msg="as before the cancellation")

    def test_shared_draft_invoice_keeps_the_other_orders_lines(self):
        order_a = self.confirmed_order([(self.storable, 10)])
        order_b = self.confirmed_order([(self.storable, 5)])
        draft = (order_a | order_b)._create_invoices()

        cancellation = order_a.with_user(self.sales_manager).cancel_with_reversal(self.reason)

        self.assertEqual(draft.state, "draft", msg="the shared draft stays a draft")
        self.assertEqual(
            draft.invoice_line_ids.sale_line_ids, order_b.order_line, msg="with B's lines only"
        )
        cancelled = cancellation.cancelled_invoice_ids
        self.assertEqual(cancelled.state, "cancel", msg="A's lines went to a cancelled draft")
        self.assertEqual(cancelled.invoice_line_ids.sale_line_ids, order_a.order_line, msg="A's")
        self.assertEqual(order_a.order_line.qty_invoiced, 0, msg="A no longer invoiced")
        self.assertEqual(order_b.order_line.qty_invoiced, 5, msg="B still on its draft")
        self.assertEqual(order_b.invoice_status, "invoiced", msg="and not to invoice again")

        order_a.with_user(self.sales_manager).revoke_cancel()
        self.assertEqual(cancelled.state, "draft", msg="revoke puts A's draft back")
        self.assertEqual(order_a.order_line.qty_invoiced, 10, msg="A invoiced as before")
        self.assertEqual(order_b.order_line.qty_invoiced, 5, msg="B did not move")
        self.assertAlmostEqual(self.receivable(), 0.0, msg="drafts owe nothing")

    def test_shared_draft_is_previewed_as_the_draft_that_is_cancelled(self):
        """Issue 13: the preview showed the whole shared draft with its full total, while the
        cancellation cancels the draft of this order's lines split off it."""
        order_a = self.confirmed_order([(self.storable, 10)])
        order_b = self.confirmed_order([(self.storable, 5)])
        draft = (order_a | order_b)._create_invoices()
        whole = draft.amount_total

        for user in (self.salesman, self.sales_manager):
            (line,) = self.impact(order_a.with_user(user), "cancel_invoice")
            self.assertEqual(line["res_id"], draft.id, msg="named by the draft the user knows")
            self.assertIn(order_a.name, line["name"], msg="says whose lines are cancelled")
            self.assertLess(line["amount"], whole, msg="not the whole draft")
        cancellation = order_a.with_user(self.sales_manager).cancel_with_reversal(self.reason)
        self.assertEqual(
            line["amount"], cancellation.cancelled_invoice_ids.amount_total, msg="as cancelled"
        )
        self.assertAlmostEqual(
            draft.amount_total, whole - line["amount"], msg="the rest stays on the draft"
        )

    # ---- plain salesman -------------------------------------------------------------------------
    def test_salesman_sees_the_orders_share_and_cannot_cancel(self):
        order_a, order_b, invoice = self.shared_invoice(paid=600.0)

        impact = order_a.with_user(self.salesman).get_cancel_impact()

        amounts = {line["action"]: line["amount"] for line in impact}
        self.assertEqual(amounts.get("credit_note"), 1000.0, msg="the salesman sees 1,000")
        self.assertEqual(amounts.get("customer_credit"), 400.0, msg="and A's paid 400")
        with self.assertRaises(AccessError):
            order_a.with_user(self.salesman).cancel_with_reversal(self.reason)
        self.assertEqual(order_a.state, "sale", msg="nothing changed")
        self.assertEqual(invoice.amount_residual, 900.0, msg="the invoice did not move")
        self.assertOtherOrderUntouched(order_b)
