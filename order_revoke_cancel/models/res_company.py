from odoo import api, fields, models
from odoo.exceptions import ValidationError

# Day counts of the settings: 0 = off/unlimited, at most ten years (the column is an integer).
MAX_SETTING_DAYS = 3650


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

    order_background_threshold = fields.Integer(
        string="Background Above (orders)",
        default=200,
        help="Mass cancel, mass close, revoke of many and the auto-close of more orders than "
        "this run in the background, as a batch the user can follow.",
    )

    @api.constrains("order_background_threshold")
    def _check_order_background_threshold(self):
        for company in self:
            if company.order_background_threshold < 0:
                raise ValidationError(
                    self.env._(
                        "The background threshold of %(company)s must be 0 or more orders, "
                        "not %(count)s.",
                        company=company.name,
                        count=company.order_background_threshold,
                    )
                )

    @api.constrains("revoke_cancel_days")
    def _check_revoke_cancel_days(self):
        for company in self:
            if not 0 <= company.revoke_cancel_days <= MAX_SETTING_DAYS:
                raise ValidationError(
                    self.env._(
                        "The revoke window of %(company)s must be between 0 (no limit) and "
                        "%(max)s days, not %(days)s.",
                        company=company.name,
                        max=MAX_SETTING_DAYS,
                        days=company.revoke_cancel_days,
                    )
                )
