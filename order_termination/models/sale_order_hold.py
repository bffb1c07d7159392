"""The hold and closed-order guard: an order under a pending termination request is on hold, and
a closed order is locked; both refuse modification, confirmation, cancellation, invoicing,
posting invoices, validating deliveries and closing (`_check_order_editable`). An order put on
hold by hand for a `sale.hold.reason` (`place_hold` / `release_hold`, in
`sale_order_manual_hold.py`) refuses what its reason blocks through the same predicate; the two
holds are independent of each other.

Apart because every other concern relies on it, and the deliveries and invoices
(`stock_picking`, `account_move`) call the same predicate.
"""

from odoo import api, models
from odoo.exceptions import UserError

from odoo.addons.order_revoke_cancel.tools.call_scope import (
    call_scope,
    get_call_scope,
)

from .sale_order import REOPEN_SCOPE
from .sale_order_manual_hold import HOLD_FIELDS

# Call scope (never a context key) naming the orders whose cancellation, revoke or short close
# runs now: that operation was admitted by the guard, so the documents it makes itself (credit
# notes, fee invoice, invoices undoing credit notes) are posted under a hold placed by hand
# for invoicing; a termination hold or a closed order still refuses them.
HOLD_ENGINE_SCOPE = "order_termination_hold_engine"


