from collections import defaultdict

from odoo import Command, models
from odoo.tools import float_compare


class AccountMove(models.Model):
    _inherit = "account.move"

    def _get_posted_credit_notes(self):
        return self.reversal_move_ids.filtered(
            lambda m: m.state == "posted" and m.move_type == "out_refund"
        )

    def _uncredited_amount(self):
        """Part of a customer invoice that no posted credit note reverses yet (invoice currency)."""
        self.ensure_one()
        return self.amount_total - sum(self._get_posted_credit_notes().mapped("amount_total"))

    def _refundable_amount(self):
        """Money received on this invoice that a refund would pay back: what its credit note
        leaves open once it has settled what the invoice still owes."""
        self.ensure_one()
        return max(self._uncredited_amount() - self.amount_residual, 0.0)

    def _deduct_already_credited(self, invoice):
        """Reduce this draft credit note of `invoice` by what earlier credit notes credited,
        so that a cancellation never credits the same quantity twice."""
        self.ensure_one()
        credited = defaultdict(float)
        for line in (invoice._get_posted_credit_notes() - self).invoice_line_ids:
            credited[_line_key(line)] += line.quantity
        if not credited:
            return
        commands = []
        for line in self.invoice_line_ids.filtered(lambda li: li.display_type == "product"):
            key = _line_key(line)
            rest = line.quantity - credited[key]
            credited[key] = max(-rest, 0.0)
            if (
                float_compare(rest, 0.0, precision_rounding=line.product_uom_id.rounding or 0.01)
                <= 0
            ):
                commands.append(Command.unlink(line.id))
            elif rest != line.quantity:
                commands.append(Command.update(line.id, {"quantity": rest}))
        if commands:
            self.write({"invoice_line_ids": commands})


def _line_key(line):
    return (tuple(sorted(line.sale_line_ids.ids)), line.product_id.id, line.price_unit)
