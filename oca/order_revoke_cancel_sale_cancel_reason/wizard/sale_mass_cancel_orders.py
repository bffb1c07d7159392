from odoo import fields, models


class SaleMassCancelOrders(models.TransientModel):
    _inherit = "sale.mass.cancel.orders"

    # Same as the single-order wizard: one reason, ours, which OCA's field mirrors.
    reason_id = fields.Many2one(related="cancel_reason_id", readonly=False, required=False)