class SaleOrderHold(models.Model):
    _inherit = "sale.order"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    @api.depends(
        "state",
        "locked",
        "picking_ids.state",
        "invoice_ids.state",
        "is_closed",
        "termination_request_ids.state",
        "hold_reason_id.blocks",
    )
    @api.depends_context("uid")
    def _compute_can_cancel_order(self):
        """Closed orders and orders on hold refuse cancellation: see `_get_cancel_error`."""
        return super()._compute_can_cancel_order()

    @api.depends("hold_reason_id.blocks")
    @api.depends_context("uid")
    def _compute_can_revoke_cancel(self):
        """A hold placed by hand for everything refuses revoke: see
        `_get_revoke_cancel_error`."""
        return super()._compute_can_revoke_cancel()

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    def write(self, vals):
        if set(vals) - self._get_hold_free_fields():
            self._check_order_editable("modify")
        return super().write(vals)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_confirm(self):
        self._check_order_editable("confirm")
        return super().action_confirm()

    def _action_cancel(self):
        self._check_order_editable("cancel")
        with self._hold_engine_scope():
            return super()._action_cancel()

    @api.returns("sale.order.cancellation")
    def revoke_cancel(self, note=None):
        with self._hold_engine_scope():
            return super().revoke_cancel(note)

    def _revoke_cancellations(self, cancellations, note):
        with self._hold_engine_scope():
            return super()._revoke_cancellations(cancellations, note)

    def _cancel_lines(self, quantities, reason, note, receive_returns, refund_payments, fee=None):
        """Cancelling lines changes the order: refused on hold or closed, as a cancellation."""
        self._check_order_editable("cancel")
        with self._hold_engine_scope():
            return super()._cancel_lines(
                quantities, reason, note, receive_returns, refund_payments, fee
            )

    def _create_invoices(self, grouped=False, final=False, date=None):
        self._check_order_editable("invoice")
        return super()._create_invoices(grouped=grouped, final=final, date=date)

    def _check_cancel_with_reversal(self, reason, note):
        """Refuse closed orders and orders on hold first, with the cancel's own message: a
        closed order is locked, and unlocking it would be refused as a modification."""
        self._check_order_editable("cancel")
        return super()._check_cancel_with_reversal(reason, note)

    # ------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------
    def _check_order_editable(self, action):
        """Refuse `action` on orders on hold (pending termination request, or a hold placed
        by hand whose reason blocks `action`) or closed.

        `action` is one of: modify, confirm, cancel, invoice, post_invoice, deliver (validate
        a delivery), return (validate a return), close.
        Decided from the orders themselves: the request being executed is already done when
        the termination changes the order, and reopen() names the orders it writes in a call
        scope; no context key lets anything through.
        """
        message = self._get_order_editable_error(action)
        if message:
            raise UserError(message)

    def _get_order_editable_error(self, action):
        """Why `_check_order_editable(action)` refuses these orders (the first one's message),
        or False: a pure predicate, also behind the buttons and the delivery's hold banner."""
        # The guard reads the order's hold and close state whoever acts (a warehouse user
        # validating a delivery may not read sales orders): read-only, as superuser.
        for order in self.sudo():
            if order.termination_state == "pending":
                return order._get_hold_message(action)
            if order.is_closed and order.id not in get_call_scope(self.env, REOPEN_SCOPE, ()):
                return order._get_closed_message(action)
            reason = order.hold_reason_id
            if (
                reason
                and action in reason._get_blocked_actions(reason.blocks)
                and order.id not in get_call_scope(self.env, HOLD_ENGINE_SCOPE, ())
            ):
                return order._get_manual_hold_message(action)
        return False

    def _hold_engine_scope(self):
        """Open `HOLD_ENGINE_SCOPE` on these orders (nested scopes add up)."""
        running = get_call_scope(self.env, HOLD_ENGINE_SCOPE, frozenset())
        return call_scope(self.env, HOLD_ENGINE_SCOPE, running | frozenset(self.ids))

    def _get_hold_message(self, action):
        """One full sentence per refused action on an order on hold."""
        self.ensure_one()
        action = "deliver" if action == "return" else action
        order, request = self.name, self.pending_termination_id.name
        messages = {
            "modify": self.env._(
                "%(order)s cannot be modified while the termination request %(request)s holds "
                "it: wait until the request is decided or withdrawn.",
                order=order,
                request=request,
            ),
            "confirm": self.env._(
                "%(order)s cannot be confirmed while the termination request %(request)s holds "
                "it: wait until the request is decided or withdrawn.",
                order=order,
                request=request,
            ),
            "cancel": self.env._(
                "%(order)s cannot be cancelled while the termination request %(request)s holds "
                "it: decide or withdraw the request instead.",
                order=order,
                request=request,
            ),
            "invoice": self.env._(
                "%(order)s cannot be invoiced while the termination request %(request)s holds "
                "it: wait until the request is decided or withdrawn.",
                order=order,
                request=request,
            ),
            "post_invoice": self.env._(
                "No invoice of %(order)s can be posted while the termination request "
                "%(request)s holds the order: wait until the request is decided or withdrawn.",
                order=order,
                request=request,
            ),
            "deliver": self.env._(
                "No delivery of %(order)s can be validated while the termination request "
                "%(request)s holds the order: wait until the request is decided or withdrawn.",
                order=order,
                request=request,
            ),
            "close": self.env._(
                "%(order)s cannot be closed while the termination request %(request)s holds "
                "it: wait until the request is decided or withdrawn.",
                order=order,
                request=request,
            ),
        }
        return messages[action]

    def _get_closed_message(self, action):
        """One full sentence per refused action on a closed order."""
        self.ensure_one()
        action = "deliver" if action == "return" else action
        messages = {
            "modify": self.env._(
                "%s is closed and cannot be modified until a termination manager reopens it.",
                self.name,
            ),
            "confirm": self.env._(
                "%s is closed and cannot be confirmed again until a termination manager "
                "reopens it.",
                self.name,
            ),
            "cancel": self.env._(
                "%s is closed and cannot be cancelled until a termination manager reopens it.",
                self.name,
            ),
            "invoice": self.env._(
                "%s is closed and cannot be invoiced until a termination manager reopens it.",
                self.name,
            ),
            "post_invoice": self.env._(
                "No invoice of %s can be posted while the order is closed, until a "
                "termination manager reopens it.",
                self.name,
            ),
            "deliver": self.env._(
                "No delivery or return of %s can be validated while the order is closed, "
                "until a termination manager reopens it.",
                self.name,
            ),
            "close": self.env._("%s is already closed.", self.name),
        }
        return messages[action]

    @api.model
    def _get_hold_free_fields(self):
        """Fields that may change while an order is on hold or closed (technical or written
        by the termination and close machinery itself)."""
        return {
            "message_main_attachment_id",
            "access_token",
            "termination_request_ids",
            "activity_ids",
            "message_follower_ids",
            "message_ids",
            # State fields of the hold placed by hand: only place_hold and release_hold
            # write them (state scope), on held and closed orders too.
            *HOLD_FIELDS,
        }

    def _get_revoke_cancel_error(self, cancellation=None):
        """Extend: revoking writes the order, which a hold placed by hand for everything
        refuses."""
        error = super()._get_revoke_cancel_error(cancellation)
        if error:
            return error
        reason = self.sudo().hold_reason_id
        if reason and "modify" in reason._get_blocked_actions(reason.blocks):
            return UserError(self._get_manual_hold_message("modify"))
        return False

    def _get_cancel_error(self, receive_returns=False, refund_payments=False):
        """Extend order_revoke_cancel: closed orders and orders on hold refuse cancellation
        (`_action_cancel` runs the same `_get_order_editable_error`)."""
        message = self._get_order_editable_error("cancel")
        if message:
            return UserError(message)
        return super()._get_cancel_error(receive_returns, refund_payments)
