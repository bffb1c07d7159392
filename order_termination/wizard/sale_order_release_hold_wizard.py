from odoo import fields, models


class SaleOrderReleaseHoldWizard(models.TransientModel):
    _name = "sale.order.release.hold.wizard"
    _description = "Release the Hold of an Order"

    order_id = fields.Many2one("sale.order", required=True, readonly=True)
    hold_reason_id = fields.Many2one(related="order_id.hold_reason_id")
    note = fields.Text()

    def action_release_hold(self):
        """Delegate to `sale.order.release_hold`, which checks the rights."""
        self.ensure_one()
        self.order_id.release_hold(self.note)
        return {"type": "ir.actions.act_window_close"}
