from odoo import Command, fields
from odoo.tests import tagged

from .common import OrderEndOfLifeCase


@tagged("post_install", "-at_install")
class TestEarlierCreditNotes(OrderEndOfLifeCase):
    """Credit notes made before the cancellation, in every form, are counted per sale line and
    by amount: the cancellation credits exactly the rest, as its preview says."""

    def invoiced_order(self, qty=5, taxes=False):
        order = self.confirmed_order([(self.storable, qty)])
        if taxes:
            order.order_line.tax_id = self.company_data["default_tax_sale"]
        self.deliver(order)
        invoice = self.invoice(order)
        return order, invoice

    def wizard_credit_note(self, invoice, edit=None):
        """A credit note made with the reversal wizard, edited before it is posted."""
        wizard = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"journal_id": invoice.journal_id.id, "reason": "Goodwill"})
        )
        credit_note = self.env["account.move"].browse(wizard.refund_moves()["res_id"])
        if edit:
            credit_note.invoice_line_ids.write(edit)
        credit_note.action_post()
        return credit_note

    def hand_credit_note(self, order, quantity, price, discount=0.0):
        """A customer credit note entered by hand, its line pointing to the order's line."""
        sale_line = order.order_line
        credit_note = self.env["account.move"].create(
            {
                "move_type": "out_refund",
                "partner_id": order.partner_id.id,
                "invoice_date": fields.Date.today(),
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": sale_line.product_id.id,
                            "quantity": quantity,
                            "price_unit": price,
                            "discount": discount,
                            "tax_ids": [Command.set(sale_line.tax_id.ids)],
                            "sale_line_ids": [Command.set(sale_line.ids)],
                        }
                    )
                ],
            }
        )
        credit_note.action_post()
        return credit_note

    def previewed_credit(self, order, user=None):
        impact = order.with_user(user or self.sales_manager).get_cancel_impact()
        return sum(line["amount"] for line in impact if line["action"] == "credit_note")

    def cancel(self, order):
        return order.with_user(self.sales_manager).cancel_with_reversal(self.reason)

    def assertCredits(self, order, expected, qty_invoiced=0.0):
        """Preview and cancellation both credit `expected`; the order ends with nothing due."""
        preview = self.previewed_credit(order)
        cancellation = self.cancel(order)
        posted = sum(cancellation.credit_note_ids.mapped("amount_total"))
        self.assertAlmostEqual(posted, expected, msg="the cancellation credits exactly the rest")
        self.assertAlmostEqual(preview, posted, msg="the preview showed the posted figure")
        self.assertAlmostEqual(
            order.order_line.qty_invoiced, qty_invoiced, msg="qty_invoiced follows the credits"
        )
        for move in order.invoice_ids | cancellation.credit_note_ids:
            self.assertAlmostEqual(
                sum(move.line_ids.mapped("debit")),
                sum(move.line_ids.mapped("credit")),
                msg=f"{move.display_name} is balanced",
            )
        return cancellation

    # ---- the reversal wizard --------------------------------------------------------------------
    def test_fully_credited_invoice_is_not_credited_again(self):
        order, invoice = self.invoiced_order()
        self.wizard_credit_note(invoice)

        self.assertFalse(
            [line for line in order.get_cancel_impact() if line["action"] == "credit_note"],
            msg="the preview shows no credit note",
        )
        cancellation = self.cancel(order)
        self.assertFalse(cancellation.credit_note_ids, msg="nothing is left to credit")
        self.assertAlmostEqual(self.receivable(), 0.0, msg="nothing is due")

    def test_partial_wizard_credit_note(self):
        order, invoice = self.invoiced_order()
        self.wizard_credit_note(invoice, {"quantity": 2})

        self.assertCredits(order, 300.0)
        self.assertAlmostEqual(self.receivable(), 0.0, msg="500 - 200 - 300")

    def test_wizard_credit_note_with_edited_price(self):
        order, invoice = self.invoiced_order()
        self.wizard_credit_note(invoice, {"quantity": 2, "price_unit": 90.0})

        self.assertCredits(order, 320.0)
        self.assertAlmostEqual(self.receivable(), 0.0, msg="500 - 180 - 320")

    # ---- credit notes entered by hand ----------------------------------------------------------
    def test_hand_entered_credit_note_on_the_sale_line(self):
        order, _invoice = self.invoiced_order()
        self.hand_credit_note(order, 2, 100.0)

        self.assertCredits(order, 300.0)
        self.assertAlmostEqual(self.receivable(), 0.0, msg="nothing due, nothing owed")

    def test_hand_entered_rebate_on_every_unit(self):
        order, _invoice = self.invoiced_order()
        self.hand_credit_note(order, 5, 100.0, discount=90.0)  # a 50 rebate on the 5 units

        self.assertCredits(order, 450.0)
        self.assertAlmostEqual(self.receivable(), 0.0, msg="500 - 50 - 450")

    def test_over_credited_line_is_not_credited(self):
        order, _invoice = self.invoiced_order()
        self.hand_credit_note(order, 5, 120.0)

        cancellation = self.cancel(order)
        self.assertFalse(cancellation.credit_note_ids, msg="never more than was invoiced")

    def test_credit_note_with_taxes_and_edited_price(self):
        order, invoice = self.invoiced_order(taxes=True)
        tax_factor = invoice.amount_total / invoice.amount_untaxed
        self.hand_credit_note(order, 2, 90.0)

        self.assertCredits(order, round(320.0 * tax_factor, 2))
        self.assertAlmostEqual(self.receivable(), 0.0, msg="nothing due, nothing owed")

    def test_earlier_credit_note_of_a_paid_invoice_is_refunded_too(self):
        """A cancellation with refund gives back every cent received: the 300 its credit note
        gives back and the 200 the customer held on the earlier credit note."""
        order, invoice = self.invoiced_order()
        self.pay(invoice)
        earlier = self.hand_credit_note(order, 2, 100.0)  # kept as credit: the customer holds 200
        impact = order.with_user(self.sales_manager).get_cancel_impact(refund_payments=True)

        cancellation = order.with_user(self.sales_manager).cancel_with_reversal(
            self.reason, refund_payments=True
        )

        self.assertEqual(cancellation.credit_note_ids.amount_total, 300.0, msg="the rest")
        self.assertEqual(
            sorted(cancellation.refund_payment_ids.mapped("amount")),
            [200.0, 300.0],
            msg="the rest and the credit held",
        )
        self.assertEqual(
            sorted(line["amount"] for line in impact if line["action"] == "refund_payment"),
            [200.0, 300.0],
            msg="as previewed",
        )
        self.assertTrue(earlier.currency_id.is_zero(earlier.amount_residual), "paid out")
        self.assertAlmostEqual(self.receivable(), 0.0, msg="the customer neither owes nor holds")

    def test_earlier_credit_note_of_a_paid_invoice_stays_as_credit_without_refund(self):
        order, invoice = self.invoiced_order()
        self.pay(invoice)
        self.hand_credit_note(order, 2, 100.0)

        order.with_user(self.sales_manager).cancel_with_reversal(self.reason)

        self.assertAlmostEqual(self.receivable(), -500.0, msg="the customer holds what he paid")

    def test_hand_credit_note_settles_the_invoice_at_the_cancellation(self):
        """Soak finding: the invoice and an open hand-made credit note of the order both
        stayed open after the cancel (the customer's total was right, the documents not)."""
        order, invoice = self.invoiced_order()
        earlier = self.hand_credit_note(order, 2, 100.0)

        cancellation = self.assertCredits(order, 300.0)
        self.assertTrue(invoice.currency_id.is_zero(invoice.amount_residual), "invoice settled")
        self.assertIn(invoice.payment_state, ("paid", "reversed"), "nothing left to pay")
        self.assertTrue(earlier.currency_id.is_zero(earlier.amount_residual), "rebate used")
        self.assertAlmostEqual(self.receivable(), 0.0, msg="nothing due, nothing owed")

        order.with_user(self.sales_manager).revoke_cancel()
        self.assertAlmostEqual(self.receivable(), 300.0, msg="500 less the 200 rebate, again")
        self.assertFalse(cancellation.credit_note_ids.amount_residual, "credit note reversed")

    def test_hand_credit_note_of_a_partly_paid_invoice_keeps_the_money_as_credit(self):
        order, invoice = self.invoiced_order()
        self.pay(invoice, 100.0)
        earlier = self.hand_credit_note(order, 2, 100.0)

        cancellation = self.assertCredits(order, 300.0)
        self.assertTrue(invoice.currency_id.is_zero(invoice.amount_residual), "invoice settled")
        self.assertAlmostEqual(
            sum((earlier | cancellation.credit_note_ids).mapped("amount_residual")),
            100.0,
            msg="the money paid stays as the customer's credit",
        )
        self.assertAlmostEqual(self.receivable(), -100.0, msg="the customer holds what he paid")

    # ---- plain salesman -------------------------------------------------------------------------
    def test_salesman_preview_counts_earlier_credit_notes(self):
        order, invoice = self.invoiced_order()
        self.wizard_credit_note(invoice, {"quantity": 2, "price_unit": 90.0})

        self.assertAlmostEqual(
            self.previewed_credit(order, self.salesman), 320.0, msg="the salesman sees the rest"
        )
