from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    termination_notify_group_ids = fields.Many2many(
        related="company_id.termination_notify_group_ids", readonly=False
    )
    auto_close_days = fields.Integer(related="company_id.auto_close_days", readonly=False)
    portal_termination_request = fields.Boolean(
        related="company_id.portal_termination_request", readonly=False
    )
    cancel_purchase_effect = fields.Selection(
        related="company_id.cancel_purchase_effect", readonly=False
    )
