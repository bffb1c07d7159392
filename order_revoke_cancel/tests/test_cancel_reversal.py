from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged, users

from .common import OrderEndOfLifeCase


@tagged("post_install", "-at_install")
class TestCancelReversal(OrderEndOfLifeCase):
    def test_cancel_delivered_order_creates_pending_return(self):
        order = self.confirmed_order([(self.storable, 5)])
        delivery = self.deliver(order)

        order.cancel_with_reversal(self.reason)

        returns = order.cancellation_ids.return_picking_ids
        self.assertEqual(order.state, "cancel", msg="the order ends cancelled")
        self.assertEqual(len(returns), 1, msg="one return for the one done delivery")
        self.assertEqual(returns.return_id, delivery, msg="the return reverses that delivery")
        self.assertEqual(returns.state, "assigned", msg="the return waits for the warehouse")
        self.assertEqual(returns.move_ids.product_uom_qty, 5, msg="it returns all delivered")
        self.assertTrue(all(returns.move_ids.mapped("to_refund")), msg="updates qty on the SO")
        self.assertEqual(order.order_line.qty_delivered, 5, msg="nothing came back yet")

    def test_received_return_lowers_qty_delivered(self):
        order = self.confirmed_order([(self.storable, 5)])
        self.deliver(order)

        order.cancel_with_reversal(self.reason, receive_returns=True)

        returns = order.cancellation_ids.return_picking_ids
        self.assertEqual(returns.state, "done", msg="receive_returns validates the return")
        self.assertEqual(order.order_line.qty_delivered, 0, msg="the goods are back")

    def test_cancel_posted_invoice_creates_posted_credit_note(self):
        order = self.delivered_and_invoiced_order(qty=5)
        invoice = order.invoice_ids

        cancellation = order.cancel_with_reversal(self.reason)

        credit_note = cancellation.credit_note_ids
        self.assertEqual(credit_note.move_type, "out_refund", msg="a credit note is made")
        self.assertEqual(credit_note.state, "posted", msg="and posted")
        self.assertEqual(credit_note.reversed_entry_id, invoice, msg="it reverses the invoice")
        self.assertEqual(credit_note.amount_total, invoice.amount_total, msg="in full")
        self.assertEqual(invoice.state, "posted", msg="the invoice itself stays posted")
        self.assertEqual(invoice.payment_state, "reversed", msg="and is settled by the credit note")
        self.assertEqual(order.order_line.qty_invoiced, 0, msg="nothing is invoiced any more")
        self.assertAlmostEqual(self.receivable(), 0.0, msg="the customer owes nothing")
        self.assertIn(self.reason.name, credit_note.ref, msg="the reference says why (issue 15)")
        self.assertIn(order.name, credit_note.ref, msg="and for which order")

    def test_cancel_records_reason_and_snapshot(self):
        order = self.delivered_and_invoiced_order(qty=4)
        date_order = order.date_order

        cancellation = order.cancel_with_reversal(self.reason_other, note="Customer moved away")

        self.assertEqual(order.cancel_reason_id, self.reason_other, msg="reason on the order")
        self.assertEqual(order.cancel_note, "Customer moved away", msg="note on the order")
        self.assertEqual(order.cancel_user_id, self.env.user, msg="who cancelled")
        self.assertTrue(order.cancel_date, msg="when")
        self.assertRecordValues(
            cancellation,
            [{"state": "cancelled", "previous_state": "sale", "previous_date_order": date_order}],
        )
        self.assertEqual(cancellation.line_ids.qty_delivered, 4, msg="delivered before")
        self.assertEqual(cancellation.line_ids.qty_invoiced, 4, msg="invoiced before")

    def test_open_delivery_is_cancelled_not_returned(self):
        order = self.confirmed_order([(self.storable, 5)])
        delivery = order.picking_ids

        cancellation = order.cancel_with_reversal(self.reason)

        self.assertEqual(delivery.state, "cancel", msg="the open delivery is cancelled")
        self.assertEqual(cancellation.cancelled_picking_ids, delivery, msg="and recorded")
        self.assertFalse(cancellation.return_picking_ids, msg="nothing was delivered to return")

    def test_partial_delivery_returns_delivered_and_cancels_backorder(self):
        order = self.confirmed_order([(self.storable, 5)])
        self.deliver(order, qty=3)
        backorder = order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))

        cancellation = order.cancel_with_reversal(self.reason)

        self.assertEqual(backorder.state, "cancel", msg="the backorder is cancelled")
        self.assertEqual(
            cancellation.return_picking_ids.move_ids.product_uom_qty, 3, msg="3 come back"
        )

    def test_draft_invoice_is_cancelled(self):
        order = self.confirmed_order([(self.storable, 5)])
        draft = self.invoice(order, post=False)

        cancellation = order.cancel_with_reversal(self.reason)

        self.assertEqual(draft.state, "cancel", msg="the draft invoice is cancelled")
        self.assertEqual(cancellation.cancelled_invoice_ids, draft, msg="and recorded")
        self.assertFalse(cancellation.credit_note_ids, msg="no credit note for a draft")

    def test_paid_invoice_without_refund_leaves_customer_credit(self):
        order = self.delivered_and_invoiced_order(qty=5)
        self.pay(order.invoice_ids)

        cancellation = order.cancel_with_reversal(self.reason)

        self.assertFalse(cancellation.refund_payment_ids, msg="no money is paid out")
        self.assertAlmostEqual(self.receivable(), -500.0, msg="the money stays as customer credit")

    def test_refund_payments_pays_the_money_back(self):
        order = self.delivered_and_invoiced_order(qty=5)
        self.pay(order.invoice_ids)

        cancellation = order.cancel_with_reversal(self.reason, refund_payments=True)

        refund = cancellation.refund_payment_ids
        self.assertEqual(refund.payment_type, "outbound", msg="money goes out")
        self.assertEqual(refund.amount, 500.0, msg="all of it")
        self.assertEqual(
            cancellation.credit_note_ids.payment_state, "paid", msg="the credit note is settled"
        )
        self.assertAlmostEqual(self.receivable(), 0.0, msg="nothing is owed either way")

    def test_partially_paid_invoice_refunds_only_what_was_paid(self):
        order = self.delivered_and_invoiced_order(qty=5, paid=200.0)

        cancellation = order.cancel_with_reversal(self.reason, refund_payments=True)

        self.assertEqual(cancellation.refund_payment_ids.amount, 200.0, msg="refund what was paid")
        self.assertAlmostEqual(self.receivable(), 0.0, msg="nothing is owed either way")

    def test_existing_partial_credit_note_is_not_credited_twice(self):
        order = self.delivered_and_invoiced_order(qty=5)
        invoice = order.invoice_ids
        partial = invoice._reverse_moves()
        partial.invoice_line_ids.quantity = 2
        partial.action_post()

        cancellation = order.cancel_with_reversal(self.reason)

        self.assertEqual(
            cancellation.credit_note_ids.invoice_line_ids.quantity, 3, msg="credits the rest"
        )
        self.assertEqual(order.order_line.qty_invoiced, 0, msg="nothing invoiced in the end")

    def test_service_order_is_credited_without_stock(self):
        order = self.confirmed_order([(self.service, 2)])
        self.invoice(order)

        cancellation = order.cancel_with_reversal(self.reason)

        self.assertFalse(cancellation.return_picking_ids, msg="no stock for services")
        self.assertEqual(cancellation.credit_note_ids.amount_total, 200.0, msg="credited")

    def test_impact_preview_changes_nothing(self):
        order = self.delivered_and_invoiced_order(qty=5)
        self.pay(order.invoice_ids, 100.0)

        impact = order.get_cancel_impact(refund_payments=True)

        actions = sorted(line["action"] for line in impact)
        self.assertEqual(
            actions, ["credit_note", "refund_payment", "return_picking"], msg="one per document"
        )
        self.assertEqual(order.state, "sale", msg="preview is read-only")
        self.assertFalse(order.cancellation_ids, msg="nothing recorded")
        self.assertEqual(len(order.picking_ids), 1, msg="no return created")

    def test_already_cancelled_order_is_refused(self):
        order = self.confirmed_order()
        order.cancel_with_reversal(self.reason)

        with self.assertRaisesRegex(UserError, order.name):
            order.cancel_with_reversal(self.reason)

    def test_reason_requiring_note_is_refused_without_one(self):
        order = self.confirmed_order()

        with self.assertRaises(UserError):
            order.cancel_with_reversal(self.reason_other)
        self.assertEqual(order.state, "sale", msg="nothing happened")

    @users("plain_salesman")
    def test_salesman_cancels_order_needing_no_reversal(self):
        order = self.confirmed_order().with_user(self.env.user)

        order.cancel_with_reversal(self.reason)

        self.assertEqual(order.state, "cancel", msg="native right kept")
        self.assertEqual(order.cancellation_ids.user_id, self.salesman, msg="recorded")

    @users("plain_salesman")
    def test_salesman_cannot_cancel_delivered_order(self):
        order = self.confirmed_order().with_user(self.env.user)
        self.deliver(order.sudo())

        with self.assertRaisesRegex(AccessError, order.name):
            order.cancel_with_reversal(self.reason)
        self.assertEqual(order.state, "sale", msg="untouched")

    @users("orc_sales_manager")
    def test_manager_cancels_delivered_and_invoiced_order(self):
        order = self.delivered_and_invoiced_order().with_user(self.env.user)

        order.cancel_with_reversal(self.reason, receive_returns=True)

        self.assertEqual(self.quantities(order), [(0, 0)], msg="nothing delivered nor invoiced")

    def test_manager_cancels_locked_order_and_unlock_is_recorded(self):
        order = self.delivered_and_invoiced_order()
        order.action_lock()

        cancellation = order.with_user(self.sales_manager).cancel_with_reversal(self.reason)

        self.assertTrue(cancellation.previous_locked, msg="revoke will lock it again")
        self.assertEqual(order.state, "cancel", msg="cancelled")

    def test_quotation_cancelled_with_reason(self):
        order = self.create_order()

        cancellation = order.cancel_with_reversal(self.reason)

        self.assertEqual(order.state, "cancel", msg="cancelled like native Odoo")
        self.assertEqual(cancellation.previous_state, "draft", msg="and recorded")

    def test_native_cancel_path_goes_through_the_engine(self):
        order = self.delivered_and_invoiced_order()

        order.with_context(disable_cancel_warning=True).action_cancel()

        self.assertTrue(order.cancellation_ids.credit_note_ids, msg="credited anyway")
        self.assertTrue(order.cancellation_ids.return_picking_ids, msg="returned anyway")
