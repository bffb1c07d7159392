from odoo import Command, models

from .tools import reconcile_receivables


class AccountMove(models.Model):
    _inherit = "account.move"

    def _get_open_receivable_lines(self):
        return self.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable" and not line.reconciled
        )

    def _get_credited_by_reconciliation(self):
        """Part of this customer invoice settled by credit notes (invoice currency)."""
        self.ensure_one()
        receivables = self.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )
        partials = receivables.matched_credit_ids.filtered(
            lambda p: p.credit_move_id.move_id.move_type == "out_refund"
        )
        return sum(partials.mapped("debit_amount_currency"))

    def _get_received_amount(self):
        """Money received on this customer invoice (invoice currency): what is no longer open
        and was not settled by a credit note."""
        self.ensure_one()
        return max(
            self.amount_total - self.amount_residual - self._get_credited_by_reconciliation(),
            0.0,
        )

    def _set_credit_lines(self, invoice, plan_lines):
        """Make this draft credit note of `invoice` credit only `plan_lines`
        (``{invoice line: [credit line values]}``): the other orders' lines of a shared
        invoice, and what earlier credit notes already credited, are left out."""
        self.ensure_one()
        sources = invoice.invoice_line_ids.filtered(lambda aml: aml.display_type == "product")
        copies = self.invoice_line_ids.filtered(lambda aml: aml.display_type == "product")
        commands = []
        for source, copy in zip(sources.sorted("id"), copies.sorted("id"), strict=True):
            vals_list = plan_lines.get(source)
            if not vals_list:
                commands.append(Command.unlink(copy.id))
                continue
            commands.append(Command.update(copy.id, vals_list[0]))
            if len(vals_list) > 1:
                data = copy.with_context(include_business_fields=True).copy_data()[0]
                # The amounts follow from quantity and price: a copied amount_currency would
                # be kept as is and credit the copied line's amount once more (found by the
                # soak: an amount-only credit of a revoke invoice credited twice).
                for field in ("move_id", "amount_currency", "balance", "debit", "credit"):
                    data.pop(field, None)
                commands += [Command.create({**data, **vals}) for vals in vals_list[1:]]
        kept_sale_lines = sources.filtered(lambda aml: aml in plan_lines).sale_line_ids
        for other in self.invoice_line_ids.filtered(lambda aml: aml.display_type != "product"):
            if not other.sale_line_ids & kept_sale_lines:
                commands.append(Command.unlink(other.id))
        self.write({"invoice_line_ids": commands})

    def _get_partials_with(self, invoice):
        """Reconciliations between this credit note and `invoice`."""
        receivables = invoice.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )
        own = self.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )
        return own.matched_debit_ids.filtered(lambda p: p.debit_move_id in receivables)

    def _limit_settlement(self, invoice, limit):
        """Odoo reconciles a credit note with the invoice it reverses as soon as it is posted,
        for as much as both hold. Undo that when it settled more than `limit` (the order's open
        part of a shared or paid invoice), so `_reconcile_with_invoice` can settle just that.
        Odoo's reconciliation is kept rather than skipped because it also matches the other
        reconcilable lines (cash basis transition accounts); in a foreign currency the
        exchange difference it booked is reversed with the partial, by Odoo."""
        self.ensure_one()
        partials = self._get_partials_with(invoice)
        applied = sum(partials.mapped("debit_amount_currency"))
        if invoice.currency_id.compare_amounts(applied, limit) > 0:
            partials.unlink()

    def _reconcile_with_invoice(self, invoice, limit):
        """Let this posted credit note settle at most `limit` (invoice currency) of `invoice`
        in all: on a shared invoice it settles its own order's open part, never the other
        orders'; what it holds beyond stays as the customer's credit."""
        self.ensure_one()
        limit -= sum(self._get_partials_with(invoice).mapped("debit_amount_currency"))
        credit_lines = self._get_open_receivable_lines()
        debit_lines = invoice._get_open_receivable_lines().sorted(
            lambda line: (line.date_maturity or line.date, line.id)
        )
        currency = invoice.currency_id
        credit_open = -sum(credit_lines.mapped("amount_residual_currency"))
        debit_open = sum(debit_lines.mapped("amount_residual_currency"))
        if currency.compare_amounts(limit, 0.0) <= 0:
            return
        if currency.compare_amounts(limit, min(credit_open, debit_open)) >= 0:
            reconcile_receivables(self | invoice)
            return
        # Line pair by line pair: whole residuals through Odoo's `reconcile()`, the last,
        # capped part through `_reconcile_up_to`, which books the same exchange difference.
        for debit in debit_lines:
            for credit in credit_lines:
                if currency.compare_amounts(limit, 0.0) <= 0:
                    return
                whole = min(debit.amount_residual_currency, -credit.amount_residual_currency)
                if currency.compare_amounts(whole, 0.0) <= 0:
                    continue
                if currency.compare_amounts(limit, whole) >= 0:
                    (debit | credit).reconcile()
                    limit -= whole
                else:
                    debit._reconcile_up_to(credit, limit)
                    return

    def _reverse_by_invoices(self, default_values_list):
        """Undo these posted credit notes with new posted invoices, each reconciled with its
        credit note: the invoices are linked to the same sale lines, so `qty_invoiced` and the
        receivable come back without any posted entry being rewritten."""
        if not self:
            return self
        invoices = self._reverse_moves(default_values_list)
        invoices.action_post()
        for credit_note, invoice in zip(self, invoices, strict=True):
            reconcile_receivables(credit_note | invoice)
        return invoices
