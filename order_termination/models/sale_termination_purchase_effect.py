from odoo import fields, models


class SaleTerminationPurchaseEffect(models.Model):
    """What a termination did to a purchase order, kept so buyers and auditors see it."""

    _name = "sale.termination.purchase.effect"
    _description = "Effect of an Order Termination on a Purchase"
    _order = "id"

    request_id = fields.Many2one(
        "sale.termination.request", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="request_id.company_id", store=True)
    purchase_id = fields.Many2one("purchase.order", required=True)
    purchase_name = fields.Char(related="purchase_id.name", store=True, string="Purchase Reference")
    purchase_line_id = fields.Many2one("purchase.order.line")
    product_id = fields.Many2one("product.product")
    action = fields.Selection(
        [
            ("cancel", "Purchase cancelled"),
            ("reduce", "Quantity reduced"),
            ("notify", "Buyer asked to act"),
        ],
        required=True,
    )
    previous_qty = fields.Float("Quantity Before", digits="Product Unit of Measure")
    new_qty = fields.Float("Quantity After", digits="Product Unit of Measure")
    note = fields.Text()
