"""The sales order as termination and closing see it: the fields every concern reads (the
order's requests, its termination state, the pending request, whether it is closed), the
delete guard, and the helpers the concerns share.

The order's termination behaviour is split by concern into the `sale_order_*.py` files of
this folder, each a `sale.order` extension: requesting a termination
(`sale_order_termination`), the customer's self-service (`sale_order_portal`), the hold and
closed-order guard (`sale_order_hold`), the close checklist (`sale_order_close_checklist`),
close, short close and reopen (`sale_order_close`), the automatic close
(`sale_order_auto_close`) and the termination's impact in words (`sale_order_impact`).
The split is deliberate, so pylint-odoo's `consider-merging-classes-inherited` is disabled on
these classes.
"""

from odoo import api, fields, models
from odoo.exceptions import UserError

# Call scope (not a context key, which any RPC client sets) naming the orders reopen() is
# writing: the only write a closed order lets through. Here because two concerns share it:
# `sale_order_close` (reopen) opens it, `sale_order_hold` (the guard) reads it.
REOPEN_SCOPE = "order_termination_reopen"


class SaleOrder(models.Model):
    _inherit = "sale.order"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    termination_request_ids = fields.One2many(
        "sale.termination.request", "order_id", string="Termination Requests", readonly=True
    )
    termination_state = fields.Selection(
        [("pending", "Termination Pending"), ("terminated", "Terminated")],
        compute="_compute_termination_state",
        store=True,
        index=True,
    )
    pending_termination_id = fields.Many2one(
        "sale.termination.request", compute="_compute_pending_termination_id"
    )
    is_closed = fields.Boolean("Closed", readonly=True, copy=False, tracking=True, index=True)

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    @api.depends("state", "termination_request_ids.state")
    def _compute_termination_state(self):
        for order in self:
            requests = order.termination_request_ids
            pending = requests.filtered(lambda r: r.state in ("to_approve", "to_confirm"))
            if pending:
                order.termination_state = "pending"
            elif order.state == "cancel" and "done" in requests.mapped("state"):
                order.termination_state = "terminated"
            else:
                order.termination_state = False

    @api.depends("termination_request_ids.state")
    def _compute_pending_termination_id(self):
        for order in self:
            order.pending_termination_id = order.termination_request_ids.filtered(
                lambda r: r.state in ("to_approve", "to_confirm")
            )[:1]

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.ondelete(at_uninstall=False)
    def _unlink_except_termination_request(self):
        """A termination request is the record of a decision on the order: the order that
        carries one is kept with it."""
        for order in self.sudo().filtered("termination_request_ids"):
            raise UserError(
                self.env._(
                    "%s cannot be deleted: it carries termination requests, the record of "
                    "decisions on it, so keep the order instead.",
                    order.name,
                )
            )

    # ------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------
    @api.model
    def _get_state_field_methods(self):
        """Extend order_revoke_cancel: the close and termination records of the order."""
        methods = super()._get_state_field_methods()
        close = ("close", "reopen")
        methods.update(
            dict.fromkeys(
                (
                    "is_closed",
                    "close_reason_id",
                    "close_note",
                    "close_date",
                    "close_user_id",
                    "close_forced",
                    "close_previous_locked",
                    "close_cancelled_picking_ids",
                    "close_credit_note_ids",
                    "close_return_picking_ids",
                    "close_refund_payment_ids",
                ),
                close,
            )
        )
        termination = ("request_termination",)
        methods.update(dict.fromkeys(("termination_request_ids", "termination_state"), termination))
        return methods

    def _open_wizard(self, model, title, context=None):
        return {
            "name": title,
            "type": "ir.actions.act_window",
            "res_model": model,
            "view_mode": "form",
            "target": "new",
            "context": {"default_order_id": self.id, **(context or {})},
        }
