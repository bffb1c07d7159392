from odoo import api, fields, models


class SaleOrderRevokeCancel(models.TransientModel):
    _name = "sale.order.revoke.cancel"
    _description = "Revoke a Sales Order Cancellation"

    order_id = fields.Many2one("sale.order", required=True, ondelete="cascade")
    cancellation_id = fields.Many2one("sale.order.cancellation", compute="_compute_cancellation_id")
    note = fields.Text()
    impact_line_ids = fields.One2many(
        "sale.order.cancel.impact",
        "revoke_wizard_id",
        compute="_compute_impact_line_ids",
        store=True,
        precompute=True,
        readonly=True,
    )

    @api.depends("order_id")
    def _compute_cancellation_id(self):
        for wizard in self:
            wizard.cancellation_id = wizard.order_id._get_last_cancellation()

    @api.depends("order_id")
    def _compute_impact_line_ids(self):
        Impact = self.env["sale.order.cancel.impact"]
        for wizard in self:
            wizard.impact_line_ids = Impact._impact_commands(wizard.order_id.get_revoke_impact())

    def action_revoke(self):
        self.ensure_one()
        self.order_id.revoke_cancel(note=self.note)
        return {"type": "ir.actions.act_window_close"}
