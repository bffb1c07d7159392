from odoo import fields, models


class SaleOrderCancel(models.TransientModel):
    _inherit = "sale.order.cancel"

    # OCA's wizard asks its own required reason; both addons record the same
    # `sale.order.cancel.reason` on the order, so OCA's field follows ours instead of
    # asking the user twice (and instead of failing when our engine creates the wizard).
    reason_id = fields.Many2one(related="cancel_reason_id", readonly=False, required=False)
