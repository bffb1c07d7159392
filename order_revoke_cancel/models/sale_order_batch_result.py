from odoo import fields, models


class SaleOrderBatchResult(models.Model):
    """What a batch did to one order: written once, by the batch, with the order's work."""

    _name = "sale.order.batch.result"
    _description = "Sales Order Batch Result"
    _order = "batch_id, id"

    batch_id = fields.Many2one(
        "sale.order.batch", required=True, ondelete="cascade", index=True, readonly=True
    )
    company_id = fields.Many2one(related="batch_id.company_id", store=True)
    order_id = fields.Many2one("sale.order", readonly=True, index=True)
    outcome = fields.Selection(
        [("done", "Done"), ("skipped", "Skipped"), ("failed", "Failed")],
        required=True,
        readonly=True,
    )
    message = fields.Html(readonly=True)
    cancellation_ids = fields.Many2many(
        "sale.order.cancellation",
        "sale_order_batch_result_cancellation_rel",
        "result_id",
        "cancellation_id",
        string="Cancellations",
        readonly=True,
        help="The cancellation records the operation made or revoked: their documents.",
    )

    _sql_constraints = [
        (
            "order_once",
            "UNIQUE(batch_id, order_id)",
            "A batch works on each of its orders once.",
        ),
    ]

    def action_open_order(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "sale.order",
            "res_id": self.order_id.id,
            "view_mode": "form",
        }
