from odoo import api, fields, models


class SaleOrderLineQuantityMixin(models.AbstractModel):
    """A sale line in a wizard that ends part of an order (Cancel Lines, Request Termination):
    what is still ordered, delivered and invoiced, and the quantity the user enters. One
    definition for every such wizard, so that they show the same columns."""

    _name = "sale.order.line.quantity.mixin"
    _description = "Quantity of an Order Line to End"

    sale_line_id = fields.Many2one("sale.order.line", "Order Line", required=True)
    product_id = fields.Many2one(related="sale_line_id.product_id")
    product_uom = fields.Many2one(related="sale_line_id.product_uom", string="Unit")
    qty_remaining = fields.Float(
        "Still Ordered",
        digits="Product Unit of Measure",
        compute="_compute_qty_remaining",
        help="Ordered, less what earlier cancellations of lines took off.",
    )
    qty_delivered = fields.Float(related="sale_line_id.qty_delivered", string="Delivered")
    qty_invoiced = fields.Float(related="sale_line_id.qty_invoiced", string="Invoiced")
    quantity = fields.Float(digits="Product Unit of Measure")

    @api.depends("sale_line_id")
    def _compute_qty_remaining(self):
        for line in self:
            line.qty_remaining = line.sale_line_id._get_qty_ordered_in_force()

    @api.model
    def _prepare_wizard_line_commands(self, order):
        """Commands that fill a wizard with the lines of `order` that can end on their own
        and still have something ordered."""
        return [fields.Command.clear()] + [
            fields.Command.create({"sale_line_id": line.id})
            for line in order.order_line.filtered(
                lambda sol: sol._can_cancel_quantity() and sol._get_qty_ordered_in_force() > 0
            )
        ]
