from odoo import fields, models


class SaleCloseReason(models.Model):
    """Why an order was closed; reported on closed orders."""

    _name = "sale.close.reason"
    _description = "Order Close Reason"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", help="Leave empty to use the reason in every company."
    )
