from odoo import fields, models


class SaleTerminationRejectWizard(models.TransientModel):
    _name = "sale.termination.reject.wizard"
    _description = "Reject a Termination Request"

    request_id = fields.Many2one("sale.termination.request", required=True, readonly=True)
    comment = fields.Text(required=True)

    def action_reject(self):
        """Delegate to `sale.termination.request.action_reject`, which checks rights."""
        self.ensure_one()
        self.request_id.action_reject(self.comment)
        return {"type": "ir.actions.act_window_close"}
