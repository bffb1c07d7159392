from odoo import models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def _demo_settle(self, deliver=True, invoice=True, pay=True):
        """Give demo orders a history through the documents' own flows: validate their
        deliveries in full, post their invoice and register its payment.

        Only the demo data calls it (private: never an RPC endpoint). Real documents, not faked
        states, so that cancelling, revoking and closing the demo orders meets what a user's
        orders meet.
        """
        for order in self:
            if deliver:
                pickings = order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
                for move in pickings.move_ids.filtered(lambda m: m.state != "cancel"):
                    move.quantity = move.product_uom_qty
                    move.picked = True
                pickings.with_context(skip_backorder=True).button_validate()
            if not invoice:
                continue
            moves = order._create_invoices()
            moves.action_post()
            if pay:
                self.env["account.payment.register"].with_context(
                    active_model="account.move", active_ids=moves.ids
                ).create({})._create_payments()
        return True
