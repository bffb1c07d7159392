from odoo import fields, models


class SaleOrderMassCloseResult(models.TransientModel):
    _name = "sale.order.mass.close.result"
    _description = "Result of Closing Several Orders"

    wizard_id = fields.Many2one("sale.order.mass.close", required=True, ondelete="cascade")
    order_id = fields.Many2one("sale.order", readonly=True)
    closed = fields.Boolean(readonly=True)
    message = fields.Text(readonly=True)
