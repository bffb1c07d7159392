from odoo import models


class StockPicking(models.Model):
    _inherit = "stock.picking"

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
