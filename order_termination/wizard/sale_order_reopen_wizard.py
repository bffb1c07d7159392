from odoo import fields, models


class SaleOrderReopenWizard(models.TransientModel):
    _name = "sale.order.reopen.wizard"
    _description = "Reopen a Closed Order"

    order_id = fields.Many2one("sale.order", required=True, readonly=True)
    note = fields.Text(required=True)

    def action_reopen(self):
        """Delegate to `sale.order.reopen`, which checks the rights."""
        self.ensure_one()
        self.order_id.reopen(self.note)
        return {"type": "ir.actions.act_window_close"}
