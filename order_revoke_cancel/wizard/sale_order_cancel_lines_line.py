from odoo import fields, models


class SaleOrderCancelLinesLine(models.TransientModel):
    """One sale line of the Cancel Lines wizard: what is ordered, delivered and invoiced,
    and the quantity to cancel."""

    _name = "sale.order.cancel.lines.line"
    _inherit = "sale.order.line.quantity.mixin"
    _description = "Line to Cancel"

    wizard_id = fields.Many2one("sale.order.cancel.lines", required=True, ondelete="cascade")
    quantity = fields.Float("To Cancel")
