"""The cancel plan: what cancelling an order with given options does, read once before anything
changes. The preview (`get_cancel_impact`) renders it; `_action_cancel` checks the rights on it
and applies it (`_reverse_documents`), so what the user was shown is what is made.

The planners it reads live with their concern: deliveries in `sale_order_stock_reversal`,
invoices and money in `sale_order_accounting_reversal`, the fee in `sale_order_fee`.
"""

from odoo import models
from odoo.tools import float_compare

from ..tools import picking_demand


class SaleOrderCancelPlan(models.Model):
    _inherit = "sale.order"  # pylint: disable=consider-merging-classes-inherited

    def _prepare_cancel_plan(self, fee=0.0, reason=None):
        """What cancelling this order does: ``{'pickings_to_cancel': pickings, 'returns':
        {done picking: {move: quantity}}, 'reduced': {open move: quantity taken off it}
        and 'reversed_steps': {done pick or pack: quantity back to stock} (cancelling lines, see
        `_prepare_line_cancel_plan`), 'drafts': [(draft invoice, this order's lines split
        off it, or empty when the draft is its own)], 'credits': credit plan (see
        `_get_credit_plan`), 'fee': amount, 'fee_total': total of the fee invoice,
        'purchases': purchase orders whose buyers hear of it}``.

        Extenders add their own keys (and render them in `_get_cancel_plan_impact`)."""
        self.ensure_one()
        fee_total = 0.0
        if fee:
            fee_total = self._get_fee_invoice_total(self._prepare_fee_invoice_vals(reason, fee))
        return {
            "pickings_to_cancel": self._get_pickings_to_cancel(),
            "reduced": {},
            "reversed_steps": {},
            "returns": self._get_returnable_quantities(),
            "drafts": [
                (invoice, self._get_shared_draft_lines(invoice))
                for invoice in self._get_invoices_to_cancel()
            ],
            "credits": self._get_credit_plan(),
            "fee": fee,
            "fee_total": fee_total,
            "purchases": self._get_cancel_purchase_orders(),
        }

    def _get_cancel_plan_impact(self, plan, refund_payments=False, reason=None):
        """The preview lines of `plan` (see `get_cancel_impact` for their shape)."""
        self.ensure_one()
        impact = []
        if plan["fee"]:
            product = reason._get_fee_product()
            impact.append(self._impact_line("fee_invoice", product, False, plan["fee_total"]))
        for picking in plan["pickings_to_cancel"]:
            impact.append(self._impact_line("cancel_picking", picking, picking_demand(picking)))
        reduced = {}
        for move, quantity in plan["reduced"].items():
            reduced[move.picking_id] = reduced.get(move.picking_id, 0.0) + quantity
        for picking, quantity in reduced.items():
            # Reduced to nothing, Odoo cancels the transfer.
            emptied = all(
                move in plan["reduced"]
                and float_compare(
                    plan["reduced"][move],
                    move.product_uom_qty,
                    precision_rounding=move.product_uom.rounding,
                )
                >= 0
                for move in picking.move_ids.filtered(lambda m: m.state not in ("done", "cancel"))
            )
            action = "cancel_picking" if emptied else "reduce_picking"
            impact.append(self._impact_line(action, picking, quantity))
        for picking, quantity in plan["reversed_steps"].items():
            impact.append(self._impact_line("return_picking", picking, quantity))
        for picking, quantities in plan["returns"].items():
            impact.append(self._impact_line("return_picking", picking, sum(quantities.values())))
        for invoice, mine in plan["drafts"]:
            line = self._impact_line(
                "cancel_invoice", invoice, False, self._get_cancelled_draft_total(invoice, mine)
            )
            if mine:
                line["name"] = self.env._(
                    "%(invoice)s: the lines of %(order)s, split off to a draft of their own",
                    invoice=invoice.display_name,
                    order=self.name,
                )
            impact.append(line)
        impact += self._get_credit_impact(
            refund_payments,
            keep=plan["fee_total"],
            credits=plan["credits"],
            whole="quantities" not in plan,
        )
        for purchase in plan["purchases"]:
            impact.append(self._impact_line("notify_purchase", purchase, False, False))
        return impact
