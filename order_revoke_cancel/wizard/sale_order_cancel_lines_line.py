from odoo import api, fields, models


class SaleOrderCancelLinesLine(models.TransientModel):
    """One sale line of the Cancel Lines wizard: what is ordered, delivered and invoiced,
    and the quantity to cancel."""

    _name = "sale.order.cancel.lines.line"
    _description = "Line to Cancel"

    wizard_id = fields.Many2one("sale.order.cancel.lines", required=True, ondelete="cascade")
    sale_line_id = fields.Many2one("sale.order.line", "Order Line", required=True)
    product_id = fields.Many2one(related="sale_line_id.product_id")
    product_uom = fields.Many2one(related="sale_line_id.product_uom", string="Unit")
    qty_remaining = fields.Float(
        "Still Ordered",
        digits="Product Unit of Measure",
        compute="_compute_quantities",
        help="Ordered, less what earlier cancellations of lines took off.",
    )
    qty_delivered = fields.Float(related="sale_line_id.qty_delivered", string="Delivered")
    qty_invoiced = fields.Float(related="sale_line_id.qty_invoiced", string="Invoiced")
    quantity = fields.Float("To Cancel", digits="Product Unit of Measure")

    @api.depends("sale_line_id")
    def _compute_quantities(self):
        for line in self:
            line.qty_remaining = line.sale_line_id._get_qty_ordered_in_force()
