from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError


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
    line_ids = fields.One2many(
        "sale.termination.request.wizard.line",
        "wizard_id",
        "Lines",
        compute="_compute_line_ids",
        store=True,
        readonly=False,
        precompute=True,
        help="Enter quantities to terminate part of the order; leave them all empty to "
        "terminate the whole order.",
    )
    impact_html = fields.Html(compute="_compute_impact_html", sanitize=False)
    approvers_html = fields.Html(compute="_compute_approvers_html", sanitize=False)

    @api.depends("reason_id")
    def _compute_customer_confirmation(self):
        for wizard in self:
            wizard.customer_confirmation = wizard.reason_id.customer_confirmation

    @api.depends("order_id")
    def _compute_line_ids(self):
        Line = self.env["sale.termination.request.wizard.line"]
        for wizard in self:
            wizard.line_ids = Line._prepare_wizard_line_commands(wizard.order_id)

    def _get_quantities(self):
        """The `quantities` of `request_termination`: the lines given a quantity (none: the
        whole order)."""
        self.ensure_one()
        return {line.sale_line_id: line.quantity for line in self.line_ids if line.quantity > 0}

    @api.depends("order_id", "reason_id", "receive_returns", "refund_payments", "line_ids.quantity")
    def _compute_impact_html(self):
        """What executing the request does: the whole order's cancellation, or the cancellation
        of the quantities entered; a quantity the engine refuses shows the refusal."""
        for wizard in self:
            try:
                wizard.impact_html = wizard.order_id._get_termination_impact_html(
                    receive_returns=wizard.receive_returns,
                    refund_payments=wizard.refund_payments,
                    reason=wizard.reason_id,
                    quantities=wizard._get_quantities(),
                )
            except UserError as error:
                wizard.impact_html = Markup("<p class='text-danger'>%s</p>") % error.args[0]

    @api.depends("order_id", "line_ids.quantity")
    @api.depends_context("uid")
    def _compute_approvers_html(self):
        """Who will decide: each applicable step, its group and the users who may approve (the
        thresholds read the amount terminated)."""
        Step = self.env["sale.termination.approval.step"]
        for wizard in self:
            order = wizard.order_id
            quantities = wizard._get_quantities() if order else {}
            amount = order._get_line_cancel_amount(quantities) if quantities else None
            steps = Step._get_applicable_to(order, amount) if order else Step
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
            quantities={line.id: qty for line, qty in self._get_quantities().items()} or None,
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": "sale.termination.request",
            "res_id": request.id,
            "view_mode": "form",
        }
