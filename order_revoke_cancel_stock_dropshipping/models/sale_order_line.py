from odoo import models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    def _get_qty_procurement(self, previous_product_uom_qty=False):
        """Count again what cancellations of lines took off a dropshipped line.

        order_revoke_cancel counts the quantity cancelled by lines as procured (so that Odoo's
        procurement lowers the open moves by it, and plans it again once revoked). For a line
        bought by purchase lines of its own product, stock_dropshipping returns those purchase
        lines' quantity without calling super: when it comes first in the method resolution
        order, the cancelled quantity is no longer counted and procurement buys it again (a new
        request for quotation after a cancellation of lines, twice the quantity after its
        revoke). It is added back here, only where stock_dropshipping left it out."""
        qty = super()._get_qty_procurement(previous_product_uom_qty)
        if self._dropshipping_skips_cancelled_qty():
            qty += self._get_qty_cancelled_by_lines()
        return qty

    def _dropshipping_skips_cancelled_qty(self):
        """Whether stock_dropshipping's `_get_qty_procurement` answered for this line without
        reaching order_revoke_cancel's: its condition (live purchase lines of the line's
        product, not a kit with dropshipped components), and its override before ours in the
        method resolution order (the order the modules were loaded in)."""
        self.ensure_one()
        # As stock_dropshipping reads them: people without purchase rights cancel lines too.
        purchase_lines = self.sudo().purchase_line_ids
        if not (
            self.product_id == purchase_lines.product_id
            and purchase_lines.filtered(lambda pl: pl.state != "cancel")
        ):
            return False
        for cls in type(self).mro():
            if "_get_qty_procurement" in vars(cls):
                module = getattr(cls, "_module", None)
                if module == "stock_dropshipping":
                    return True
                if module == "order_revoke_cancel":
                    return False
        return False
