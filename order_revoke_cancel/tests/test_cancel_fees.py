from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import OrderEndOfLifeCase


@tagged("post_install", "-at_install")
class TestCancelFees(OrderEndOfLifeCase):
    """A cancel reason may bill a fee: a posted invoice of its fee product, paid first from
    what the customer paid, credited again by revoke. Orders of 5 chairs at 100 (500, no
    taxes) unless a test says otherwise."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.percent_reason = cls.env["sale.order.cancel.reason"].create(
            {"name": "Late cancellation", "fee_type": "percent", "fee_value": 10.0}
        )
        cls.fixed_reason = cls.env["sale.order.cancel.reason"].create(
            {"name": "Change of mind", "fee_type": "fixed", "fee_value": 30.0}
        )
        cls.fee_product = cls.env.ref("order_revoke_cancel.product_cancellation_fee")
        # No tax on the shipped product here: amounts stay round (taxes: see the preview test).
        cls.fee_product.taxes_id = [Command.clear()]

    # ---- helpers -----------------------------------------------------------------------------
    def fee_line(self, impact):
        lines = [line for line in impact if line["action"] == "fee_invoice"]
        return lines[0] if lines else None

    def cancel(self, order, reason, user=None, **options):
        return order.with_user(user or self.sales_manager).cancel_with_reversal(reason, **options)

    def assertFeeInvoice(self, cancellation, amount, msg):
        invoice = cancellation.fee_invoice_id
        self.assertRecordValues(
            invoice,
            [
                {
                    "move_type": "out_invoice",
                    "state": "posted",
                    "amount_total": amount,
                    "partner_id": cancellation.order_id.partner_invoice_id.id,
                    "currency_id": cancellation.order_id.currency_id.id,
                    "company_id": cancellation.order_id.company_id.id,
                    "fiscal_position_id": cancellation.order_id.fiscal_position_id.id,
                    "invoice_origin": cancellation.order_id.name,
                }
            ],
        )
        self.assertEqual(
            invoice.invoice_line_ids.product_id, self.fee_product, msg=f"{msg}: the fee product"
        )
        self.assertEqual(cancellation.fee_amount, amount, msg=f"{msg}: on the ledger")
        return invoice

    # ---- what the reason says ----------------------------------------------------------------
    def test_percent_fee_on_an_unpaid_invoice_and_revoke(self):
        order = self.delivered_and_invoiced_order()
        self.assertAlmostEqual(self.receivable(), 500.0, msg="the invoice is due")

        cancellation = self.cancel(order, self.percent_reason)

        self.assertFeeInvoice(cancellation, 50.0, msg="10% of 500")
        self.assertEqual(cancellation.fee_policy, "reason", msg="the reason's fee")
        self.assertEqual(cancellation.credit_note_ids.amount_total, 500.0, msg="all credited")
        self.assertAlmostEqual(self.receivable(), 50.0, msg="only the fee is due")
        self.assertIn(
            "Cancellation fee billed",
            str(order.message_ids[0].body),
            msg="the chatter says the fee was billed",
        )

        impact = order.with_user(self.sales_manager).get_revoke_impact()
        self.assertIn(
            ("credit_fee_invoice", cancellation.fee_invoice_id.id, 50.0),
            [(line["action"], line["res_id"], line["amount"]) for line in impact],
            msg="the revoke preview credits the fee invoice",
        )
        order.with_user(self.sales_manager).revoke_cancel()

        credit_note = cancellation.fee_credit_note_id
        self.assertRecordValues(
            credit_note,
            [{"move_type": "out_refund", "state": "posted", "amount_total": 50.0}],
        )
        self.assertEqual(
            credit_note.reversed_entry_id, cancellation.fee_invoice_id, msg="it reverses the fee"
        )
        self.assertEqual(cancellation.fee_invoice_id.state, "posted", msg="never rewritten")
        self.assertAlmostEqual(self.receivable(), 500.0, msg="the receivable is as before")

    def test_fixed_fee_refund_is_what_was_paid_minus_the_fee(self):
        order = self.delivered_and_invoiced_order(paid=500.0)
        self.assertAlmostEqual(self.receivable(), 0.0, msg="paid in full")
        impact = order.with_user(self.sales_manager).get_cancel_impact(
            refund_payments=True, reason=self.fixed_reason.id
        )
        self.assertEqual(self.fee_line(impact)["amount"], 30.0, msg="the preview's fee line")
        refund_line = [line for line in impact if line["action"] == "refund_payment"]
        self.assertEqual(refund_line[0]["amount"], 470.0, msg="the preview refunds 470")

        cancellation = self.cancel(order, self.fixed_reason, refund_payments=True)

        fee_invoice = self.assertFeeInvoice(cancellation, 30.0, msg="the fixed fee")
        self.assertEqual(
            cancellation.refund_payment_ids.amount, 470.0, msg="paid back: 500 less the fee"
        )
        self.assertEqual(fee_invoice.amount_residual, 0.0, msg="the fee is paid by the payment")
        self.assertAlmostEqual(self.receivable(), 0.0, msg="nothing due, no credit left")

        order.with_user(self.sales_manager).revoke_cancel()
        # The 470 paid out stays paid: the customer owes it again, as without a fee.
        self.assertAlmostEqual(self.receivable(), 470.0, msg="before plus the refund paid out")

    def test_fee_kept_from_customer_credit_without_refund(self):
        order = self.delivered_and_invoiced_order(paid=500.0)
        impact = order.with_user(self.sales_manager).get_cancel_impact(reason=self.fixed_reason)
        credit_line = [line for line in impact if line["action"] == "customer_credit"]
        self.assertEqual(credit_line[0]["amount"], 470.0, msg="470 stays as credit")

        cancellation = self.cancel(order, self.fixed_reason)

        self.assertTrue(
            cancellation.fee_invoice_id.currency_id.is_zero(
                cancellation.fee_invoice_id.amount_residual
            ),
            msg="the fee is paid from the credit",
        )
        self.assertAlmostEqual(self.receivable(), -470.0, msg="the customer's credit left")
        order.with_user(self.sales_manager).revoke_cancel()
        self.assertAlmostEqual(self.receivable(), 0.0, msg="paid in full again, as before")

    def test_partial_payment_smaller_than_the_fee(self):
        order = self.delivered_and_invoiced_order(paid=20.0)
        self.assertAlmostEqual(self.receivable(), 480.0, msg="480 open")

        cancellation = self.cancel(order, self.percent_reason, refund_payments=True)

        self.assertFalse(cancellation.refund_payment_ids, msg="nothing to refund: 20 < 50")
        self.assertAlmostEqual(
            cancellation.fee_invoice_id.amount_residual, 30.0, msg="the 20 paid pays the fee"
        )
        self.assertAlmostEqual(self.receivable(), 30.0, msg="the fee not yet covered")
        order.with_user(self.sales_manager).revoke_cancel()
        self.assertAlmostEqual(self.receivable(), 480.0, msg="as before the cancellation")

    def test_partial_payment_larger_than_the_fee(self):
        order = self.delivered_and_invoiced_order(paid=200.0)

        cancellation = self.cancel(order, self.percent_reason, refund_payments=True)

        self.assertEqual(cancellation.refund_payment_ids.amount, 150.0, msg="200 less 50")
        self.assertAlmostEqual(self.receivable(), 0.0, msg="settled")
        order.with_user(self.sales_manager).revoke_cancel()
        self.assertAlmostEqual(self.receivable(), 450.0, msg="300 open before + 150 refunded")

    def test_confirmed_order_with_nothing_invoiced_bills_the_fee(self):
        order = self.confirmed_order()
        cancellation = self.cancel(order, self.fixed_reason)
        self.assertFeeInvoice(cancellation, 30.0, msg="a confirmed order carries the fee")
        self.assertAlmostEqual(self.receivable(), 30.0, msg="the fee is due")

    def test_quotation_never_carries_a_fee(self):
        quotation = self.create_order()
        self.assertFalse(
            self.fee_line(
                quotation.with_user(self.sales_manager).get_cancel_impact(
                    reason=self.percent_reason
                )
            ),
            msg="no fee line in the preview",
        )
        cancellation = self.cancel(quotation, self.percent_reason, fee=25.0)
        self.assertEqual(quotation.state, "cancel", msg="cancelled")
        self.assertFalse(cancellation.fee_invoice_id, msg="no fee invoice")
        self.assertEqual(cancellation.fee_amount, 0.0, msg="no fee")
        self.assertAlmostEqual(self.receivable(), 0.0, msg="nothing billed")

    def test_fee_never_exceeds_the_order_total(self):
        reason = self.env["sale.order.cancel.reason"].create(
            {"name": "Big fee", "fee_type": "fixed", "fee_value": 800.0}
        )
        cancellation = self.cancel(self.confirmed_order(), reason)
        self.assertEqual(cancellation.fee_amount, 500.0, msg="capped at the order total")

    # ---- waive and change --------------------------------------------------------------------
    def test_manager_waives_the_fee(self):
        order = self.delivered_and_invoiced_order()
        cancellation = self.cancel(order, self.percent_reason, fee=0)
        self.assertFalse(cancellation.fee_invoice_id, msg="no fee invoice")
        self.assertRecordValues(
            cancellation, [{"fee_policy": "waived", "fee_amount": 0.0, "reason_fee_amount": 50.0}]
        )
        self.assertIn("was waived", str(order.message_ids[0].body), msg="said in the chatter")
        self.assertAlmostEqual(self.receivable(), 0.0, msg="nothing due")

    def test_manager_changes_the_fee(self):
        order = self.delivered_and_invoiced_order()
        cancellation = self.cancel(order, self.percent_reason, fee=20.0)
        self.assertFeeInvoice(cancellation, 20.0, msg="the fee set")
        self.assertRecordValues(
            cancellation, [{"fee_policy": "changed", "reason_fee_amount": 50.0}]
        )
        self.assertIn("instead of the reason", str(order.message_ids[0].body), msg="chatter")

    def test_salesman_cancels_with_the_reasons_fee_but_cannot_change_it(self):
        order = self.confirmed_order(user_id=self.salesman.id)
        self.assertFalse(order._needs_reversal(), msg="nothing delivered nor invoiced")
        for fee in (0, 10.0):
            with self.assertRaisesRegex(AccessError, order.name):
                self.cancel(order, self.fixed_reason, user=self.salesman, fee=fee)
        self.assertEqual(order.state, "sale", msg="refused: unchanged")

        cancellation = self.cancel(order, self.fixed_reason, user=self.salesman)

        self.assertEqual(cancellation.user_id, self.salesman, msg="cancelled by the salesman")
        self.assertFeeInvoice(cancellation, 30.0, msg="the reason's fee")
        self.assertEqual(
            cancellation.fee_invoice_id.create_uid, self.salesman, msg="in the salesman's name"
        )
        self.assertAlmostEqual(self.receivable(), 30.0, msg="the fee is due")

    def test_salesman_may_pass_the_reasons_own_fee(self):
        order = self.confirmed_order(user_id=self.salesman.id)
        cancellation = self.cancel(order, self.fixed_reason, user=self.salesman, fee=30.0)
        self.assertEqual(cancellation.fee_policy, "reason", msg="the same fee is no change")

    def test_fee_argument_is_checked_as_user_input(self):
        order = self.delivered_and_invoiced_order()
        for fee in (-1, "10", float("nan"), float("inf"), True, [10], 500.01):
            with self.subTest(fee=fee):
                with self.assertRaisesRegex(UserError, order.name):
                    self.cancel(order, self.percent_reason, fee=fee)
                with self.assertRaisesRegex(UserError, order.name):
                    order.with_user(self.sales_manager).get_cancel_impact(fee=fee)
        self.assertEqual(order.state, "sale", msg="nothing was cancelled")
        self.assertFalse(order.cancellation_ids, msg="nothing was recorded")

    # ---- preview equals what is posted -------------------------------------------------------
    def test_preview_equals_posted_with_taxes_and_fiscal_position(self):
        tax = self.env["account.tax"].create(
            {"name": "Fee tax 15%", "amount": 15.0, "company_id": self.company.id}
        )
        product = self.env["product.product"].create(
            {"name": "Handling fee", "type": "service", "taxes_id": [Command.set(tax.ids)]}
        )
        reason = self.env["sale.order.cancel.reason"].create(
            {
                "name": "Taxed fee",
                "fee_type": "percent",
                "fee_value": 7.0,
                "fee_product_id": product.id,
            }
        )
        order = self.delivered_and_invoiced_order(qty=3, paid=300.0)
        impact = order.with_user(self.sales_manager).get_cancel_impact(
            refund_payments=True, reason=reason
        )
        preview = {line["action"]: line["amount"] for line in impact}

        cancellation = self.cancel(order, reason, refund_payments=True)

        fee_invoice = cancellation.fee_invoice_id
        self.assertEqual(fee_invoice.invoice_line_ids.product_id, product, msg="the product")
        self.assertEqual(fee_invoice.invoice_line_ids.tax_ids, tax, msg="its tax")
        self.assertAlmostEqual(fee_invoice.amount_total, 21.0, msg="7% of 300, tax included")
        self.assertAlmostEqual(preview["fee_invoice"], fee_invoice.amount_total, msg="preview")
        self.assertAlmostEqual(
            preview["refund_payment"],
            cancellation.refund_payment_ids.amount,
            msg="the previewed refund is what was paid out",
        )
        self.assertAlmostEqual(self.receivable(), 0.0, msg="settled")

    def test_fiscal_position_maps_the_fee_tax(self):
        tax = self.env["account.tax"].create({"name": "Domestic 20%", "amount": 20.0})
        export = self.env["account.tax"].create({"name": "Export 0%", "amount": 0.0})
        fiscal_position = self.env["account.fiscal.position"].create(
            {
                "name": "Export",
                "tax_ids": [Command.create({"tax_src_id": tax.id, "tax_dest_id": export.id})],
            }
        )
        self.fee_product.taxes_id = [Command.set(tax.ids)]
        order = self.confirmed_order(fiscal_position_id=fiscal_position.id)
        cancellation = self.cancel(order, self.fixed_reason)
        self.assertRecordValues(
            cancellation.fee_invoice_id,
            [{"fiscal_position_id": fiscal_position.id, "amount_total": 30.0}],
        )
        self.assertEqual(
            cancellation.fee_invoice_id.invoice_line_ids.tax_ids, export, msg="the tax is mapped"
        )

    # ---- shared invoices, foreign currency ---------------------------------------------------
    def test_consolidated_invoice_fee_only_on_the_cancelled_order(self):
        order_a = self.confirmed_order([(self.storable, 10)])
        order_b = self.confirmed_order([(self.storable, 5)])
        for order in order_a | order_b:
            self.deliver(order)
        invoice = (order_a | order_b)._create_invoices()
        invoice.action_post()
        self.pay(invoice, 750.0)  # A's share 500, B's 250

        cancellation = self.cancel(order_a, self.fixed_reason, refund_payments=True)

        self.assertFeeInvoice(cancellation, 30.0, msg="A's fee")
        self.assertEqual(cancellation.refund_payment_ids.amount, 470.0, msg="A's 500 less 30")
        self.assertAlmostEqual(invoice.amount_residual, 250.0, msg="B's open share untouched")
        self.assertEqual(order_b.state, "sale", msg="B carries on")
        self.assertFalse(order_b.cancellation_ids, msg="and carries no fee")
        self.assertAlmostEqual(self.receivable(), 250.0, msg="only B's share is due")

        order_a.with_user(self.sales_manager).revoke_cancel()
        self.assertAlmostEqual(
            self.receivable(), 750.0 + 470.0, msg="as before, plus the refund paid out"
        )

    def test_foreign_currency_fee_in_order_currency(self):
        today = fields.Date.today()
        eur = self.env.ref("base.EUR")
        eur.active = True
        eur.rate_ids.unlink()
        self.env["res.currency.rate"].create(
            [
                {
                    "name": today - timedelta(days=30),
                    "rate": 1.0,
                    "currency_id": eur.id,
                    "company_id": self.company.id,
                },
                {"name": today, "rate": 1.25, "currency_id": eur.id, "company_id": self.company.id},
            ]
        )
        pricelist = self.env["product.pricelist"].create(
            {"name": "EUR", "currency_id": eur.id, "company_id": self.company.id}
        )
        order = self.confirmed_order(pricelist_id=pricelist.id)
        self.deliver(order)
        invoice = order._create_invoices()
        invoice.invoice_date = today - timedelta(days=30)
        invoice.action_post()
        self.pay(invoice, 500.0)
        self.assertEqual(order.currency_id, eur, msg="an order in EUR")

        cancellation = self.cancel(order, self.fixed_reason, refund_payments=True)

        fee_invoice = self.assertFeeInvoice(cancellation, 30.0, msg="30 EUR")
        self.assertAlmostEqual(fee_invoice.amount_total_signed, 24.0, msg="24 USD today")
        self.assertEqual(cancellation.refund_payment_ids.amount, 470.0, msg="470 EUR back")
        self.assertEqual(cancellation.refund_payment_ids.currency_id, eur, msg="in EUR")
        self.assertEqual(fee_invoice.amount_residual, 0.0, msg="the fee is paid")
        open_lines = self.env["account.move.line"].search(
            [
                ("partner_id", "=", self.partner_a.commercial_partner_id.id),
                ("account_id.account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
                ("reconciled", "=", False),
            ]
        )
        self.assertFalse(
            sum(open_lines.mapped("amount_residual_currency")), msg="nothing open in EUR"
        )

    # ---- the wizard --------------------------------------------------------------------------
    def cancel_wizard(self, order, user):
        action = order.with_user(user).action_cancel()
        return Form(self.env["sale.order.cancel"].with_user(user).with_context(**action["context"]))

    def preview(self, wizard):
        return [(line["action"], line["amount"]) for line in wizard.impact_line_ids._records]

    def test_wizard_shows_the_fee_and_a_manager_changes_it(self):
        order = self.delivered_and_invoiced_order()
        with self.cancel_wizard(order, self.sales_manager) as wizard:
            wizard.cancel_reason_id = self.percent_reason
            self.assertEqual(wizard.fee_amount, 50.0, msg="the reason's fee")
            self.assertIn(
                ("fee_invoice", 50.0),
                self.preview(wizard),
                msg="the preview lists the fee invoice",
            )
            wizard.fee_amount = 0.0
            self.assertNotIn(
                "fee_invoice", [action for action, _amount in self.preview(wizard)], msg="waived"
            )
            wizard.fee_amount = 25.0
            self.assertIn(
                ("fee_invoice", 25.0),
                self.preview(wizard),
                msg="the preview follows the fee",
            )
        wizard.record.action_cancel()
        cancellation = order.cancellation_ids
        self.assertRecordValues(cancellation, [{"fee_amount": 25.0, "fee_policy": "changed"}])

    def test_wizard_of_a_salesman_shows_the_fee_read_only(self):
        order = self.confirmed_order(user_id=self.salesman.id)
        with self.cancel_wizard(order, self.salesman) as wizard:
            wizard.cancel_reason_id = self.fixed_reason
            self.assertEqual(wizard.fee_amount, 30.0, msg="the reason's fee is shown")
            with self.assertRaises(AssertionError, msg="read-only for a salesman"):
                wizard.fee_amount = 0.0
        wizard.record.action_cancel()
        self.assertEqual(order.cancellation_ids.fee_amount, 30.0, msg="billed")

    def test_wizard_hides_the_fee_of_a_reason_without_fee(self):
        """A reason that bills no fee shows no fee field and no "set 0 to waive" hint."""
        order = self.delivered_and_invoiced_order()
        no_fee = self.env["sale.order.cancel.reason"].create({"name": "Customer request, no fee"})
        with self.cancel_wizard(order, self.sales_manager) as wizard:
            wizard.cancel_reason_id = no_fee
            self.assertFalse(wizard.fee_applicable, msg="no fee to show")
            with self.assertRaises(AssertionError, msg="the fee field is hidden"):
                wizard.fee_amount = 5.0
            wizard.cancel_reason_id = self.fixed_reason
            self.assertTrue(wizard.fee_applicable, msg="a reason with a fee shows it")
            self.assertEqual(wizard.fee_amount, 30.0)
            wizard.cancel_reason_id = no_fee
        wizard.record.action_cancel()
        self.assertFalse(order.cancellation_ids.fee_invoice_id, msg="no fee billed")
