from odoo import models


class SaleAdvancePaymentInv(models.TransientModel):
    _inherit = "sale.advance.payment.inv"

    def _create_invoices(self, sale_orders):
        """Down payment invoices are created without `sale.order._create_invoices`: orders on
        hold or closed refuse them through the same predicate."""
        sale_orders._check_order_editable("invoice")
        return super()._create_invoices(sale_orders)
