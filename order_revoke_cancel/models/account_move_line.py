from odoo import models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    def _reconcile_up_to(self, credit, amount_currency):
        """Reconcile this receivable debit line with the receivable `credit` line for
        `amount_currency` (in this line's currency), less than both lines hold.

        Why not `reconcile()`: it settles whole residuals, and a credit note must settle only
        its own order's part of a shared or paid invoice. The partial and its exchange
        difference are computed by Odoo's `_prepare_reconciliation_single_partial` as if this
        line held just `amount_currency` (its residual in company currency scaled to that
        part), so a rate change between invoice and credit note books the same exchange
        difference entry Odoo books when it reconciles a line of that residual. Neither line
        is fully reconciled afterwards (both hold more), so no full reconcile is due.
        Returns the partial."""
        self.ensure_one()
        credit.ensure_one()
        company_currency = self.company_currency_id
        amount = self.amount_residual
        if not self.currency_id.is_zero(self.amount_residual_currency):
            amount = min(
                amount,
                company_currency.round(
                    amount_currency * self.amount_residual / self.amount_residual_currency
                ),
            )
        # The exchange difference is always computed, whatever the caller's context says,
        # unless the company disabled partial exchange differences (as `reconcile()` does).
        disabled = bool(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("account.disable_partial_exchange_diff")
        )
        results = self.with_context(
            no_exchange_difference=disabled, no_exchange_difference_no_recursive=False
        )._prepare_reconciliation_single_partial(
            {"aml": self, "amount_residual": amount, "amount_residual_currency": amount_currency},
            {
                "aml": credit,
                "amount_residual": credit.amount_residual,
                "amount_residual_currency": credit.amount_residual_currency,
            },
        )
        partial = self.env["account.partial.reconcile"]
        if not results.get("partial_values"):
            return partial
        partial = partial.create(results["partial_values"])
        exchange_values = results.get("exchange_values")
        if exchange_values and exchange_values["move_values"]["line_ids"]:
            partial.exchange_move_id = self._create_exchange_difference_moves([exchange_values])
        if any((self | credit).company_id.mapped("tax_exigibility")):
            partial._create_tax_cash_basis_moves()
        return partial
