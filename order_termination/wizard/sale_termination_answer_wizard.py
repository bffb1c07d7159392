from odoo import fields, models


class SaleTerminationAnswerWizard(models.TransientModel):
    _name = "sale.termination.answer.wizard"
    _description = "Record the Customer's Answer to a Termination"

    request_id = fields.Many2one("sale.termination.request", required=True, readonly=True)
    answer = fields.Selection(
        [("confirm", "The customer confirms"), ("decline", "The customer declines")],
        required=True,
        default="confirm",
    )
    comment = fields.Text(required=True, help="How and when the customer answered.")

    def action_record(self):
        """Delegate to `action_record_customer_answer`, which checks rights and rules."""
        self.ensure_one()
        self.request_id.action_record_customer_answer(self.answer == "confirm", self.comment)
        return {"type": "ir.actions.act_window_close"}
