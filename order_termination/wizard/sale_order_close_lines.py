from odoo import api, fields, models


class SaleOrderCloseLinesWizard(models.TransientModel):
    _name = "sale.order.close.lines.wizard"
    _description = "Close Order Lines"

    order_id = fields.Many2one("sale.order", required=True, readonly=True)
    line_ids = fields.Many2many(
        "sale.order.line",
        string="Lines to Close",
        domain="[('order_id', '=', order_id), ('is_closed', '=', False), "
        "('display_type', '=', False), ('is_downpayment', '=', False)]",
    )
    reason_id = fields.Many2one("sale.close.reason", required=True)
    note = fields.Text()
    refund_payments = fields.Boolean(
        help="Money already received for what is credited is paid back to the customer "
        "instead of staying as credit."
    )
    impact_html = fields.Html(compute="_compute_impact_html", sanitize=False)

    @api.depends("order_id", "line_ids", "refund_payments")
    def _compute_impact_html(self):
        """The preview of `sale.order.get_close_lines_impact`, from the plan `close_lines`
        applies."""
        for wizard in self:
            order = wizard.order_id
            wizard.impact_html = (
                order._get_close_lines_impact_html(
                    wizard.line_ids._origin, refund_payments=wizard.refund_payments
                )
                if order
                else False
            )

    def action_close_lines(self):
        """Delegate to `sale.order.close_lines`, which checks the rights and the lines."""
        self.ensure_one()
        self.order_id.close_lines(
            self.line_ids.ids,
            self.reason_id,
            note=self.note,
            refund_payments=self.refund_payments,
        )
        return {"type": "ir.actions.act_window_close"}
