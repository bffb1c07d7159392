from odoo import fields, models


class SaleOrderBatch(models.Model):
    """Closing in the background: the `close` operation of `sale.order.batch` (mass close and
    the auto-close above the company's threshold), one order at a time through `_try_close`,
    the step the synchronous mass close and auto-close use too."""

    _inherit = "sale.order.batch"

    operation = fields.Selection(selection_add=[("close", "Close")], ondelete={"close": "cascade"})
    close_reason_id = fields.Many2one("sale.close.reason", readonly=True)

    def _get_operation_handlers(self):
        return {**super()._get_operation_handlers(), "close": self._run_close}

    def _run_close(self, order):
        if order.sudo().is_closed:
            return "skipped", self.env._("%s was already closed.", order.sudo().name), None
        error = order._try_close(self.close_reason_id, self.note or None)
        if error:
            return "failed", error, None
        return "done", self.env._("%s was closed.", order.sudo().name), None
