from odoo import fields, models


class SaleCancelReason(models.Model):
    _name = "sale.order.cancel.reason"
    _description = "Sales Order Cancellation Reason"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    note_required = fields.Boolean(help="Cancelling with this reason requires an explanatory note.")
    company_id = fields.Many2one(
        "res.company", help="Leave empty to use this reason in every company."
    )
