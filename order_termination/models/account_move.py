from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"

    def _post(self, soft=True):
        """Customer invoices of an order on hold or closed are not posted."""
        invoices = self.filtered(lambda m: m.is_sale_document(include_receipts=True))
        # Accountants may not read sales orders: found as superuser, only to be checked.
        orders = invoices.line_ids.sale_line_ids.order_id.sudo()
        orders._check_order_editable("post_invoice")
        return super()._post(soft=soft)
