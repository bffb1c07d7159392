from odoo import api, fields, models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    termination_block_message = fields.Char(
        compute="_compute_termination_block_message",
        help="Why this transfer cannot be validated: its sales order is on hold under a "
        "termination request, or closed.",
    )

    @api.depends("state", "sale_id.termination_state", "sale_id.is_closed")
    @api.depends_context("lang")
    def _compute_termination_block_message(self):
        """The refusal `button_validate` would raise (`_get_order_editable_error`), shown as the
        transfer's banner; Validate is hidden where it is set."""
        for picking in self:
            picking.termination_block_message = picking.state not in (
                "done",
                "cancel",
            ) and picking._get_termination_orders()._get_order_editable_error("deliver")

    def _get_termination_orders(self):
        """Sale orders whose hold or closed state governs these pickings: their deliveries
        and returns, not the receipts of purchases made for them."""
        outgoing = self.filtered(lambda p: p.picking_type_code != "incoming")
        # Warehouse users may not read sales orders: found as superuser, only to be checked.
        return (outgoing.sale_id | self.move_ids.sale_line_id.order_id).sudo()

    def button_validate(self):
        self._get_termination_orders()._check_order_editable("deliver")
        return super().button_validate()

    def _action_done(self):
        self._get_termination_orders()._check_order_editable("deliver")
        return super()._action_done()
