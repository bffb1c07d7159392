from odoo import fields, models


class SaleOrderCancellationLine(models.Model):
    _name = "sale.order.cancellation.line"
    _description = "Sales Order Cancellation Line Snapshot"

    cancellation_id = fields.Many2one(
        "sale.order.cancellation", required=True, ondelete="cascade", index=True
    )
    sale_line_id = fields.Many2one("sale.order.line", required=True, ondelete="cascade")
    product_id = fields.Many2one(related="sale_line_id.product_id")
    qty_delivered = fields.Float(
        "Delivered Before", digits="Product Unit of Measure", readonly=True
    )
    qty_invoiced = fields.Float("Invoiced Before", digits="Product Unit of Measure", readonly=True)
    qty_cancelled = fields.Float(
        "Quantity Cancelled",
        digits="Product Unit of Measure",
        readonly=True,
        help="What this cancellation took off the line, in the line's unit.",
    )
