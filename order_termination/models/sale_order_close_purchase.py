"""Purchases of a short close: what a forced close (or a close of lines) settles at what was
delivered is not bought either. Planned with the short close plan (key ``purchase_effects``,
the purchase-effect engine's `_plan_for_lines`), previewed with it and applied around it, as a
cancellation of that quantity does (`sale_order_cancel_purchase`).

Apart from `sale_order_cancel_purchase` because it extends the short close of
`sale_order_close`, which is defined after it.
"""

from odoo import models
from odoo.tools import float_compare


class SaleOrderClosePurchase(models.Model):
    _inherit = "sale.order"  # pylint: disable=consider-merging-classes-inherited

    def _prepare_short_close_plan(self, lines=None):
        """Extend the short close plan with ``'purchase_effects'``: a short close settles the
        lines at what was delivered, so what is not delivered yet is not to be bought either.
        The purchases bought for it are planned as for a cancellation of that quantity
        (`_plan_for_lines`), by the company's `cancel_purchase_effect` (a close is no
        termination). A reopen plans the quantity again and procurement buys it again."""
        plan = super()._prepare_short_close_plan(lines)
        plan["purchase_effects"] = []
        if self.company_id.cancel_purchase_effect != "apply":
            return plan
        closing = self._get_short_close_lines() if lines is None else lines
        undelivered = {}
        for line in closing.filtered(lambda sol: not sol.is_closed):
            qty = line._get_qty_ordered_in_force() - line.qty_delivered
            if float_compare(qty, 0.0, precision_rounding=line.product_uom.rounding or 0.01) > 0:
                undelivered[line.sudo()] = qty
        if undelivered:
            # As superuser, as `_prepare_cancel_plan` plans: a salesman may not read purchase
            # lines (odoo/odoo#121079); planning only reads.
            plan["purchase_effects"] = (
                self.env["sale.termination.purchase.effect"]
                .sudo()
                ._plan_for_lines(self.sudo(), undelivered)
            )
        return plan

    def _get_short_close_impact(self, plan, refund_payments=False):
        impact = super()._get_short_close_impact(plan, refund_payments=refund_payments)
        for item in plan.get("purchase_effects", []):
            impact += self._get_purchase_effect_impact(item)
        return impact

    def _apply_short_close_plan(self, plan, refund_payments=False):
        """Apply the plan's purchase effects around the close: reductions while the moves
        still expect the quantities (purchase_stock lowers the receipt too), cancellations of
        purchases and notes to buyers after the moves are cancelled. The effects are returned
        with the close's documents (``'purchase_effects'``); they name the order."""
        items = plan.get("purchase_effects", [])
        effects = self._apply_purchase_effects([i for i in items if i["action"] == "reduce"])
        done = super()._apply_short_close_plan(plan, refund_payments=refund_payments)
        effects |= self._apply_purchase_effects([i for i in items if i["action"] != "reduce"])
        done["purchase_effects"] = effects
        return done
