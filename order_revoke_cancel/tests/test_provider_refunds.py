"""Money back the way it came: a payment received through a provider transaction whose provider
supports refunds is refunded through that provider (Odoo's demo provider, installed in the test
database only by bin/run-tests); other money by an outbound payment, as before."""

from unittest.mock import patch

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import DemoProviderMixin, OrderEndOfLifeCase


@tagged("post_install", "-at_install")
class TestProviderRefunds(DemoProviderMixin, OrderEndOfLifeCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_demo_provider()

    # ---- helpers ----------------------------------------------------------------------------
    def paid_by_card(self, qty=5, amount=None):
        """A delivered, invoiced order whose invoice the customer paid by card (a done demo
        transaction, post-processed as Odoo does: its payment reconciled with the invoice)."""
        order = self.confirmed_order([(self.storable, qty)])
        self.deliver(order)
        invoice = self.invoice(order)
        tx = self.demo_transaction(
            order, invoice.amount_total if amount is None else amount, invoices=invoice
        )
        self.assertTrue(tx.payment_id, msg="the card payment is booked")
        self.assertAlmostEqual(invoice.amount_residual, invoice.amount_total - tx.amount)
        return order, invoice, tx

    def lines(self, impact, action):
        return [line for line in impact if line["action"] == action]

    def assertExact(self, cancellation, invoice):
        self.assertAlmostEqual(invoice.amount_residual, 0.0, msg="the invoice is settled")
        for credit_note in cancellation.credit_note_ids:
            self.assertAlmostEqual(credit_note.amount_residual, 0.0, msg="credit note settled")
        self.assertAlmostEqual(self.receivable(), 0.0, msg="the receivable is exact to the cent")

    # ---- refunds through the provider -------------------------------------------------------
    def test_card_paid_order_fully_refunded_through_the_provider(self):
        order, invoice, tx = self.paid_by_card()
        manager = order.with_user(self.sales_manager)
        impact = manager.get_cancel_impact(refund_payments=True)
        salesman_impact = order.with_user(self.salesman).get_cancel_impact(refund_payments=True)
        self.assertEqual(salesman_impact, impact, msg="a salesman previews the same")
        (line,) = self.lines(impact, "refund_transaction")
        self.assertEqual(line["amount"], 500.0)
        self.assertEqual((line["model"], line["res_id"]), ("payment.transaction", tx.id))
        self.assertIn(tx.reference, line["name"], msg="names the source transaction")
        self.assertIn("Demo card", line["name"], msg="and its provider")
        self.assertFalse(self.lines(impact, "refund_payment"), msg="no bank payment")

        cancellation = manager.cancel_with_reversal(self.reason, refund_payments=True)

        refund = cancellation.with_user(self.sales_manager).refund_transaction_ids
        self.assertEqual(len(refund), 1, msg="one refund transaction, in the ledger")
        self.assertEqual(refund.source_transaction_id, tx)
        self.assertEqual((refund.operation, refund.state), ("refund", "done"))
        self.assertAlmostEqual(refund.amount, -500.0)
        self.assertEqual(refund.invoice_ids, cancellation.credit_note_ids)
        payment = cancellation.refund_payment_ids
        self.assertEqual(payment, refund.payment_id, msg="Odoo's payment of the refund")
        self.assertEqual(payment.payment_type, "outbound")
        self.assertAlmostEqual(payment.amount, 500.0)
        self.assertEqual(payment.source_payment_id, tx.payment_id)
        self.assertEqual(payment.journal_id, self.provider.journal_id)
        self.assertExact(cancellation, invoice)
        self.assertEqual(tx.payment_id.amount_available_for_refund, 0.0, msg="all refunded")

    def test_card_paid_order_partly_refunded_by_cancelling_lines(self):
        order, invoice, tx = self.paid_by_card(qty=10)
        line = order.order_line
        manager = order.with_user(self.sales_manager)
        impact = manager.get_line_cancel_impact({line.id: 4}, refund_payments=True)
        self.assertEqual([x["amount"] for x in self.lines(impact, "refund_transaction")], [400.0])
        self.assertFalse(self.lines(impact, "refund_payment"))

        cancellation = manager.cancel_lines({line.id: 4}, self.reason, refund_payments=True)

        refund = cancellation.sudo().refund_transaction_ids
        self.assertAlmostEqual(refund.amount, -400.0, msg="part of the card payment")
        self.assertEqual(cancellation.refund_payment_ids, refund.payment_id)
        self.assertAlmostEqual(cancellation.credit_note_ids.amount_total, 400.0)
        self.assertAlmostEqual(cancellation.credit_note_ids.amount_residual, 0.0)
        self.assertAlmostEqual(invoice.amount_residual, 0.0, msg="paid, 600 of it still sold")
        self.assertAlmostEqual(self.receivable(), 0.0)
        self.assertAlmostEqual(tx.payment_id.amount_available_for_refund, 600.0)

        # The rest later: the whole order, refunded through what is left of the transaction.
        impact = manager.get_cancel_impact(refund_payments=True)
        self.assertEqual([x["amount"] for x in self.lines(impact, "refund_transaction")], [600.0])
        cancellation = manager.cancel_with_reversal(self.reason, refund_payments=True)
        self.assertAlmostEqual(cancellation.sudo().refund_transaction_ids.amount, -600.0)
        self.assertExact(cancellation, invoice)

    def test_part_paid_by_card_part_by_bank(self):
        order, invoice, _tx = self.paid_by_card(amount=300.0)
        self.pay(invoice, 200.0)
        impact = order.with_user(self.sales_manager).get_cancel_impact(refund_payments=True)
        self.assertEqual([x["amount"] for x in self.lines(impact, "refund_transaction")], [300.0])
        self.assertEqual([x["amount"] for x in self.lines(impact, "refund_payment")], [200.0])

        cancellation = order.with_user(self.sales_manager).cancel_with_reversal(
            self.reason, refund_payments=True
        )

        self.assertAlmostEqual(cancellation.sudo().refund_transaction_ids.amount, -300.0)
        self.assertEqual(sorted(cancellation.refund_payment_ids.mapped("amount")), [200.0, 300.0])
        self.assertExact(cancellation, invoice)

    # ---- fall back to an outbound payment ---------------------------------------------------
    def test_provider_without_refunds_falls_back_to_a_payment(self):
        order, invoice, _tx = self.paid_by_card()
        self.provider.support_refund = "none"
        impact = order.with_user(self.sales_manager).get_cancel_impact(refund_payments=True)
        self.assertFalse(self.lines(impact, "refund_transaction"))
        self.assertEqual([x["amount"] for x in self.lines(impact, "refund_payment")], [500.0])

        cancellation = order.with_user(self.sales_manager).cancel_with_reversal(
            self.reason, refund_payments=True
        )

        self.assertFalse(cancellation.sudo().refund_transaction_ids)
        payment = cancellation.refund_payment_ids
        self.assertFalse(payment.payment_transaction_id, msg="a plain outbound payment")
        self.assertAlmostEqual(payment.amount, 500.0)
        self.assertExact(cancellation, invoice)

    def test_full_only_provider_refunds_only_the_whole_transaction(self):
        order, invoice, _tx = self.paid_by_card(qty=10)
        self.provider.support_refund = "full_only"
        line = order.order_line
        manager = order.with_user(self.sales_manager)
        impact = manager.get_line_cancel_impact({line.id: 4}, refund_payments=True)
        self.assertFalse(self.lines(impact, "refund_transaction"), msg="400 of 1,000: not full")
        self.assertEqual([x["amount"] for x in self.lines(impact, "refund_payment")], [400.0])
        impact = manager.get_cancel_impact(refund_payments=True)
        self.assertEqual([x["amount"] for x in self.lines(impact, "refund_transaction")], [1000.0])

        cancellation = manager.cancel_with_reversal(self.reason, refund_payments=True)
        self.assertAlmostEqual(cancellation.sudo().refund_transaction_ids.amount, -1000.0)
        self.assertExact(cancellation, invoice)

    def test_without_refunding_the_money_stays_as_credit(self):
        order, _invoice, tx = self.paid_by_card()
        impact = order.with_user(self.sales_manager).get_cancel_impact(refund_payments=False)
        self.assertFalse(self.lines(impact, "refund_transaction"))
        self.assertEqual([x["amount"] for x in self.lines(impact, "customer_credit")], [500.0])
        cancellation = order.with_user(self.sales_manager).cancel_with_reversal(self.reason)
        self.assertFalse(cancellation.sudo().refund_transaction_ids)
        self.assertFalse(tx.child_transaction_ids, msg="nothing asked of the provider")
        self.assertAlmostEqual(self.receivable(), -500.0, msg="the customer holds 500")

    # ---- a refused refund -------------------------------------------------------------------
    def _refused_refund(self, fake):
        order, invoice, tx = self.paid_by_card()
        with patch.object(type(self.env["payment.transaction"]), "_send_refund_request", fake):
            with self.assertRaises(UserError) as caught:
                with self.env.cr.savepoint():
                    order.with_user(self.sales_manager).cancel_with_reversal(
                        self.reason, refund_payments=True
                    )
        message = caught.exception.args[0]
        self.assertIn(order.name, message, msg="names the order")
        self.assertIn("refund the customer by hand", message, msg="says what to do")
        self.env.invalidate_all()
        self.assertEqual(order.state, "sale", msg="nothing half done: not cancelled")
        self.assertFalse(order.cancellation_ids)
        self.assertEqual(order.invoice_ids, invoice, msg="no credit note")
        self.assertFalse(tx.child_transaction_ids.exists(), msg="no refund transaction")
        self.assertAlmostEqual(self.receivable(), 0.0)
        return message

    def test_refund_ending_in_error_refuses_the_cancellation(self):
        def fake(tx, amount_to_refund=None):
            refund = tx._create_child_transaction(amount_to_refund, is_refund=True)
            refund._handle_notification_data(
                "demo", {"reference": refund.reference, "simulated_state": "error"}
            )
            return refund

        message = self._refused_refund(fake)
        self.assertIn("Demo card", message)

    def test_provider_raising_refuses_the_cancellation(self):
        def fake(tx, amount_to_refund=None):
            raise ValidationError(tx.env._("Demo: the card issuer declined the refund"))

        message = self._refused_refund(fake)
        self.assertIn("declined", message, msg="the provider's answer")

    def paid_by_two_cards(self):
        """A delivered, invoiced order of 500 paid by two card transactions, 300 and 200."""
        order = self.confirmed_order([(self.storable, 5)])
        self.deliver(order)
        invoice = self.invoice(order)
        first = self.demo_transaction(order, 300.0, invoices=invoice)
        second = self.demo_transaction(order, 200.0, invoices=invoice, prefix=f"{order.name}-2")
        self.assertAlmostEqual(invoice.amount_residual, 0.0)
        return order, invoice, first | second

    def refusing_after(self, accepted):
        """A `_send_refund_request` that lets the provider accept `accepted` refunds, then
        makes it refuse the next ones; the transactions it was asked to refund, in order."""
        original = type(self.env["payment.transaction"])._send_refund_request
        asked = []

        def fake(tx, amount_to_refund=None):
            asked.append(tx)
            if len(asked) > accepted:
                raise ValidationError(tx.env._("Demo: the card issuer declined the refund"))
            return original(tx, amount_to_refund=amount_to_refund)

        return fake, asked

    def test_refused_after_an_accepted_refund_keeps_the_refund_and_the_credit(self):
        """Regression: the second refund refused rolled back the record of the first one,
        which the provider had made: money gone with nothing in the books."""
        order, invoice, _transactions = self.paid_by_two_cards()
        fake, asked = self.refusing_after(1)
        with patch.object(type(self.env["payment.transaction"]), "_send_refund_request", fake):
            cancellation = order.with_user(self.sales_manager).cancel_with_reversal(
                self.reason, refund_payments=True
            )
        self.assertEqual(len(asked), 2, msg="both refunds were asked for")
        accepted, refused = asked
        self.assertEqual(order.state, "cancel", msg="the cancellation stands")
        refund = cancellation.sudo().refund_transaction_ids
        self.assertEqual(refund.source_transaction_id, accepted, msg="the refund made is kept")
        self.assertEqual(refund.state, "done")
        self.assertEqual(cancellation.refund_payment_ids, refund.payment_id)
        self.assertAlmostEqual(
            sum(cancellation.credit_note_ids.mapped("amount_residual")),
            refused.amount,
            msg="the refused amount stays open on the credit note",
        )
        self.assertAlmostEqual(
            self.receivable(), -refused.amount, msg="the customer holds it as credit"
        )
        self.assertAlmostEqual(invoice.amount_residual, 0.0)
        self.assertFalse(
            refused.child_transaction_ids.filtered(lambda t: t.state == "done"),
            msg="nothing refunded on the refused transaction",
        )
        note = order.message_ids.filtered(lambda m: "refused the refund" in (m.body or ""))
        self.assertEqual(len(note), 1, msg="the chatter says what to do")
        self.assertIn(refused.reference, note.body)
        self.assertIn("refund it by hand", note.body)
        activity = order.activity_ids.filtered(lambda a: refused.reference in (a.note or ""))
        self.assertEqual(activity.user_id, self.sales_manager, msg="the user is asked to act")

    def test_revoke_after_a_refused_second_refund(self):
        order, _invoice, _transactions = self.paid_by_two_cards()
        fake, asked = self.refusing_after(1)
        with patch.object(type(self.env["payment.transaction"]), "_send_refund_request", fake):
            order.with_user(self.sales_manager).cancel_with_reversal(
                self.reason, refund_payments=True
            )
        accepted = asked[0]
        order.with_user(self.sales_manager).revoke_cancel()
        self.assertEqual(order.state, "sale")
        self.assertAlmostEqual(
            self.receivable(),
            accepted.amount,
            msg="what went back is due again; the credit held pays the rest",
        )

    def test_first_of_two_refunds_refused_refuses_the_cancellation(self):
        order, invoice, transactions = self.paid_by_two_cards()
        fake, asked = self.refusing_after(0)
        with patch.object(type(self.env["payment.transaction"]), "_send_refund_request", fake):
            with self.assertRaises(UserError) as caught:
                with self.env.cr.savepoint():
                    order.with_user(self.sales_manager).cancel_with_reversal(
                        self.reason, refund_payments=True
                    )
        self.assertEqual(len(asked), 1, msg="stopped at the first refusal, nothing was sent")
        self.assertIn(order.name, caught.exception.args[0])
        self.env.invalidate_all()
        self.assertEqual(order.state, "sale", msg="nothing half done")
        self.assertEqual(order.invoice_ids, invoice)
        self.assertFalse(transactions.child_transaction_ids.exists())
        self.assertAlmostEqual(self.receivable(), 0.0)

    # ---- revoke -----------------------------------------------------------------------------
    def test_revoke_bills_again_and_leaves_the_provider_refund(self):
        order, _invoice, tx = self.paid_by_card()
        manager = order.with_user(self.sales_manager)
        cancellation = manager.cancel_with_reversal(self.reason, refund_payments=True)
        refund = cancellation.sudo().refund_transaction_ids
        impact = manager.get_revoke_impact()
        self.assertEqual(
            [(x["model"], x["amount"]) for x in self.lines(impact, "reconcile_payment")],
            [("account.payment", 500.0)],
            msg="the refunded money is due again",
        )

        manager.revoke_cancel()

        self.assertEqual(order.state, "sale")
        self.assertEqual(refund.state, "done", msg="a provider refund cannot be undone")
        self.assertAlmostEqual(self.receivable(), 500.0, msg="billed again, open")
        self.assertAlmostEqual(tx.payment_id.amount_available_for_refund, 0.0)
        body = order.message_ids[:1].body
        self.assertIn("cannot be undone", body)
