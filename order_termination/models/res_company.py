from odoo import fields, models


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
