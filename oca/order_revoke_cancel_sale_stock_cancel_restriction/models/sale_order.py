from odoo import models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def action_cancel(self):
        """OCA's sale_stock_cancel_restriction refuses to cancel an order with done deliveries
        because a plain cancel leaves them done. When the Cancel button opens the cancel wizard
        of order_revoke_cancel, that wizard only cancels with reversal, which returns those
        deliveries: the restriction's concern is met, so the restriction does not see them while
        the wizard is being opened. Nothing is written here; the wizard checks the user's rights
        when it cancels. A cancel without the wizard keeps the restriction."""
        if not (len(self) == 1 and self._show_cancel_wizard()):
            return super().action_cancel()
        pending = self.picking_ids.filtered(lambda p: p.state != "done")
        # Cache only, for the time the wizard action is built (core does not read the
        # pickings on this path); invalidated right after.
        self.env.cache.set(self, self._fields["picking_ids"], tuple(pending.ids))
        try:
            return super().action_cancel()
        finally:
            self.invalidate_recordset(["picking_ids"])
