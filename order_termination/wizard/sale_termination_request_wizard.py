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
