from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import OrderEndOfLifeCase


@tagged("post_install", "-at_install")
class TestMoneyExact(OrderEndOfLifeCase):
    """Refunds are the money received, never a discount or a write-off; a full cancellation
    credits every cent, cash rounding and combo lines included; the preview is what is posted."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.company
        expense = cls.company_data["default_account_expense"]
        if not company.account_journal_early_pay_discount_loss_account_id:
            company.account_journal_early_pay_discount_loss_account_id = expense
        if not company.account_journal_early_pay_discount_gain_account_id:
            company.account_journal_early_pay_discount_gain_account_id = cls.company_data[
                "default_account_revenue"
            ]
        cls.term_early = cls.env["account.payment.term"].create(
            {
                "name": "2/10 net 30",
                "early_discount": True,
                "discount_percentage": 2,
                "discount_days": 10,
                "early_pay_discount_computation": "included",
                "line_ids": [
                    Command.create({"value": "percent", "value_amount": 100, "nb_days": 30})
                ],
            }
        )
        cls.tax_10 = cls.env["account.tax"].create(
            {"name": "VAT 10 %", "amount": 10.0, "type_tax_use": "sale", "company_id": company.id}
        )

    # ---- helpers ----------------------------------------------------------------------------
    def invoiced(self, qty=10, price=100.0, taxes=None, **order_values):
        order = self.create_order([(self.storable, qty)], **order_values)
        order.order_line.price_unit = price
        if taxes is not None:
            order.order_line.tax_id = taxes
        order.action_confirm()
        self.deliver(order)
        return order, self.invoice(order)

    def register(self, invoice, **values):
        return (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create(values)
        )

    def cancel(self, order, refund=True, user=None):
        user = user or self.sales_manager
        impact = order.with_user(user).get_cancel_impact(refund_payments=refund)
        cancellation = order.with_user(user).cancel_with_reversal(
            self.reason, refund_payments=refund
        )
        return impact, cancellation

    def amounts(self, impact, action):
        return [line["amount"] for line in impact if line["action"] == action]

    def assertSettled(self, order, cancellation):
        for move in order.invoice_ids.filtered(lambda m: m.state == "posted"):
            self.assertAlmostEqual(move.amount_residual, 0.0, msg=f"{move.name} settled")
        for credit_note in cancellation.credit_note_ids:
            self.assertAlmostEqual(credit_note.amount_residual, 0.0, msg="credit note settled")
        self.assertAlmostEqual(self.receivable(), 0.0, msg="the customer neither owes nor holds")

    # ---- 1. money received ------------------------------------------------------------------
    def test_early_payment_discount_refunds_the_money_received(self):
        order, invoice = self.invoiced(payment_term_id=self.term_early.id)
        wizard = self.register(invoice, payment_date=invoice.invoice_date)
        self.assertAlmostEqual(wizard.amount, 980.0, msg="2 % off within 10 days")
        wizard._create_payments()
        salesman_impact = order.with_user(self.salesman).get_cancel_impact(refund_payments=True)

        impact, cancellation = self.cancel(order)

        refund = cancellation.refund_payment_ids
        self.assertEqual(refund.mapped("amount"), [980.0], msg="the money received, not 1,000")
        self.assertEqual(cancellation.credit_note_ids.amount_total, 1000.0)
        self.assertEqual(self.amounts(impact, "refund_payment"), [980.0], msg="as previewed")
        self.assertEqual(self.amounts(impact, "reverse_writeoff"), [20.0])
        self.assertEqual(self.amounts(impact, "credit_note"), [1000.0])
        self.assertEqual(salesman_impact, impact, msg="a salesman previews the same amounts")
        reversal = cancellation.credit_note_ids._get_writeoff_reversals()
        self.assertEqual(reversal.state, "posted")
        self.assertBalanced(reversal)
        discount_account = self.company.account_journal_early_pay_discount_loss_account_id
        self.assertAlmostEqual(
            sum(
                reversal.line_ids.filtered(lambda aml: aml.account_id == discount_account).mapped(
                    "credit"
                )
            ),
            20.0,
            msg="the discount is reversed in the books",
        )
        self.assertSettled(order, cancellation)
        self.assertEqual(order.order_line.qty_invoiced, 0.0)

    def test_early_payment_discount_with_tax_reverses_the_tax_too(self):
        order, invoice = self.invoiced(payment_term_id=self.term_early.id, taxes=self.tax_10)
        self.assertEqual(invoice.amount_total, 1100.0)
        self.register(invoice, payment_date=invoice.invoice_date)._create_payments()

        impact, cancellation = self.cancel(order)

        self.assertEqual(cancellation.refund_payment_ids.amount, 1078.0)
        reversal = cancellation.credit_note_ids._get_writeoff_reversals()
        tax_line = reversal.line_ids.filtered("tax_repartition_line_id")
        self.assertEqual(tax_line.tax_line_id, self.tax_10, msg="the discount's tax is reversed")
        self.assertAlmostEqual(tax_line.balance, -2.0)
        self.assertEqual(self.amounts(impact, "reverse_writeoff"), [22.0])
        self.assertSettled(order, cancellation)

    def test_write_off_is_not_refunded(self):
        order, invoice = self.invoiced()
        self.register(
            invoice,
            amount=990.0,
            payment_difference_handling="reconcile",
            writeoff_account_id=self.company_data["default_account_expense"].id,
            writeoff_label="Bank charges",
        )._create_payments()
        self.assertEqual(invoice.payment_state, "paid")

        impact, cancellation = self.cancel(order)

        self.assertEqual(cancellation.refund_payment_ids.amount, 990.0)
        self.assertEqual(self.amounts(impact, "refund_payment"), [990.0])
        self.assertSettled(order, cancellation)

    def test_write_off_kept_as_credit_is_the_money_received(self):
        order, invoice = self.invoiced()
        self.register(
            invoice,
            amount=990.0,
            payment_difference_handling="reconcile",
            writeoff_account_id=self.company_data["default_account_expense"].id,
        )._create_payments()

        impact, cancellation = self.cancel(order, refund=False)

        self.assertEqual(self.amounts(impact, "customer_credit"), [990.0])
        self.assertAlmostEqual(cancellation.credit_note_ids.amount_residual, 990.0)
        self.assertAlmostEqual(self.receivable(), -990.0, msg="the customer holds 990")

    def test_revoke_applies_the_discount_again(self):
        order, invoice = self.invoiced(payment_term_id=self.term_early.id)
        self.register(invoice, payment_date=invoice.invoice_date)._create_payments()
        before = self.receivable()
        _impact, cancellation = self.cancel(order)
        reversal = cancellation.credit_note_ids._get_writeoff_reversals()

        order.with_user(self.sales_manager).revoke_cancel()

        self.assertEqual(order.order_line.qty_invoiced, 10.0)
        self.assertAlmostEqual(self.receivable(), before + 980.0, msg="the refund is due again")
        again = self.env["account.move"].search([("reversed_entry_id", "=", reversal.id)])
        self.assertEqual(again.state, "posted", msg="the discount applies again")
        self.assertEqual(reversal.state, "posted", msg="posted entries stay as they are")
        self.assertAlmostEqual(cancellation.revoke_invoice_ids.amount_residual, 980.0)

    def test_salesman_may_not_refund(self):
        order, invoice = self.invoiced(payment_term_id=self.term_early.id)
        self.register(invoice, payment_date=invoice.invoice_date)._create_payments()
        with self.assertRaises(AccessError):
            order.with_user(self.salesman).cancel_with_reversal(self.reason, refund_payments=True)

    # ---- 2. to the cent ---------------------------------------------------------------------
    def cash_rounding(self, strategy):
        return self.env["account.cash.rounding"].create(
            {
                "name": f"0.05 {strategy}",
                "rounding": 0.05,
                "strategy": strategy,
                "rounding_method": "HALF-UP",
                "profit_account_id": self.company_data["default_account_revenue"].id,
                "loss_account_id": self.company_data["default_account_expense"].id,
            }
        )

    def check_cash_rounding(self, strategy, price, taxes):
        order = self.create_order([(self.service, 1)])
        order.order_line.write({"price_unit": price, "tax_id": [Command.set(taxes.ids)]})
        order.action_confirm()
        invoice = order._create_invoices()
        invoice.invoice_cash_rounding_id = self.cash_rounding(strategy)
        invoice.action_post()
        self.assertEqual(invoice.amount_total, 100.0)
        self.pay(invoice)

        impact, cancellation = self.cancel(order)

        self.assertEqual(cancellation.credit_note_ids.amount_total, 100.0)
        self.assertEqual(cancellation.refund_payment_ids.amount, 100.0)
        self.assertEqual(self.amounts(impact, "credit_note"), [100.0])
        self.assertEqual(self.amounts(impact, "refund_payment"), [100.0])
        self.assertSettled(order, cancellation)

    def test_cash_rounding_line(self):
        self.check_cash_rounding("add_invoice_line", 99.99, self.env["account.tax"])

    def test_cash_rounding_biggest_tax(self):
        self.check_cash_rounding("biggest_tax", 90.90, self.tax_10)

    # ---- 4. combo products ------------------------------------------------------------------
    def test_full_credit_of_a_combo_line(self):
        items = self.env["product.product"].create(
            [
                {
                    "name": "Burger",
                    "type": "consu",
                    "list_price": 5.0,
                    "taxes_id": [Command.clear()],
                },
                {
                    "name": "Fries",
                    "type": "consu",
                    "list_price": 3.0,
                    "taxes_id": [Command.clear()],
                },
            ]
        )
        combos = self.env["product.combo"].create(
            [
                {"name": name, "combo_item_ids": [Command.create({"product_id": item.id})]}
                for name, item in zip(("Main", "Side"), items, strict=True)
            ]
        )
        menu = self.env["product.product"].create(
            {"name": "Menu", "type": "combo", "combo_ids": [Command.set(combos.ids)]}
        )
        order = self.env["sale.order"].create(
            {
                "partner_id": self.partner_a.id,
                "order_line": [Command.create({"product_id": menu.id, "product_uom_qty": 3})],
            }
        )
        combo_line = order.order_line
        order.order_line = [
            Command.create(
                {
                    "product_id": item.id,
                    "product_uom_qty": 3,
                    "price_unit": item.list_price,
                    "tax_id": [],
                    "combo_item_id": combo.combo_item_ids.id,
                    "linked_line_id": combo_line.id,
                }
            )
            for item, combo in zip(items, combos, strict=True)
        ]
        order.action_confirm()
        self.invoice(order)
        self.assertEqual(combo_line.qty_invoiced, 3.0)

        _impact, cancellation = self.cancel(order, refund=False)

        self.assertEqual(cancellation.credit_note_ids.amount_total, 24.0)
        self.assertEqual(order.order_line.mapped("qty_invoiced"), [0.0, 0.0, 0.0])
        self.assertSettled(order, cancellation)
        order.with_user(self.sales_manager).revoke_cancel()
        self.assertEqual(order.order_line.mapped("qty_invoiced"), [3.0, 3.0, 3.0])

    # ---- 2. every tax line to the cent ------------------------------------------------------
    def test_price_included_and_second_tax_credited_to_the_cent(self):
        """A price-included 10 % VAT and a 5 % tax, a hand-made rebate on the invoice, then a
        cancellation: what is left of every base and tax line is credited to the cent, not
        recomputed on the remaining base (which credited 0.01 more or less than was left)."""
        cases = [
            # (5 % tax included, 5 % tax is the base of the VAT, qty, price, rebate price)
            ("tax_excluded", False, 7, 109.99, 21.13),
            ("tax_included", False, 7, 109.99, 7.77),
            ("tax_included", True, 7, 109.99, 21.13),
            ("tax_included", True, 3, 21.13, 7.77),
            ("tax_excluded", False, 3, 21.13, 7.77),
        ]
        for eco_incl, seq, qty, price, rebate_price in cases:
            with self.subTest(eco=eco_incl, affects_base=seq, qty=qty, price=price):
                self._check_cent(eco_incl, qty, price, seq, rebate_price)

    def _check_cent(self, eco_incl, qty, price, seq, rebate_price):
        vat = self.env["account.tax"].create(
            {
                "name": f"VAT 10 % included {eco_incl}{qty}{price}{seq}{rebate_price}",
                "amount": 10.0,
                "type_tax_use": "sale",
                "price_include_override": "tax_included",
                "company_id": self.company.id,
            }
        )
        eco = self.env["account.tax"].create(
            {
                "name": f"Eco 5 % {eco_incl}{qty}{price}{seq}{rebate_price}",
                "amount": 5.0,
                "type_tax_use": "sale",
                "company_id": self.company.id,
                "price_include_override": eco_incl,
                "include_base_amount": seq,
                "sequence": 1 if seq else 10,
            }
        )
        vat.sequence = 5
        order, invoice = self.invoiced(qty=qty, price=price, taxes=vat | eco)
        reversal = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"reason": "rebate", "journal_id": invoice.journal_id.id})
        )
        rebate = self.env["account.move"].browse(reversal.refund_moves()["res_id"])
        rebate.invoice_line_ids.filtered(lambda aml: aml.display_type == "product").write(
            {"quantity": 1.0, "price_unit": rebate_price}
        )
        rebate.action_post()
        self.pay(invoice, 20.0)

        impact, cancellation = self.cancel(order)

        moves = invoice | rebate | cancellation.credit_note_ids
        for tax in vat | eco:
            tax_lines = moves.line_ids.filtered(lambda aml, t=tax: aml.tax_line_id == t)
            self.assertAlmostEqual(sum(tax_lines.mapped("balance")), 0.0, msg=f"{tax.name} nets")
            bases = moves.line_ids.filtered(lambda aml, t=tax: t in aml.tax_ids)
            self.assertAlmostEqual(sum(bases.mapped("balance")), 0.0, msg=f"{tax.name} base nets")
        self.assertEqual(
            self.amounts(impact, "credit_note"), cancellation.credit_note_ids.mapped("amount_total")
        )
        self.assertAlmostEqual(invoice.amount_residual, 0.0)
        self.assertSettled(order, cancellation)
        self.assertEqual(cancellation.refund_payment_ids.amount, 20.0, msg="the money received")

    def test_cash_rounded_invoice_after_an_edited_credit_note_refunds_every_cent(self):
        """Soak finding: a cash-rounded invoice (rounding line), a reversal-wizard credit note
        edited to 3 lamps, the rest paid in full, then a cancellation with refund: the refund
        was 0.05 short of the money received."""
        vat = self.env["account.tax"].create(
            {
                "name": "VAT 10 % included (rounding)",
                "amount": 10.0,
                "type_tax_use": "sale",
                "price_include_override": "tax_included",
                "company_id": self.company.id,
                "sequence": 1,
            }
        )
        second = self.env["account.tax"].create(
            {
                "name": "Second 5 % (rounding)",
                "amount": 5.0,
                "type_tax_use": "sale",
                "price_include_override": "tax_excluded",
                "company_id": self.company.id,
                "sequence": 2,
            }
        )
        lamp = self.env["product.product"].create(
            {"name": "Lamp", "type": "consu", "invoice_policy": "order", "list_price": 109.99}
        )
        order = self.create_order([(self.storable, 3), (lamp, 7)])
        order.order_line.filtered(lambda sol: sol.product_id == lamp).write(
            {"price_unit": 109.99, "tax_id": [Command.set((vat | second).ids)]}
        )
        order.order_line.filtered(lambda sol: sol.product_id == self.storable).price_unit = 100.0
        order.action_confirm()
        invoice = order._create_invoices()
        invoice.invoice_cash_rounding_id = self.cash_rounding("add_invoice_line")
        invoice.action_post()
        reversal = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"reason": "damaged", "journal_id": invoice.journal_id.id})
        )
        rebate = self.env["account.move"].browse(reversal.refund_moves()["res_id"])
        keep = rebate.invoice_line_ids.filtered(lambda aml: aml.product_id == lamp)
        rebate.write(
            {
                "invoice_line_ids": [
                    Command.unlink(aml.id) for aml in rebate.invoice_line_ids - keep
                ]
                + [Command.update(keep.id, {"quantity": 3, "price_unit": 109.99})]
            }
        )
        rebate.action_post()
        residual = invoice.amount_residual
        self.pay(invoice, residual)
        receivable = self.receivable()

        impact, cancellation = self.cancel(order)

        self.assertEqual(
            cancellation.credit_note_ids.mapped("amount_total"), [residual], msg="what is left"
        )
        self.assertEqual(cancellation.refund_payment_ids.mapped("amount"), [residual])
        self.assertEqual(self.amounts(impact, "refund_payment"), [residual], msg="as previewed")
        self.assertSettled(order, cancellation)
        order.with_user(self.sales_manager).revoke_cancel()
        self.assertAlmostEqual(
            self.receivable(), receivable + residual, msg="billed again what was refunded"
        )
        self.assertEqual(cancellation.revoke_invoice_ids.amount_total, residual)
