from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"

    def _post(self, soft=True):
        """Customer invoices of an order on hold or closed are not posted."""
        invoices = self.filtered(lambda m: m.is_sale_document(include_receipts=True))
        orders = invoices.line_ids.sale_line_ids.order_id.sudo()
        orders._check_termination_hold(self.env._("post an invoice of"))
        orders.filtered(lambda o: o.state == "sale")._check_not_closed(self.env._("invoice"))
        return super()._post(soft=soft)
