from markupsafe import Markup

from odoo import api, fields, models


class SaleTerminationRequestWizard(models.TransientModel):
    _name = "sale.termination.request.wizard"
    _description = "Request the Termination of an Order"

    order_id = fields.Many2one("sale.order", required=True, readonly=True)
    reason_id = fields.Many2one("sale.termination.reason", required=True)
    description = fields.Text(required=True, help="Internal: never shown to the customer.")
    customer_message = fields.Text(
        help="What the customer reads in the email and on the portal page."
    )
    customer_confirmation = fields.Boolean(
        compute="_compute_customer_confirmation", store=True, readonly=False
    )
    receive_returns = fields.Boolean(
        help="Returns created by the termination are received at once."
    )
    refund_payments = fields.Boolean(
        help="Money already received is paid back to the customer instead of staying as credit."
    )
    impact_html = fields.Html(compute="_compute_impact_html", sanitize=False)
    approvers_html = fields.Html(compute="_compute_approvers_html", sanitize=False)

    @api.depends("reason_id")
    def _compute_customer_confirmation(self):
        for wizard in self:
            wizard.customer_confirmation = wizard.reason_id.customer_confirmation

    @api.depends("order_id", "reason_id", "receive_returns", "refund_payments")
    def _compute_impact_html(self):
        for wizard in self:
            wizard.impact_html = wizard.order_id._get_termination_impact_html(
                receive_returns=wizard.receive_returns,
                refund_payments=wizard.refund_payments,
                reason=wizard.reason_id,
            )

    @api.depends("order_id")
    @api.depends_context("uid")
    def _compute_approvers_html(self):
        """Who will decide: each applicable step, its group and the users who may approve."""
        Step = self.env["sale.termination.approval.step"]
        for wizard in self:
            order = wizard.order_id
            steps = Step._get_applicable_to(order) if order else Step
            if not steps:
                wizard.approvers_html = Markup("<p>%s</p>") % self.env._(
                    "No approval step applies to %s: the termination is executed as soon as "
                    "you submit it.",
                    order.name,
                )
                continue
            rows = Markup()
            for step in steps:
                users = step._get_approvers(self.env.user, order.company_id)
                members = ", ".join(users.mapped("name")) or self.env._(
                    "nobody but you: ask an administrator to add an approver to the group"
                )
                rows += Markup("<li>%s</li>") % self.env._(
                    "%(step)s (group %(group)s): %(members)s",
                    step=step.name,
                    group=step.sudo().group_id.full_name,
                    members=members,
                )
            wizard.approvers_html = Markup("<ul class='mb-0'>%s</ul>") % rows

    def action_confirm(self):
        """Delegate to `sale.order.request_termination`, which checks rights and rules."""
        self.ensure_one()
        request = self.order_id.request_termination(
            self.reason_id,
            self.description,
            customer_confirmation=self.customer_confirmation,
            receive_returns=self.receive_returns,
            refund_payments=self.refund_payments,
            customer_message=self.customer_message,
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": "sale.termination.request",
            "res_id": request.id,
            "view_mode": "form",
        }
