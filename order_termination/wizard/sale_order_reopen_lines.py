from odoo import api, fields, models


class SaleOrderReopenLinesWizard(models.TransientModel):
    _name = "sale.order.reopen.lines.wizard"
    _description = "Reopen Closed Order Lines"

    order_id = fields.Many2one("sale.order", required=True, readonly=True)
    line_ids = fields.Many2many(
        "sale.order.line",
        string="Lines to Reopen",
        domain="[('order_id', '=', order_id), ('is_closed', '=', True)]",
        compute="_compute_line_ids",
        store=True,
        readonly=False,
        precompute=True,
    )
    note = fields.Text(required=True)

    @api.depends("order_id")
    def _compute_line_ids(self):
        """Every closed line by default: lines closed together are reopened together."""
        for wizard in self:
            wizard.line_ids = wizard.order_id.order_line.filtered("is_closed")

    def action_reopen_lines(self):
        """Delegate to `sale.order.reopen_lines`, which checks the rights and the lines."""
        self.ensure_one()
        self.order_id.reopen_lines(self.line_ids.ids, self.note)
        return {"type": "ir.actions.act_window_close"}
