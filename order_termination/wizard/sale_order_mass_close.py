from odoo import Command, api, fields, models


class SaleOrderMassClose(models.TransientModel):
    _name = "sale.order.mass.close"
    _description = "Close Several Orders"

    order_ids = fields.Many2many("sale.order", string="Orders")
    reason_id = fields.Many2one("sale.close.reason")
    note = fields.Text()
    done = fields.Boolean(readonly=True)
    result_ids = fields.One2many("sale.order.mass.close.result", "wizard_id", readonly=True)
    closed_count = fields.Integer(compute="_compute_counts")
    skipped_count = fields.Integer(compute="_compute_counts")

    @api.model
    def default_get(self, fields_list):
        res = super().default_get(fields_list)
        if self.env.context.get("active_model") == "sale.order" and "order_ids" in fields_list:
            res["order_ids"] = [Command.set(self.env.context.get("active_ids", []))]
        return res

    @api.depends("result_ids.closed")
    def _compute_counts(self):
        for wizard in self:
            wizard.closed_count = len(wizard.result_ids.filtered("closed"))
            wizard.skipped_count = len(wizard.result_ids) - wizard.closed_count

    def action_close(self):
        """Close each order in its own savepoint (`sale.order._try_close`); one refused order
        is reported and left untouched while the others are closed. Above the company's
        background threshold, a `sale.order.batch` does the same in the background."""
        self.ensure_one()
        Batch = self.env["sale.order.batch"]
        if Batch._runs_in_background(self.order_ids):
            return Batch._create_batch(
                "close",
                self.order_ids,
                close_reason_id=self.reason_id.id,
                note=self.note or False,
            ).action_open()
        results = []
        for order in self.order_ids:
            error = order._try_close(self.reason_id, self.note)
            results.append(self._prepare_result_vals(order, error))
        self.write({"done": True, "result_ids": [Command.create(vals) for vals in results]})
        return {
            "name": self.env._("Close Orders"),
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    def _prepare_result_vals(self, order, error):
        return {
            "order_id": order.id,
            "closed": not error,
            "message": error or self.env._("Closed."),
        }
