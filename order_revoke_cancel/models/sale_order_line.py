from odoo import models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    def _get_qty_procurement(self, previous_product_uom_qty=False):
        """Extend `sale_stock`: goods that a cancellation sent back to stock from a pick or
        pack step are no longer on their way to the customer. sale_stock still counts the done
        pick as procured, so a revoke (or a later change of quantity) would not pick them
        again. Only returns made by a cancellation count: one made by hand on a live order
        leaves its ship step waiting for the goods."""
        qty = super()._get_qty_procurement(previous_product_uom_qty)
        step_returns = self.move_ids.filtered(
            lambda m: (
                m.state == "done"
                and m.origin_returned_move_id
                and m.location_id.usage == "internal"
            )
        )
        if step_returns:
            outgoing = self._get_outgoing_incoming_moves(strict=False)[0]
            cancel_returns = self.order_id.cancellation_ids._get_return_pickings()
            for move in step_returns.filtered(
                lambda m: m.origin_returned_move_id in outgoing and m.picking_id in cancel_returns
            ):
                qty -= move.product_uom._compute_quantity(
                    move.quantity, self.product_uom, rounding_method="HALF-UP"
                )
        return qty
