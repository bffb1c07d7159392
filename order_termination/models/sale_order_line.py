from odoo import api, models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    @api.model
    def _get_hold_free_fields(self):
        """Line fields the order's own flows may write while it is on hold or closed."""
        return {"invoice_lines", "move_ids"}

    @api.model_create_multi
    def create(self, vals_list):
        orders = self.env["sale.order"].browse(
            {vals["order_id"] for vals in vals_list if vals.get("order_id")}
        )
        orders._check_order_editable("modify")
        return super().create(vals_list)

    def write(self, vals):
        if set(vals) - self._get_hold_free_fields():
            self.order_id._check_order_editable("modify")
        return super().write(vals)

    def unlink(self):
        self.order_id._check_order_editable("modify")
        return super().unlink()

    @api.depends("order_id.is_closed")
    def _compute_qty_to_invoice(self):
        """A closed order has nothing left to invoice: a short close settled it at what was
        delivered, so its lines never show up "to invoice" again."""
        res = super()._compute_qty_to_invoice()
        self.filtered("order_id.is_closed").qty_to_invoice = 0.0
        return res
