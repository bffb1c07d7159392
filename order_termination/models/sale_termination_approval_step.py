from odoo import api, fields, models
from odoo.exceptions import ValidationError


class SaleTerminationApprovalStep(models.Model):
    """One link of a company's approval chain: implementers point steps at their own
    groups and thresholds, without code."""

    _name = "sale.termination.approval.step"
    _description = "Order Termination Approval Step"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(
        default=10,
        help="Steps with the same sequence are decided in parallel; a higher sequence opens "
        "only when every lower one is approved.",
    )
    group_id = fields.Many2one(
        "res.groups",
        string="Approver Group",
        required=True,
        help="Members of this group may approve or reject this step.",
    )
    company_id = fields.Many2one(
        "res.company",
        default=lambda self: self.env.company,
        help="Leave empty to apply the step in every company.",
    )
    currency_id = fields.Many2one(
        "res.currency",
        compute="_compute_currency_id",
        help="Currency of the step's company (the current company for shared steps).",
    )
    min_amount = fields.Monetary(
        string="Minimum Amount",
        currency_field="currency_id",
        help="Order total, in the company currency, from which this step applies. "
        "0 applies it to every order.",
    )
    allow_self_approval = fields.Boolean(
        help="Let the requester approve this step of their own request."
    )
    deadline_days = fields.Integer(
        string="Deadline (Days)",
        help="Days the approvers have to decide once the step opens; an overdue step reminds "
        "its group once and, with an escalation group, lets that group decide too. "
        "0 sets no deadline.",
    )
    escalation_group_id = fields.Many2one(
        "res.groups",
        help="Members of this group may also decide the step once its deadline has passed.",
    )
    active = fields.Boolean(default=True)

    @api.constrains("deadline_days")
    def _check_deadline_days(self):
        for step in self:
            if not 0 <= step.deadline_days <= 365:
                raise ValidationError(
                    self.env._(
                        "The deadline of the approval step %s must be between 0 and 365 days: "
                        "enter 0 for no deadline.",
                        step.name,
                    )
                )

    def _compute_currency_id(self):
        for step in self:
            step.currency_id = (step.company_id or self.env.company).currency_id

    @api.model
    def _get_applicable_to(self, order, amount=None):
        """The active steps that must approve terminating `order` (or `amount` of it, in the
        order's currency: a termination of part of it), in their order. Read as superuser:
        who approves is shown to requesters, who have no right on the steps."""
        steps = self.sudo().search(
            [("company_id", "in", [order.company_id.id, False])], order="sequence, id"
        )
        return steps.filtered(lambda step: step._applies_to(order, amount))

    def _get_approvers(self, requester, company):
        """Active internal users of the step's group in `company` who may decide
        the step of `requester`'s request (the requester only with self-approval)."""
        self.ensure_one()
        users = self.sudo().group_id.users.filtered(
            lambda u: not u.share and u.active and company in u.company_ids
        )
        if not self.allow_self_approval:
            users -= requester
        return users

    def _applies_to(self, order, amount=None):
        """Whether the step must approve terminating `order`: same company (or shared) and the
        amount terminated (`amount`, the order total by default), converted to the company
        currency, at or above the threshold."""
        self.ensure_one()
        if self.company_id and self.company_id != order.company_id:
            return False
        if not self.min_amount:
            return True
        company = order.company_id
        amount = order.currency_id._convert(
            order.amount_total if amount is None else amount,
            company.currency_id,
            company,
            order.date_order or fields.Date.today(),
        )
        return company.currency_id.compare_amounts(amount, self.min_amount) >= 0
