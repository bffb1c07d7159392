from odoo import Command, api, fields, models

IMPACT_ACTIONS = [
    ("cancel_picking", "Cancel delivery"),
    ("reduce_picking", "Reduce delivery"),
    ("return_picking", "Return goods"),
    ("cancel_invoice", "Cancel draft invoice"),
    ("credit_note", "Credit note"),
    ("refund_payment", "Refund payment"),
    ("refund_transaction", "Refund through the payment provider"),
    ("void_transaction", "Void the payment authorization"),
    ("customer_credit", "Keep as customer credit"),
    ("reverse_writeoff", "Reverse early-payment discount or write-off"),
    ("fee_invoice", "Cancellation fee invoice"),
    ("notify_purchase", "Notify purchase"),
    ("cancel_return", "Cancel return"),
    ("new_delivery", "New delivery"),
    ("restore_invoice", "Invoice back to draft"),
    ("reverse_credit_note", "Reverse credit note"),
    ("reconcile_payment", "Refunded amount due again"),
    ("credit_fee_invoice", "Credit the fee invoice"),
    ("order_cancelled", "Order cancelled"),
    ("refused", "Not cancelled"),
]


class SaleOrderCancelImpact(models.TransientModel):
    """One line of a cancel or revoke preview: a document and what will happen to it."""

    _name = "sale.order.cancel.impact"
    _description = "Cancellation Impact Line"

    wizard_id = fields.Many2one("sale.order.cancel", ondelete="cascade")
    revoke_wizard_id = fields.Many2one("sale.order.revoke.cancel", ondelete="cascade")
    cancel_lines_wizard_id = fields.Many2one("sale.order.cancel.lines", ondelete="cascade")
    # Mass cancel: the preview of every order, then what was made per order.
    mass_cancel_id = fields.Many2one("sale.mass.cancel.orders", ondelete="cascade")
    mass_result_id = fields.Many2one("sale.mass.cancel.orders", ondelete="cascade")
    order_id = fields.Many2one("sale.order", ondelete="cascade")
    note = fields.Char("Why Not")
    action = fields.Selection(IMPACT_ACTIONS, required=True)
    res_model = fields.Char()
    res_id = fields.Many2oneReference(model_field="res_model")
    name = fields.Char("Document")
    quantity = fields.Float(digits="Product Unit of Measure")
    amount = fields.Float()

    @api.model
    def _impact_commands(self, impact, order=None):
        """One2many commands building the preview lines from `get_*_impact()` dicts, of
        `order` when given (the mass cancel's lines name their order)."""
        return [Command.clear()] + [
            Command.create(self._prepare_impact_vals(line, order)) for line in impact
        ]

    @api.model
    def _prepare_impact_vals(self, line, order=None):
        return {
            "action": line["action"],
            "res_model": line["model"],
            "res_id": line["res_id"],
            "name": line["name"],
            "quantity": line["quantity"] or 0.0,
            "amount": line["amount"] or 0.0,
            "order_id": order.id if order else False,
            "note": line.get("note") or False,
        }

    def action_open_document(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self.res_model,
            "res_id": self.res_id,
            "view_mode": "form",
            "target": "current",
        }
