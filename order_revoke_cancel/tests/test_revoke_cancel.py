from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged, users

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

    def test_revoke_restores_order_header(self):
        order = self.delivered_and_invoiced_order()
        order.date_order = fields.Datetime.now() - timedelta(days=3)
        date_order = order.date_order
        order.action_lock()
        order.with_user(self.sales_manager).cancel_with_reversal(self.reason)

        order.revoke_cancel(note="Customer changed their mind")

        self.assertEqual(order.date_order, date_order, msg="confirmation date kept")
        self.assertTrue(order.locked, msg="locked again, as it was")
        self.assertFalse(order.cancel_reason_id, msg="no longer shows a cancel reason")
        self.assertEqual(
            order.cancellation_ids.revoke_note, "Customer changed their mind", msg="note kept"
        )

    def test_revoke_cancels_pending_return_and_keeps_delivery(self):
        order = self.confirmed_order([(self.storable, 5)])
        self.deliver(order)
        cancellation = order.cancel_with_reversal(self.reason)
        pickings_before = order.picking_ids

        order.revoke_cancel()

        self.assertEqual(
            cancellation.return_picking_ids.state, "cancel", msg="the return is called off"
        )
        self.assertEqual(order.picking_ids, pickings_before, msg="no new delivery is needed")
        self.assertEqual(order.order_line.qty_delivered, 5, msg="still delivered")

    def test_revoke_redelivers_goods_that_came_back(self):
        order = self.confirmed_order([(self.storable, 5)])
        self.deliver(order)
        cancellation = order.cancel_with_reversal(self.reason, receive_returns=True)

        order.revoke_cancel()

        new_delivery = cancellation.revoke_picking_ids
        self.assertEqual(new_delivery.picking_type_code, "outgoing", msg="a new delivery")
        self.assertEqual(new_delivery.move_ids.product_uom_qty, 5, msg="for what came back")
        self.deliver(order)
        self.assertEqual(order.order_line.qty_delivered, 5, msg="delivered again")

    def test_revoke_after_partly_received_return(self):
        order = self.confirmed_order([(self.storable, 5)])
        self.deliver(order)
        cancellation = order.cancel_with_reversal(self.reason)
        self.receive(cancellation.return_picking_ids, qty=2)
        self.assertEqual(order.order_line.qty_delivered, 3, msg="2 came back")

        order.revoke_cancel()

        self.assertEqual(
            cancellation.revoke_picking_ids.move_ids.product_uom_qty, 2, msg="re-deliver 2"
        )

    def test_revoke_recreates_open_delivery(self):
        order = self.confirmed_order([(self.storable, 5)])
        cancellation = order.cancel_with_reversal(self.reason)

        order.revoke_cancel()

        self.assertEqual(
            cancellation.revoke_picking_ids.move_ids.product_uom_qty, 5, msg="deliver again"
        )
        self.assertEqual(cancellation.revoke_picking_ids.state, "assigned", msg="ready to go")

    def test_revoke_puts_cancelled_draft_invoice_back_to_draft(self):
        order = self.confirmed_order([(self.storable, 5)])
        draft = self.invoice(order, post=False)
        order.cancel_with_reversal(self.reason)

        order.revoke_cancel()

        self.assertEqual(draft.state, "draft", msg="the draft invoice is back")

    def test_revoke_undoes_credit_note_with_new_posted_invoice(self):
        order = self.delivered_and_invoiced_order()
        cancellation = order.cancel_with_reversal(self.reason)
        credit_note = cancellation.credit_note_ids

        order.revoke_cancel()

        invoice = cancellation.revoke_invoice_ids
        self.assertEqual(credit_note.state, "posted", msg="posted entries stay as they are")
        self.assertEqual(invoice.move_type, "out_invoice", msg="undone by a new invoice")
        self.assertEqual(invoice.state, "posted", msg="posted")
        self.assertEqual(invoice.reversed_entry_id, credit_note, msg="reversing the credit note")
        self.assertEqual(order.order_line.qty_invoiced, 5, msg="invoiced quantity is back")

    def test_revoke_after_refund_makes_customer_owe_again(self):
        order = self.delivered_and_invoiced_order()
        self.pay(order.invoice_ids)
        order.cancel_with_reversal(self.reason, refund_payments=True)

        order.revoke_cancel()

        self.assertAlmostEqual(self.receivable(), 500.0, msg="the refund stays paid out")

    def test_three_cancel_revoke_cycles_stay_consistent(self):
        order = self.delivered_and_invoiced_order(qty=5, paid=100.0)
        before = self.receivable()
        for cycle in range(3):
            order.cancel_with_reversal(self.reason, receive_returns=bool(cycle % 2))
            self.assertEqual(
                order.order_line.qty_invoiced, 0, msg=f"cycle {cycle}: all credited, once"
            )
            self.assertAlmostEqual(
                self.receivable(), -100.0, msg=f"cycle {cycle}: payment left as customer credit"
            )
            order.revoke_cancel()
            self.assertEqual(order.order_line.qty_invoiced, 5, msg=f"cycle {cycle}: invoiced")
            self.assertAlmostEqual(self.receivable(), before, msg=f"cycle {cycle}: receivable")
            pending = order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
            if pending:
                self.deliver(order)
            self.assertEqual(order.order_line.qty_delivered, 5, msg=f"cycle {cycle}: delivered")
        self.assertEqual(len(order.cancellation_ids), 3, msg="one ledger entry per cycle")
        self.assertEqual(set(order.cancellation_ids.mapped("state")), {"revoked"}, msg="all undone")

    def test_revoke_refused_when_order_is_not_cancelled(self):
        order = self.confirmed_order()

        with self.assertRaisesRegex(UserError, order.name):
            order.revoke_cancel()

    def test_revoke_refused_after_window(self):
        self.company.revoke_cancel_days = 7
        order = self.delivered_and_invoiced_order()
        order.cancel_with_reversal(self.reason)

        with freeze_time(fields.Datetime.now() + timedelta(days=8)):
            with self.assertRaisesRegex(UserError, "7 days"):
                order.revoke_cancel()
        self.assertEqual(order.state, "cancel", msg="still cancelled")

    def test_revoke_refused_when_credit_note_journal_is_locked(self):
        order = self.delivered_and_invoiced_order()
        order.cancel_with_reversal(self.reason)
        self.company.fiscalyear_lock_date = fields.Date.today() + timedelta(days=1)

        with self.assertRaisesRegex(UserError, "locked"):
            order.revoke_cancel()

    def test_revoke_of_order_cancelled_before_install_reconfirms_it(self):
        order = self.confirmed_order([(self.storable, 5)])
        order.cancel_with_reversal(self.reason)
        order.cancellation_ids.sudo().unlink()  # as if cancelled natively, before this addon

        order.revoke_cancel()

        self.assertEqual(order.state, "sale", msg="confirmed again")
        open_moves = order.picking_ids.move_ids.filtered(lambda m: m.state != "cancel")
        self.assertEqual(sum(open_moves.mapped("product_uom_qty")), 5, msg="to deliver again")

    def test_revoke_impact_lists_what_will_happen(self):
        order = self.delivered_and_invoiced_order()
        order.cancel_with_reversal(self.reason)

        actions = sorted(line["action"] for line in order.get_revoke_impact())

        self.assertEqual(actions, ["cancel_return", "reverse_credit_note"], msg="preview")
        self.assertEqual(order.state, "cancel", msg="preview changes nothing")

    @users("plain_salesman")
    def test_salesman_cannot_revoke(self):
        order = self.confirmed_order().with_user(self.env.user)
        order.cancel_with_reversal(self.reason)

        with self.assertRaisesRegex(AccessError, order.name):
            order.revoke_cancel()
        self.assertEqual(order.state, "cancel", msg="still cancelled")
        self.assertFalse(order.can_revoke_cancel, msg="no button either")

    @users("orc_sales_manager")
    def test_manager_revokes(self):
        order = self.delivered_and_invoiced_order().with_user(self.env.user)
        order.cancel_with_reversal(self.reason)

        self.assertTrue(order.can_revoke_cancel, msg="button shown")
        order.revoke_cancel()

        self.assertEqual(self.quantities(order), [(5, 5)], msg="restored")

    def test_revoke_of_sent_quotation_brings_back_sent_quotation(self):
        order = self.create_order()
        order.action_quotation_sent()
        order.cancel_with_reversal(self.reason)

        order.revoke_cancel()

        self.assertEqual(order.state, "sent", msg="a sent quotation again")
        self.assertFalse(order.picking_ids, msg="a quotation delivers nothing")
