from odoo import fields, models


class SaleOrderCancelImpact(models.TransientModel):
    """Preview lines of the purchase effects of a cancellation (`sale_order_cancel_purchase`)."""

    _inherit = "sale.order.cancel.impact"

    action = fields.Selection(
        selection_add=[
            ("cancel_purchase", "Cancel purchase"),
            ("reduce_purchase", "Reduce purchase"),
        ],
        ondelete={"cancel_purchase": "cascade", "reduce_purchase": "cascade"},
    )


class SaleMassCancelOrders(models.TransientModel):
    _inherit = "sale.mass.cancel.orders"

    def _get_result_lines(self, cancellation):
        """What the cancellation did to the purchases, from its ledger, as previewed."""
        lines = super()._get_result_lines(cancellation)
        # Salesmen may not read purchase documents (odoo/odoo#121079): the names and
        # quantities of what the user's cancellation just did are read as superuser, only read.
        effects = cancellation.sudo().purchase_effect_ids
        order = cancellation.order_id
        actions = {"cancel": "cancel_purchase", "reduce": "reduce_purchase"}
        for effect in effects:
            if effect.action == "notify":
                lines.append(order._impact_line("notify_purchase", effect.purchase_id))
                continue
            line = order._impact_line(
                actions[effect.action],
                effect.purchase_id,
                effect.previous_qty - effect.new_qty,
            )
            line["name"] = self.env._(
                "%(purchase)s: %(product)s",
                purchase=effect.purchase_name,
                product=effect.product_id.display_name,
            )
            lines.append(line)
        return lines
