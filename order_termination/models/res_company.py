from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.order_revoke_cancel.models.res_company import MAX_SETTING_DAYS


class ResCompany(models.Model):
    """Termination notifications and automatic closing are set per company."""

    _inherit = "res.company"

    termination_notify_group_ids = fields.Many2many(
        "res.groups",
        "res_company_termination_notify_group_rel",
        "company_id",
        "group_id",
        string="Notify on Termination",
        help="Internal users of these groups get an activity when an order of the company is "
        "terminated.",
    )
    auto_close_days = fields.Integer(
        string="Auto-close After (days)",
        default=0,
        help="Orders that are delivered, invoiced and paid for this many days are closed by a "
        "daily scheduled action. 0 disables automatic closing.",
    )
    portal_termination_request = fields.Boolean(
        string="Customers Request Cancellation Online",
        default=False,
        help="Customers may ask on their portal order page to cancel a confirmed order, with a "
        "reason offered to customers; the request then goes through the approvals.",
    )

    cancel_purchase_effect = fields.Selection(
        [
            ("apply", "Cancel or reduce them"),
            ("notify", "Only notify their buyers"),
        ],
        string="Purchases of a Cancelled Order",
        default="apply",
        required=True,
        help="What cancelling an order (or lines of it), or closing it short, does to the "
        "purchase orders made for what will not be delivered (make-to-order, dropship): cancel "
        "the requests for quotation and unreceived lines that served only this order or reduce "
        "its share of them, notifying the buyers of what was received or billed; or only "
        "notify the buyers, as Odoo does. A termination always cancels or reduces them.",
    )

    @api.constrains("auto_close_days")
    def _check_auto_close_days(self):
        for company in self:
            if not 0 <= company.auto_close_days <= MAX_SETTING_DAYS:
                raise ValidationError(
                    self.env._(
                        "The automatic close delay of %(company)s must be between 0 (off) and "
                        "%(max)s days, not %(days)s.",
                        company=company.name,
                        max=MAX_SETTING_DAYS,
                        days=company.auto_close_days,
                    )
                )
