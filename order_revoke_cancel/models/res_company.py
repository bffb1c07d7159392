from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    revoke_cancel_days = fields.Integer(
        string="Revoke Window (days)",
        default=0,
        help="How many days after a cancellation it can still be revoked. 0 means no limit.",
    )
    cancel_notify_group_ids = fields.Many2many(
        "res.groups",
        "res_company_cancel_notify_group_rel",
        "company_id",
        "group_id",
        string="Notify on Cancel/Revoke",
        help="Internal users of these groups get an activity when an order is cancelled "
        "or its cancellation is revoked.",
    )
