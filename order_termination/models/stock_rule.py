from odoo import api, models
from odoo.tools import float_compare

from odoo.addons.order_revoke_cancel.tools.call_scope import get_call_scope

from .sale_order_cancel_purchase import LINE_CANCEL_NO_BUY_SCOPE


class StockRuleLineCancel(models.Model):
    _inherit = "stock.rule"

    @api.model
    def _run_buy(self, procurements):
        """While procurement follows a cancellation of lines whose purchase effects are applied
        (`sale.order._replan_line_cancel`), the negative procurements of the cancelled
        quantities buy nothing less: the effects already took those quantities off the
        purchases that bought them (Odoo would lower whatever request for quotation of the
        vendor it finds, maybe another order's). Anything else is bought as usual."""
        if get_call_scope(self.env, LINE_CANCEL_NO_BUY_SCOPE):
            procurements = [
                (procurement, rule)
                for procurement, rule in procurements
                if float_compare(
                    procurement.product_qty,
                    0.0,
                    precision_rounding=procurement.product_uom.rounding or 0.01,
                )
                > 0
            ]
            if not procurements:
                return None
        return super()._run_buy(procurements)
