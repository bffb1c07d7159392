from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    revoke_cancel_days = fields.Integer(related="company_id.revoke_cancel_days", readonly=False)
    cancel_notify_group_ids = fields.Many2many(
        related="company_id.cancel_notify_group_ids", readonly=False
    )
    order_background_threshold = fields.Integer(
        related="company_id.order_background_threshold", readonly=False
    )
