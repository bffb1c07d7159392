from markupsafe import Markup

from odoo import fields, models
from odoo.exceptions import AccessError, UserError


class SaleMassCancelOrders(models.TransientModel):
    _inherit = "sale.mass.cancel.orders"

    cancel_reason_id = fields.Many2one(
        "sale.order.cancel.reason", "Cancellation Reason", required=True
    )
    cancel_note = fields.Text("Note")
    result = fields.Html(readonly=True)

    def action_mass_cancel(self):
        """Replace the native mass cancel: one savepoint per order, and a report of each."""
        self.ensure_one()
        done, failed = [], []
        for order in self.sale_order_ids:
            if order.state == "cancel":
                failed.append((order, self.env._("%s is already cancelled.", order.name)))
                continue
            try:
                with self.env.cr.savepoint():
                    order.cancel_with_reversal(self.cancel_reason_id, note=self.cancel_note)
                done.append(order)
            except (UserError, AccessError) as error:
                failed.append((order, error.args[0]))
        self.result = self._render_result(done, failed)
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Cancellation Result"),
        }

    def _render_result(self, done, failed):
        rows = Markup()
        for order in done:
            rows += Markup("<li>%s</li>") % self.env._("%s was cancelled.", order.name)
        for order, why in failed:
            rows += Markup("<li><b>%s</b> %s</li>") % (
                self.env._("%s was not cancelled.", order.name),
                why,
            )
        return Markup("<ul>%s</ul>") % rows
