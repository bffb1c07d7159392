from odoo import api, fields, models

from ..tools import format_quantity


class SaleOrderRevokeCancel(models.TransientModel):
    _name = "sale.order.revoke.cancel"
    _description = "Revoke a Sales Order Cancellation"

    order_id = fields.Many2one("sale.order", required=True, ondelete="cascade")
    cancellation_id = fields.Many2one("sale.order.cancellation", compute="_compute_cancellation_id")
    note = fields.Text()
    redelivery_summary = fields.Text(
        "Still to Deliver",
        compute="_compute_redelivery_summary",
        help="What the revoke delivers again, per product; until it is delivered the order "
        "bills nothing more and credits nothing.",
    )
    rebills = fields.Boolean(
        compute="_compute_redelivery_summary",
        help="The revoke bills again what the cancellation credited or cancelled.",
    )
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
    def _compute_redelivery_summary(self):
        for wizard in self:
            cancellation = wizard.order_id._get_last_cancellation()
            quantities = cancellation._get_qty_to_redeliver() if cancellation else {}
            # The sentence on invoices only where the cancellation undid some.
            wizard.rebills = bool(
                cancellation.credit_note_ids or cancellation.cancelled_invoice_ids
            )
            wizard.redelivery_summary = "\n".join(
                self.env._(
                    "%(product)s: %(qty)s %(uom)s to deliver again",
                    product=line.product_id.display_name,
                    qty=format_quantity(self.env, qty, line.product_uom),
                    uom=line.product_uom.name,
                )
                for line, qty in quantities.items()
            )

    @api.depends("order_id")
    def _compute_impact_line_ids(self):
        Impact = self.env["sale.order.cancel.impact"]
        for wizard in self:
            wizard.impact_line_ids = Impact._impact_commands(wizard.order_id.get_revoke_impact())

    def action_revoke(self):
        self.ensure_one()
        self.order_id.revoke_cancel(note=self.note)
        return {"type": "ir.actions.act_window_close"}
