from odoo import api, fields, models


class SaleOrderHoldWizard(models.TransientModel):
    _name = "sale.order.hold.wizard"
    _description = "Put an Order on Hold"

    order_id = fields.Many2one("sale.order", required=True, readonly=True)
    allowed_reason_ids = fields.Many2many("sale.hold.reason", compute="_compute_allowed_reason_ids")
    reason_id = fields.Many2one(
        "sale.hold.reason", required=True, domain="[('id', 'in', allowed_reason_ids)]"
    )
    blocks = fields.Selection(related="reason_id.blocks")
    note = fields.Text()

    @api.depends("order_id")
    @api.depends_context("uid")
    def _compute_allowed_reason_ids(self):
        """The reasons of the order's company the current user may place (`_may_hold`)."""
        for wizard in self:
            reasons = self.env["sale.hold.reason"].search(
                [("company_id", "in", [False, wizard.order_id.company_id.id])]
            )
            wizard.allowed_reason_ids = reasons.filtered(lambda r: r._may_hold(self.env.user))

    def action_place_hold(self):
        """Delegate to `sale.order.place_hold`, which checks the rights and the order."""
        self.ensure_one()
        self.order_id.place_hold(self.reason_id, self.note)
        return {"type": "ir.actions.act_window_close"}
