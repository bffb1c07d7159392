from odoo import api, fields, models


class SaleTerminationRequestLine(models.Model):
    """A quantity of one order line that a termination request of part of an order ends; its
    execution is the engine's cancellation of these quantities (`sale.order.cancel_lines`)."""

    _name = "sale.termination.request.line"
    _description = "Order Termination Request Line"

    request_id = fields.Many2one(
        "sale.termination.request", required=True, readonly=True, ondelete="cascade", index=True
    )
    sale_line_id = fields.Many2one("sale.order.line", "Order Line", required=True, readonly=True)
    product_id = fields.Many2one(related="sale_line_id.product_id")
    product_uom = fields.Many2one(related="sale_line_id.product_uom", string="Unit")
    quantity = fields.Float(
        "Quantity to Terminate", digits="Product Unit of Measure", required=True, readonly=True
    )
    currency_id = fields.Many2one(related="request_id.currency_id")
    amount = fields.Monetary(
        compute="_compute_amount",
        store=True,
        help="What the quantity was ordered for, taxes included.",
    )

    @api.depends("quantity", "sale_line_id.price_total", "sale_line_id.product_uom_qty")
    def _compute_amount(self):
        for line in self:
            sale_line = line.sale_line_id
            line.amount = (
                sale_line.price_total * line.quantity / sale_line.product_uom_qty
                if sale_line.product_uom_qty
                else 0.0
            )
