from odoo import models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def _get_termination_orders(self):
        """Sale orders whose hold or closed state governs these pickings: their deliveries
        and returns, not the receipts of purchases made for them."""
        outgoing = self.filtered(lambda p: p.picking_type_code != "incoming")
        return (outgoing.sale_id | self.move_ids.sale_line_id.order_id).sudo()

    def _check_order_termination_guards(self):
        orders = self._get_termination_orders()
        orders._check_termination_hold(self.env._("validate a delivery of"))
        orders._check_not_closed(self.env._("deliver"))

    def button_validate(self):
        self._check_order_termination_guards()
        return super().button_validate()

    def _action_done(self):
        self._check_order_termination_guards()
        return super()._action_done()
