from odoo import api, fields, models
from odoo.tools import float_is_zero, float_round

from ..tools import format_quantity


class SaleOrderRevokeCancel(models.TransientModel):
    _name = "sale.order.revoke.cancel"
    _description = "Revoke a Sales Order Cancellation"

    order_id = fields.Many2one("sale.order", required=True, ondelete="cascade")
    # The order's last cancellation, or the one opened from its own form.
    cancellation_id = fields.Many2one(
        "sale.order.cancellation",
        compute="_compute_cancellation_id",
        store=True,
        readonly=True,
        precompute=True,
    )
    note = fields.Text()
    redelivery_summary = fields.Text(
        "Still to Deliver",
        compute="_compute_redelivery_summary",
        help="What the revoke delivers, per product: again what came back through a return, "
        "and what was never delivered; until it is delivered the order bills nothing more and "
        "credits nothing.",
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
            if not wizard.cancellation_id or wizard.cancellation_id.order_id != wizard.order_id:
                wizard.cancellation_id = wizard.order_id._get_last_cancellation()

    @api.depends("cancellation_id")
    def _compute_redelivery_summary(self):
        for wizard in self:
            cancellation = wizard.cancellation_id
            quantities = cancellation._get_qty_to_redeliver() if cancellation else {}
            # The sentence on invoices only where the cancellation undid some.
            wizard.rebills = bool(
                cancellation.credit_note_ids or cancellation.cancelled_invoice_ids
            )
            wizard.redelivery_summary = "\n".join(
                wizard._redelivery_sentence(line, qty, cancellation)
                for line, qty in quantities.items()
            )

    def _redelivery_sentence(self, line, qty, cancellation):
        """What the revoke delivers of `line`: again what came back through a return (delivered
        before the cancellation, no longer delivered now), and simply what was never delivered."""
        delivered_before = sum(
            cancellation.line_ids.filtered(lambda s: s.sale_line_id == line).mapped("qty_delivered")
        )
        rounding = line.product_uom.rounding
        again = float_round(
            min(qty, max(0.0, delivered_before - line._get_qty_delivered_in_force())),
            precision_rounding=rounding,
        )
        first = float_round(qty - again, precision_rounding=rounding)
        values = {
            "product": line.product_id.display_name,
            "uom": line.product_uom.name,
            "again": format_quantity(self.env, again, line.product_uom),
            "qty": format_quantity(self.env, first, line.product_uom),
        }
        if float_is_zero(first, precision_rounding=rounding):
            return self.env._(
                "%(product)s: %(qty)s %(uom)s to deliver again", **dict(values, qty=values["again"])
            )
        if float_is_zero(again, precision_rounding=rounding):
            return self.env._("%(product)s: %(qty)s %(uom)s to deliver", **values)
        return self.env._(
            "%(product)s: %(again)s %(uom)s to deliver again, %(qty)s %(uom)s to deliver",
            **values,
        )

    @api.depends("cancellation_id")
    def _compute_impact_line_ids(self):
        Impact = self.env["sale.order.cancel.impact"]
        for wizard in self:
            impact = (
                wizard.cancellation_id._get_revoke_impact()
                if wizard.cancellation_id
                else wizard.order_id.get_revoke_impact()
            )
            wizard.impact_line_ids = Impact._impact_commands(impact)

    def action_revoke(self):
        """Revoke through the engine, which checks everything again: the chosen cancellation,
        or the order's (one cancelled before the addon has no ledger)."""
        self.ensure_one()
        if self.cancellation_id:
            self.cancellation_id.revoke(note=self.note)
        else:
            self.order_id.revoke_cancel(note=self.note)
        return {"type": "ir.actions.act_window_close"}
