from datetime import timedelta

from odoo import Command, fields
from odoo.tests import tagged

from .common import OrderEndOfLifeCase


@tagged("post_install", "-at_install")
class TestForeignCurrency(OrderEndOfLifeCase):
    """One EUR invoice on a USD company for two orders, A (10 x 100 EUR) and B (5 x 100 EUR),
    invoiced and 600 EUR paid a month ago at 1 USD = 1 EUR; A is cancelled today at
    1 USD = 1.25 EUR. A's open part (1,000 less its 400 share of the payment) is settled by
    a credit note worth less in dollars than the invoice it settles: Odoo books that
    difference, 600 EUR = 600 USD then and 480 USD now, as a 120 USD exchange loss."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.today()
        cls.then = cls.today - timedelta(days=30)
        cls.eur = cls.env.ref("base.EUR")
        cls.eur.active = True
        cls.eur.rate_ids.unlink()
        cls.env["res.currency.rate"].create(
            [
                {
                    "name": cls.then,
                    "rate": 1.0,
                    "currency_id": cls.eur.id,
                    "company_id": cls.company.id,
                },
                {
                    "name": cls.today,
                    "rate": 1.25,
                    "currency_id": cls.eur.id,
                    "company_id": cls.company.id,
                },
            ]
        )
        cls.pricelist_eur = cls.env["product.pricelist"].create(
            {"name": "EUR", "currency_id": cls.eur.id, "company_id": cls.company.id}
        )

    def setUp(self):
        super().setUp()
        self.assertEqual(self.company.currency_id, self.env.ref("base.USD"), msg="a USD company")

    # ---- building -------------------------------------------------------------------------------
    def eur_order(self, qty):
        order = self.confirmed_order([(self.storable, qty)], pricelist_id=self.pricelist_eur.id)
        self.assertEqual(order.currency_id, self.eur, msg="an order in EUR")
        self.deliver(order)
        return order

    def shared_eur_invoice(self, paid=600.0):
        order_a, order_b = self.eur_order(10), self.eur_order(5)
        invoice = (order_a | order_b)._create_invoices()
        invoice.invoice_date = self.then
        invoice.action_post()
        self.assertEqual(invoice.amount_total, 1500.0, msg="1,500 EUR")
        self.assertEqual(invoice.amount_total_signed, 1500.0, msg="worth 1,500 USD then")
        if paid:
            self.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=invoice.ids
            ).create({"amount": paid, "payment_date": self.then})._create_payments()
        return order_a, order_b, invoice

    # ---- what to look at ------------------------------------------------------------------------
    def receivable_lines(self, moves):
        return moves.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )

    def customer_receivable_lines(self):
        return self.env["account.move.line"].search(
            [
                ("partner_id", "=", self.partner_a.commercial_partner_id.id),
                ("company_id", "=", self.company.id),
                ("account_id.account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
            ]
        )

    def receivable_eur(self):
        return sum(self.customer_receivable_lines().mapped("amount_residual_currency"))

    def exchange_loss(self):
        """Net exchange result booked in the company (a loss is positive), in USD."""
        accounts = (
            self.company.expense_currency_exchange_account_id
            | self.company.income_currency_exchange_account_id
        )
        lines = self.env["account.move.line"].search(
            [("account_id", "in", accounts.ids), ("parent_state", "=", "posted")]
        )
        return sum(lines.mapped("balance"))

    def assertResidual(self, move, currency_amount, company_amount, msg):
        line = self.receivable_lines(move)
        self.assertAlmostEqual(
            sum(line.mapped("amount_residual_currency")), currency_amount, msg=f"{msg} (EUR)"
        )
        self.assertAlmostEqual(
            sum(line.mapped("amount_residual")), company_amount, msg=f"{msg} (USD)"
        )

    def assertAllBalanced(self):
        moves = self.env["account.move"].search(
            [("company_id", "=", self.company.id), ("state", "=", "posted")]
        )
        for move in moves:
            self.assertAlmostEqual(
                sum(move.line_ids.mapped("debit")),
                sum(move.line_ids.mapped("credit")),
                msg=f"{move.display_name} is balanced",
            )
            self.assertTrue(
                move.currency_id.is_zero(sum(move.line_ids.mapped("amount_currency")))
                or len(move.line_ids.currency_id) > 1,
                msg=f"{move.display_name} is balanced in its currency",
            )

    def assertOtherOrderUntouched(self, order_b):
        self.assertEqual(order_b.order_line.qty_invoiced, 5, msg="B stays invoiced")
        self.assertEqual(order_b.invoice_status, "invoiced", msg="and not to invoice again")
        self.assertEqual(order_b.state, "sale", msg="B stays confirmed")

    # ---- cancel and revoke ----------------------------------------------------------------------
    def test_kept_credit_settles_at_todays_rate_and_books_the_difference(self):
        order_a, order_b, invoice = self.shared_eur_invoice()
        self.assertResidual(invoice, 900.0, 900.0, msg="900 EUR open, worth 900 USD then")
        preview = {
            line["action"]: line["amount"]
            for line in order_a.with_user(self.sales_manager).get_cancel_impact()
        }

        cancellation = order_a.with_user(self.sales_manager).cancel_with_reversal(self.reason)

        credit_note = cancellation.credit_note_ids
        self.assertEqual(credit_note.currency_id, self.eur, msg="the credit note is in EUR")
        self.assertEqual(credit_note.amount_total, 1000.0, msg="A's 1,000 EUR")
        self.assertEqual(credit_note.amount_total_signed, -800.0, msg="worth 800 USD today")
        self.assertEqual(preview.get("credit_note"), credit_note.amount_total, msg="as previewed")
        self.assertEqual(preview.get("customer_credit"), 400.0, msg="400 EUR previewed as credit")
        self.assertResidual(invoice, 300.0, 300.0, msg="B's 300 stays open on the invoice")
        self.assertAlmostEqual(invoice.amount_residual, 300.0, msg="the invoice's residual")
        self.assertResidual(credit_note, -400.0, -320.0, msg="A's 400 EUR kept as credit")
        self.assertAlmostEqual(
            credit_note.amount_residual, preview["customer_credit"], msg="the credit as previewed"
        )
        partial = self.receivable_lines(credit_note).matched_debit_ids.filtered(
            lambda p: p.debit_move_id.move_id == invoice
        )
        self.assertEqual(partial.debit_amount_currency, 600.0, msg="600 EUR settled")
        self.assertEqual(partial.amount, 480.0, msg="at today's rate")
        self.assertTrue(partial.exchange_move_id, msg="with its exchange difference entry")
        self.assertAlmostEqual(self.exchange_loss(), 120.0, msg="600 USD billed, 480 USD settled")
        self.assertAlmostEqual(self.receivable(), -20.0, msg="300 USD due less 320 USD of credit")
        self.assertAlmostEqual(self.receivable_eur(), -100.0, msg="300 EUR due less 400 of credit")
        self.assertOtherOrderUntouched(order_b)
        self.assertAllBalanced()

        revoked = order_a.with_user(self.sales_manager).revoke_cancel()

        rebill = revoked.revoke_invoice_ids
        self.assertEqual(rebill.amount_total, 1000.0, msg="A re-billed 1,000 EUR")
        self.assertResidual(credit_note, 0.0, 0.0, msg="the credit is used by the re-bill")
        self.assertResidual(rebill, 600.0, 480.0, msg="A owes its 600 EUR again, at today's rate")
        self.assertResidual(invoice, 300.0, 300.0, msg="the shared invoice did not move")
        self.assertAlmostEqual(self.receivable_eur(), 900.0, msg="900 EUR due, as before")
        self.assertAlmostEqual(self.receivable(), 780.0, msg="300 USD + 480 USD")
        self.assertAlmostEqual(self.exchange_loss(), 120.0, msg="no new difference at one rate")
        self.assertEqual(order_a.order_line.qty_invoiced, 10, msg="A invoiced again")
        self.assertOtherOrderUntouched(order_b)
        self.assertAllBalanced()

    def test_refund_settles_at_todays_rate_and_books_the_difference(self):
        order_a, order_b, invoice = self.shared_eur_invoice()
        preview = {
            line["action"]: line["amount"]
            for line in order_a.with_user(self.sales_manager).get_cancel_impact(
                refund_payments=True
            )
        }

        cancellation = order_a.with_user(self.sales_manager).cancel_with_reversal(
            self.reason, refund_payments=True
        )

        refund = cancellation.refund_payment_ids
        self.assertEqual(refund.currency_id, self.eur, msg="refunded in EUR")
        self.assertEqual(refund.amount, 400.0, msg="A's 400 EUR share of the payment")
        self.assertEqual(preview.get("refund_payment"), refund.amount, msg="as previewed")
        self.assertEqual(
            preview.get("credit_note"), cancellation.credit_note_ids.amount_total, msg="previewed"
        )
        self.assertNotIn("customer_credit", preview, msg="nothing previewed as kept")
        self.assertResidual(invoice, 300.0, 300.0, msg="B's 300 stays open")
        self.assertResidual(cancellation.credit_note_ids, 0.0, 0.0, msg="the credit note is used")
        self.assertAlmostEqual(self.exchange_loss(), 120.0, msg="600 USD billed, 480 USD settled")
        self.assertAlmostEqual(self.receivable(), 300.0, msg="B's 300 USD only")
        self.assertOtherOrderUntouched(order_b)
        self.assertAllBalanced()

        revoked = order_a.with_user(self.sales_manager).revoke_cancel()

        self.assertResidual(revoked.revoke_invoice_ids, 1000.0, 800.0, msg="A owes 1,000 EUR")
        self.assertResidual(invoice, 300.0, 300.0, msg="the shared invoice did not move")
        self.assertAlmostEqual(self.receivable_eur(), 1300.0, msg="900 + the 400 refunded")
        self.assertAlmostEqual(self.receivable(), 1100.0, msg="300 USD + 800 USD")
        self.assertOtherOrderUntouched(order_b)
        self.assertAllBalanced()

    def test_unpaid_invoice_settles_as_odoo_does(self):
        order_a, order_b, invoice = self.shared_eur_invoice(paid=0.0)

        cancellation = order_a.with_user(self.sales_manager).cancel_with_reversal(self.reason)

        self.assertResidual(invoice, 500.0, 500.0, msg="B's 500 stays open")
        self.assertResidual(cancellation.credit_note_ids, 0.0, 0.0, msg="all of it settles A")
        self.assertAlmostEqual(self.exchange_loss(), 200.0, msg="1,000 USD billed, 800 settled")
        self.assertAlmostEqual(self.receivable(), 500.0, msg="B's 500 USD only")
        self.assertOtherOrderUntouched(order_b)
        self.assertAllBalanced()

        order_a.with_user(self.sales_manager).revoke_cancel()
        self.assertAlmostEqual(self.receivable_eur(), 1500.0, msg="1,500 EUR due, as before")
        self.assertAlmostEqual(self.receivable(), 1300.0, msg="500 USD + 800 USD at today's rate")
        self.assertOtherOrderUntouched(order_b)
        self.assertAllBalanced()

    def test_revoke_after_another_rate_change_books_its_own_difference(self):
        order_a, order_b, invoice = self.shared_eur_invoice()
        cancellation = order_a.with_user(self.sales_manager).cancel_with_reversal(self.reason)
        credit_note = cancellation.credit_note_ids
        self.assertAlmostEqual(self.exchange_loss(), 120.0, msg="the cancellation's difference")
        rate = self.env["res.currency.rate"].search(
            [("currency_id", "=", self.eur.id), ("name", "=", self.today)]
        )
        rate.rate = 1.5  # 1 USD = 1.5 EUR by the time A is revoked

        revoked = order_a.with_user(self.sales_manager).revoke_cancel()

        rebill = revoked.revoke_invoice_ids
        self.assertAlmostEqual(rebill.amount_total_signed, 666.67, msg="1,000 EUR at 1.5")
        self.assertResidual(credit_note, 0.0, 0.0, msg="the credit is used by the re-bill")
        self.assertResidual(rebill, 600.0, 400.0, msg="A owes 600 EUR, worth 400 USD now")
        self.assertResidual(invoice, 300.0, 300.0, msg="the shared invoice did not move")
        self.assertAlmostEqual(
            self.exchange_loss(),
            66.67,
            msg="the 400 EUR of credit, booked at 320 USD, settle 266.67 USD: a 53.33 gain",
        )
        self.assertAlmostEqual(self.receivable_eur(), 900.0, msg="900 EUR due, as before")
        self.assertAlmostEqual(self.receivable(), 700.0, msg="300 USD + 400 USD")
        self.assertOtherOrderUntouched(order_b)
        self.assertAllBalanced()

    def test_invoice_in_installments_settles_whole_and_capped_parts(self):
        """30% now and 70% in 60 days, 100 EUR paid on the first installment: A's open part
        (1,000 less 66.67 paid) settles the first installment's 350 whole, by Odoo's
        reconcile, and 583.33 of the second, capped; both book their exchange difference."""
        term = self.env["account.payment.term"].create(
            {
                "name": "30% now, 70% in 60 days",
                "line_ids": [
                    Command.create({"value": "percent", "value_amount": 30.0, "nb_days": 0}),
                    Command.create({"value": "percent", "value_amount": 70.0, "nb_days": 60}),
                ],
            }
        )
        order_a, order_b = self.eur_order(10), self.eur_order(5)
        invoice = (order_a | order_b)._create_invoices()
        invoice.write({"invoice_date": self.then, "invoice_payment_term_id": term.id})
        invoice.action_post()
        first, second = self.receivable_lines(invoice).sorted("date_maturity")
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({"amount": 100.0, "payment_date": self.then})._create_payments()
        self.assertAlmostEqual(first.amount_residual_currency, 350.0, msg="100 paid on the first")

        cancellation = order_a.with_user(self.sales_manager).cancel_with_reversal(self.reason)

        credit_note = cancellation.credit_note_ids
        self.assertTrue(first.reconciled, msg="the first installment is settled whole")
        self.assertAlmostEqual(first.amount_residual, 0.0, msg="nothing left in USD either")
        self.assertAlmostEqual(second.amount_residual_currency, 466.67, msg="B's 466.67 EUR")
        self.assertAlmostEqual(second.amount_residual, 466.67, msg="worth 466.67 USD then")
        self.assertResidual(credit_note, -66.67, -53.34, msg="A's 66.67 EUR paid kept as credit")
        self.assertAlmostEqual(self.exchange_loss(), 186.67, msg="933.33 EUR at 1.0, then at 1.25")
        self.assertAlmostEqual(self.receivable(), 413.33, msg="466.67 USD due less 53.34")
        self.assertOtherOrderUntouched(order_b)
        self.assertAllBalanced()

        order_a.with_user(self.sales_manager).revoke_cancel()
        self.assertAlmostEqual(self.receivable_eur(), 1400.0, msg="1,400 EUR due, as before")
        self.assertOtherOrderUntouched(order_b)
        self.assertAllBalanced()
