"""Prepayments: money of the order on no posted invoice (a website checkout or a payment link
paid before the order was invoiced, or only authorized) is refunded, kept as credit or voided
by a cancellation, and shown in its preview (Odoo's demo provider, installed in the test
database only by bin/run-tests)."""

from unittest.mock import patch

from odoo.tests import tagged

from .common import DemoProviderMixin, OrderEndOfLifeCase


@tagged("post_install", "-at_install")
class TestPrepayments(DemoProviderMixin, OrderEndOfLifeCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_demo_provider()

    # ---- helpers ----------------------------------------------------------------------------
    def prepaid_order(self, state="done", qty=5):
        """A confirmed order of the salesman, not delivered nor invoiced, paid online (500 for
        5 chairs)."""
        order = self.confirmed_order([(self.storable, qty)], user_id=self.salesman.id)
        tx = self.demo_transaction(order, order.amount_total, state=state)
        if state == "done":
            self.assertTrue(tx.payment_id, msg="the online payment is booked")
            self.assertFalse(tx.payment_id.is_reconciled, msg="on no invoice: outstanding")
        return order, tx

    def lines(self, impact, action):
        return [line for line in impact if line["action"] == action]

    def money(self, impact):
        """The money lines of a preview, to compare with what was done."""
        actions = ("refund_transaction", "refund_payment", "customer_credit", "void_transaction")
        return sorted(
            (line["action"], line["model"], line["res_id"], line["amount"])
            for line in impact
            if line["action"] in actions
        )

    def source_line(self, tx):
        return tx.payment_id.move_id.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )

    def preview(self, order, refund_payments):
        impact = order.with_user(self.sales_manager).get_cancel_impact(
            refund_payments=refund_payments
        )
        salesman = order.with_user(self.salesman).get_cancel_impact(refund_payments=refund_payments)
        self.assertEqual(salesman, impact, msg="a salesman previews the same")
        return impact

    # ---- done: refunded or kept -------------------------------------------------------------
    def test_prepayment_refunded_through_the_provider(self):
        order, tx = self.prepaid_order()
        self.assertAlmostEqual(self.receivable(), -500.0, msg="the customer paid in advance")
        impact = self.preview(order, True)
        (line,) = self.lines(impact, "refund_transaction")
        self.assertEqual((line["model"], line["res_id"], line["amount"]), (tx._name, tx.id, 500.0))
        self.assertIn(tx.reference, line["name"])
        self.assertFalse(self.lines(impact, "refund_payment"), msg="no bank payment")
        self.assertFalse(self.lines(impact, "customer_credit"))

        cancellation = order.with_user(self.sales_manager).cancel_with_reversal(
            self.reason, refund_payments=True
        )

        refund = cancellation.with_user(self.sales_manager).refund_transaction_ids
        self.assertEqual(len(refund), 1, msg="one refund transaction, in the ledger")
        self.assertEqual(refund.source_transaction_id, tx)
        self.assertEqual((refund.operation, refund.state), ("refund", "done"))
        self.assertAlmostEqual(refund.amount, -500.0)
        self.assertEqual(cancellation.refund_payment_ids, refund.payment_id)
        self.assertTrue(self.source_line(tx).reconciled, msg="the payment is reconciled")
        self.assertTrue(refund.payment_id.is_reconciled)
        self.assertAlmostEqual(self.receivable(), 0.0, msg="exact to the cent")
        done = [("refund_transaction", tx._name, tx.id, 500.0)]
        self.assertEqual(self.money(impact), done, msg="the preview is what was done")

        # Cancelled again after a revoke: nothing is refunded twice.
        manager = order.with_user(self.sales_manager)
        revoke = manager.get_revoke_impact()
        self.assertEqual(
            [(x["model"], x["amount"]) for x in self.lines(revoke, "reconcile_payment")],
            [("account.payment", 500.0)],
            msg="the refunded prepayment is due again",
        )
        manager.revoke_cancel()
        self.assertEqual(order.state, "sale")
        self.assertEqual(refund.state, "done", msg="a provider refund cannot be undone")
        self.assertIn("cannot be undone", order.message_ids[:1].body)
        self.assertFalse(self.money(self.preview(order, True)), msg="nothing left to refund")
        invoice = self.invoice(order)
        self.assertAlmostEqual(invoice.amount_residual, 500.0, msg="billed, to be paid again")

    def test_refund_confirmed_later_is_matched_with_the_prepayment(self):
        """Regression: a prepayment's refund that the provider confirmed later got its payment
        from Odoo's cron unreconciled, and the prepayment still showed as usable credit."""
        order, tx = self.prepaid_order()

        def pending(source, amount_to_refund=None):
            refund = source._create_child_transaction(amount_to_refund, is_refund=True)
            refund._handle_notification_data(
                "demo", {"reference": refund.reference, "simulated_state": "pending"}
            )
            return refund

        Transaction = type(self.env["payment.transaction"])
        with patch.object(Transaction, "_send_refund_request", pending):
            cancellation = order.with_user(self.sales_manager).cancel_with_reversal(
                self.reason, refund_payments=True
            )
        refund = cancellation.sudo().refund_transaction_ids
        self.assertEqual(refund.state, "pending", msg="the provider confirms later")
        self.assertFalse(refund.payment_id)
        self.assertAlmostEqual(-self.source_line(tx).amount_residual, 500.0, msg="still open")

        # The provider confirms; Odoo's cron post-processes the transaction.
        refund._handle_notification_data(
            "demo", {"reference": refund.reference, "simulated_state": "done"}
        )
        refund._post_process()

        self.assertTrue(refund.payment_id, msg="Odoo made the refund's payment")
        self.assertTrue(refund.payment_id.is_reconciled, msg="matched with the prepayment")
        self.assertAlmostEqual(self.source_line(tx).amount_residual, 0.0, msg="no credit left")
        self.assertAlmostEqual(self.receivable(), 0.0)

    def test_prepayment_kept_as_credit_without_refund(self):
        order, tx = self.prepaid_order()
        impact = self.preview(order, False)
        self.assertEqual(
            self.money(impact),
            [("customer_credit", "account.payment", tx.payment_id.id, 500.0)],
            msg="the preview says the money stays as credit",
        )
        cancellation = order.with_user(self.sales_manager).cancel_with_reversal(self.reason)
        self.assertFalse(cancellation.sudo().refund_transaction_ids)
        self.assertFalse(cancellation.refund_payment_ids)
        self.assertFalse(tx.child_transaction_ids, msg="nothing asked of the provider")
        self.assertAlmostEqual(self.receivable(), -500.0, msg="the customer holds 500")

    def test_provider_without_refunds_pays_back_by_payment(self):
        order, tx = self.prepaid_order()
        self.provider.support_refund = "none"
        impact = self.preview(order, True)
        self.assertEqual(
            self.money(impact), [("refund_payment", "account.payment", tx.payment_id.id, 500.0)]
        )

        cancellation = order.with_user(self.sales_manager).cancel_with_reversal(
            self.reason, refund_payments=True
        )

        payment = cancellation.refund_payment_ids
        self.assertEqual(len(payment), 1)
        self.assertFalse(payment.payment_transaction_id, msg="a plain outbound payment")
        self.assertEqual(payment.payment_type, "outbound")
        self.assertAlmostEqual(payment.amount, 500.0)
        self.assertTrue(self.source_line(tx).reconciled, msg="reconciled with the prepayment")
        self.assertAlmostEqual(self.receivable(), 0.0)
        self.assertFalse(cancellation.sudo().refund_transaction_ids)

        order.with_user(self.sales_manager).revoke_cancel()
        self.assertEqual(order.state, "sale")
        self.assertIn(payment.state, ("in_process", "paid"), msg="the refund stays")
        self.assertAlmostEqual(self.invoice(order).amount_residual, 500.0, msg="due again")

    def test_prepayment_used_by_an_invoice_is_the_invoices(self):
        """A prepayment reconciled with a posted invoice is the invoice's money (refunded with
        its credit note): never counted twice."""
        order, tx = self.prepaid_order(qty=10)  # 1,000 paid
        invoice = self.invoice(order)  # invoice policy "order": all 10, 1,000
        self.assertAlmostEqual(invoice.amount_total, 1000.0)
        if not self.source_line(tx).reconciled:
            invoice.js_assign_outstanding_line(self.source_line(tx).id)
        self.assertAlmostEqual(invoice.amount_residual, 0.0, msg="paid by the prepayment")
        impact = self.preview(order, True)
        self.assertEqual(
            [x["amount"] for x in self.lines(impact, "refund_transaction")],
            [1000.0],
            msg="refunded once, through the credit note",
        )
        self.assertFalse(self.lines(impact, "customer_credit"))
        self.assertFalse(self.lines(impact, "refund_payment"))

    def test_checkout_of_two_orders_split_pro_rata(self):
        first = self.confirmed_order([(self.storable, 5)])  # 500
        second = self.confirmed_order([(self.storable, 3)])  # 300
        tx = self.demo_transaction(first | second, 800.0)
        self.assertEqual(
            self.money(self.preview(first, True)),
            [("refund_transaction", tx._name, tx.id, 500.0)],
            msg="its share of the checkout",
        )
        first.with_user(self.sales_manager).cancel_with_reversal(self.reason, refund_payments=True)
        self.assertAlmostEqual(-self.source_line(tx).amount_residual, 300.0)
        self.assertEqual(
            self.money(self.preview(second, True)),
            [("refund_transaction", tx._name, tx.id, 300.0)],
            msg="what is left is the other order's",
        )
        self.assertEqual(
            self.money(self.preview(first.copy(), True)), [], msg="no transaction on a copy"
        )

    def test_fee_paid_out_of_the_prepayment(self):
        order, tx = self.prepaid_order()
        manager = order.with_user(self.sales_manager)
        impact = manager.get_cancel_impact(refund_payments=True, fee=50.0, reason=self.reason)
        fee_total = self.lines(impact, "fee_invoice")[0]["amount"]
        self.assertEqual(
            self.money(impact), [("refund_transaction", tx._name, tx.id, 500.0 - fee_total)]
        )
        cancellation = manager.cancel_with_reversal(self.reason, refund_payments=True, fee=50.0)
        self.assertAlmostEqual(cancellation.fee_invoice_id.amount_residual, 0.0, msg="fee paid")
        self.assertAlmostEqual(
            cancellation.sudo().refund_transaction_ids.amount, -(500.0 - fee_total)
        )
        self.assertAlmostEqual(self.receivable(), 0.0)

    # ---- authorized: voided -----------------------------------------------------------------
    def test_authorization_voided_and_gone_after_revoke(self):
        order, tx = self.prepaid_order(state="authorized")
        self.assertAlmostEqual(order.amount_paid, 500.0)
        for refund_payments in (False, True):
            impact = self.preview(order, refund_payments)
            self.assertEqual(
                self.money(impact),
                [("void_transaction", tx._name, tx.id, 500.0)],
                msg="an authorization is no money received: voided either way",
            )
            self.assertEqual(impact[-1]["action"], "void_transaction", msg="last")

        # A salesman may cancel it, as Odoo's own Void button of the order lets him void it.
        cancellation = order.with_user(self.salesman).cancel_with_reversal(self.reason)

        self.assertEqual(tx.state, "cancel", msg="voided at the provider")
        self.assertEqual(cancellation.sudo().void_transaction_ids, tx)
        self.assertFalse(cancellation.sudo().refund_transaction_ids)
        self.assertIn(tx.reference, order.message_ids[:1].body, msg="the chatter names it")

        manager = order.with_user(self.sales_manager)
        (line,) = self.lines(manager.get_revoke_impact(), "void_transaction")
        self.assertIn("cannot be restored", line["note"])
        manager.revoke_cancel()
        self.assertEqual(order.state, "sale")
        self.assertEqual(tx.state, "cancel", msg="a voided authorization is gone")
        self.assertIn("cannot be restored", order.message_ids[:1].body)
        order.invalidate_recordset(["amount_paid"])
        self.assertAlmostEqual(order.amount_paid, 0.0, msg="the order is to be paid again")

    def test_authorization_of_two_orders_cancelled_together_voided_once(self):
        """Regression: cancelling both orders of one authorized checkout in one call left the
        authorization to the other order, each time, so nobody voided it."""
        first = self.confirmed_order([(self.storable, 5)])  # 500
        second = self.confirmed_order([(self.storable, 3)])  # 300
        tx = self.demo_transaction(first | second, 800.0, state="authorized")
        both = (first | second).with_user(self.sales_manager)
        self.assertEqual(
            self.money(first.with_user(self.sales_manager).get_cancel_impact()),
            [],
            msg="alone, the first leaves it to the second, still in force",
        )
        self.assertEqual(
            self.money(both.get_cancel_impact()),
            [("void_transaction", tx._name, tx.id, 800.0)],
            msg="together: voided once, by the last of them",
        )
        cancellations = both.cancel_with_reversal(self.reason)
        self.assertEqual(tx.state, "cancel", msg="voided at the provider")
        self.assertEqual(cancellations.sudo().void_transaction_ids, tx)
        self.assertEqual(
            cancellations.filtered(lambda c: c.order_id == second).sudo().void_transaction_ids, tx
        )

    def test_cancel_lines_leaves_prepayments(self):
        order, _tx = self.prepaid_order(qty=10)
        impact = order.with_user(self.sales_manager).get_line_cancel_impact(
            {order.order_line.id: 4}, refund_payments=True
        )
        self.assertFalse(self.money(impact), msg="left to whole cancellations")
