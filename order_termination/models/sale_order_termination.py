"""Termination requests from the order: `request_termination` and its checks, the order form's
termination flags, banner and buttons, and the revoke of a terminated order.

Apart from the request's own workflow (`sale_termination_request*.py`): this is what the order
offers and refuses; the request then carries the decision.
"""

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError

from odoo.addons.order_revoke_cancel.tools import (
    check_bool,
    check_text,
    lock_for_update,
    resolve_record,
)

from .sale_termination_request import ACTIVE_STATES


class SaleOrderTermination(models.Model):
    _inherit = "sale.order"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    termination_request_count = fields.Integer(compute="_compute_termination_request_count")
    termination_can_review = fields.Boolean(compute="_compute_termination_can_review")
    termination_can_withdraw = fields.Boolean(compute="_compute_termination_can_withdraw")
    termination_banner = fields.Char(compute="_compute_termination_banner")
    can_request_termination = fields.Boolean(
        compute="_compute_can_request_termination",
        help="Whether `request_termination` may be asked for the order by the current user.",
    )

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    @api.depends("termination_request_ids")
    def _compute_termination_request_count(self):
        for order in self:
            order.termination_request_count = len(order.termination_request_ids)

    @api.depends_context("uid")
    @api.depends("termination_request_ids.state", "termination_request_ids.approval_ids.state")
    def _compute_termination_can_review(self):
        for order in self:
            order.termination_can_review = order.pending_termination_id.can_review

    @api.depends_context("uid")
    @api.depends("termination_request_ids.state", "termination_request_ids.user_id")
    def _compute_termination_can_withdraw(self):
        """The check of `action_withdraw` (`_is_requester_or_manager`)."""
        for order in self:
            request = order.sudo().pending_termination_id
            order.termination_can_withdraw = bool(request) and request._is_requester_or_manager(
                self.env.user
            )

    @api.depends("termination_request_ids.state")
    def _compute_termination_banner(self):
        for order in self:
            request = order.sudo().pending_termination_id
            order.termination_banner = bool(request) and self.env._(
                "%(order)s is on hold until the termination request %(request)s is decided: "
                "no delivery, invoice or change is possible meanwhile.",
                order=order.name,
                request=request.name,
            )

    @api.depends("state", "is_closed", "termination_request_ids.state")
    @api.depends_context("uid")
    def _compute_can_request_termination(self):
        for order in self:
            order.can_request_termination = not order._get_request_termination_error()

    @api.depends("state", "termination_request_ids.state")
    @api.depends_context("uid")
    def _compute_can_revoke_cancel(self):
        """A terminated order is revoked by termination managers only: see
        `_get_revoke_cancel_error`."""
        return super()._compute_can_revoke_cancel()

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    @api.returns("sale.termination.request")
    def request_termination(
        self,
        reason,
        description,
        customer_confirmation=None,
        receive_returns=False,
        refund_payments=False,
        customer_message=None,
        quantities=None,
    ):
        """Create and submit a termination request per order; returns the requests.
        `description` is internal; `customer_message` is what the customer reads.
        `quantities` (``{sale line id: quantity}``, as for `cancel_lines`, one order only)
        terminates part of the order: its execution cancels those quantities."""
        for order in self:
            error = order._get_request_termination_error()
            if isinstance(error, AccessError):
                raise error
        receive_returns = check_bool(self, receive_returns, "receive_returns")
        refund_payments = check_bool(self, refund_payments, "refund_payments")
        if (receive_returns or refund_payments) and not self._can_reverse_documents():
            raise AccessError(
                self.env._(
                    "Receiving returns at once or refunding payments when %s is terminated is "
                    "for users allowed to cancel with reversal. Ask without these options, or "
                    "ask your sales manager.",
                    ", ".join(self.mapped("name")),
                )
            )
        reason = self._get_termination_reason(reason)
        description = check_text(self, description, "description")
        customer_confirmation = check_bool(
            self, customer_confirmation, "customer_confirmation", allow_none=True
        )
        lock_for_update(self)
        if not (description or "").strip():
            raise UserError(
                self.env._(
                    "Describe why %s should be terminated: a description is required.",
                    ", ".join(self.mapped("name")),
                )
            )
        if customer_confirmation is None:
            customer_confirmation = reason.customer_confirmation
        line_quantities = self._get_termination_quantities(quantities)
        requests = self.env["sale.termination.request"]
        # All or nothing, also for callers that go on in the same transaction: without an
        # approval step the request executes at once, and a refusal leaves no request behind.
        with self.env.cr.savepoint():
            for order in self:
                order._check_can_request_termination()
                # Users read requests only; they change them through these checked methods.
                vals = order._prepare_termination_request_vals(
                    reason, description, customer_confirmation, receive_returns, refund_payments
                )
                vals["customer_message"] = customer_message or False
                vals["line_ids"] = [
                    Command.create(vals)
                    for vals in order._prepare_termination_request_line_vals(line_quantities)
                ]
                requests |= requests.sudo().create(vals)
            requests.action_submit()
        return requests

    @api.returns("sale.order.cancellation")
    def revoke_cancel(self, note=None):
        """Revoking a terminated order undoes an approved decision: termination managers only.
        Purchases the termination cancelled stay cancelled; procurement re-orders as usual."""
        # Who may revoke a terminated order is checked by `_get_revoke_cancel_error`, first:
        # nothing of the orders is read for a user who may not revoke them.
        self._check_revoke_cancel()
        return super().revoke_cancel(note=note)

    def _revoke_cancellations(self, cancellations, note):
        """Extend order_revoke_cancel: the requests whose cancellation this revoke undid (of
        the whole order or of its lines) are revoked too."""
        requests = self.termination_request_ids.filtered(
            lambda r: r.state == "done" and r.cancellation_id in cancellations
        )
        res = super()._revoke_cancellations(cancellations, note)
        requests._mark_revoked(check_text(self, note, "note"))
        return res

    def action_request_termination(self):
        self.ensure_one()
        return self._open_wizard(
            "sale.termination.request.wizard", self.env._("Request Termination")
        )

    def action_view_termination_requests(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id(
            "order_termination.action_sale_termination_request"
        )
        action["domain"] = [("order_id", "=", self.id)]
        action["context"] = {"create": False}
        if len(self.termination_request_ids) == 1:
            action.update(
                view_mode="form",
                res_id=self.termination_request_ids.id,
                views=[(False, "form")],
            )
        return action

    def action_approve_termination(self):
        """The banner's Approve: the approve wizard of the pending request (comment, steps)."""
        self.ensure_one()
        return self._get_pending_request().action_open_approve_wizard()

    def action_reject_termination(self):
        self.ensure_one()
        return self._get_pending_request().action_open_reject_wizard()

    def action_withdraw_termination(self):
        self.ensure_one()
        return self._get_pending_request().action_withdraw()

    # ------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------
    def _get_request_termination_error(self):
        """The error `request_termination` raises for this order before it looks at its
        arguments, or False (pure): the right, a confirmed and open order, no other request."""
        self.ensure_one()
        if not self.env.user.has_group("order_termination.group_termination_user"):
            return AccessError(
                self.env._(
                    "Requesting the termination of %s needs the right to request order "
                    "terminations: ask your sales manager for it.",
                    self.name,
                )
            )
        message = self._get_request_termination_state_error()
        if message:
            return UserError(message)
        if not self._get_termination_approval_steps():
            # Without an approval step the request executes at once, with the requester's own
            # rights: what the cancellation refuses them, the request refuses.
            return self._get_cancel_error()
        return False

    def _get_termination_approval_steps(self):
        """The approval steps a request for this order would get (`_get_applicable_steps`)."""
        self.ensure_one()
        request = self.env["sale.termination.request"].new({"order_id": self.id})
        return request._get_applicable_steps()

    def _get_termination_reason(self, reason):
        """The reason as given over RPC (record or id): existing, active, of the orders'
        company or shared."""
        return resolve_record(self, "sale.termination.reason", reason, "reason")

    def _prepare_termination_request_vals(
        self, reason, description, customer_confirmation, receive_returns, refund_payments
    ):
        self.ensure_one()
        return {
            "order_id": self.id,
            "reason_id": reason.id,
            "description": description,
            "customer_confirmation": bool(customer_confirmation),
            "receive_returns": bool(receive_returns),
            "refund_payments": bool(refund_payments),
            "user_id": self.env.user.id,
        }

    def _get_termination_quantities(self, quantities):
        """`quantities` of a termination of part of an order, checked as `cancel_lines`
        checks them (``{sale line: quantity}``); empty for the whole order, and when they
        cancel every line in full (that is the whole order's termination)."""
        if quantities is None:
            return {}
        if len(self) != 1:
            raise UserError(
                self.env._(
                    "Terminating part of an order works on one order at a time, not on %s: "
                    "request each order's termination on its own.",
                    ", ".join(self.mapped("name")),
                )
            )
        checked = self._check_line_cancel_quantities(quantities)
        return {} if self._cancels_every_line(checked) else checked

    def _prepare_termination_request_line_vals(self, quantities):
        """Values of the request's lines for `quantities` (``{sale line: quantity}``)."""
        return [{"sale_line_id": line.id, "quantity": qty} for line, qty in quantities.items()]

    def _check_can_request_termination(self, exclude=None):
        message = self._get_request_termination_state_error(exclude)
        if message:
            raise UserError(message)

    def _get_request_termination_state_error(self, exclude=None):
        """Why the order itself cannot be put under a termination request (other than
        `exclude`), or False (pure)."""
        self.ensure_one()
        if self.state != "sale":
            return self.env._(
                "%s is not a confirmed order: cancel the quotation instead of terminating it.",
                self.name,
            )
        if self.is_closed:
            return self.env._(
                "%s is closed: a termination manager must reopen it before its termination "
                "can be requested.",
                self.name,
            )
        pending = self.termination_request_ids.filtered(
            lambda r: r.state in ACTIVE_STATES and r != exclude
        )
        if pending:
            return self.env._(
                "%(order)s is already under the termination request %(request)s. Decide or "
                "withdraw that request first.",
                order=self.name,
                request=pending[0].name,
            )
        return False

    def _get_revoke_cancel_error(self, cancellation=None):
        """Extend order_revoke_cancel: revoking a terminated order undoes an approved
        decision, for termination managers only."""
        self.ensure_one()
        # A termination of lines leaves the order confirmed: its cancellation tells it. Read
        # as superuser: the refusal must name the order to a user who may not read it.
        last = cancellation or self.sudo()._get_last_cancellation()
        executed = self.sudo().termination_request_ids.filtered(
            lambda r: r.state == "done" and r.cancellation_id == last
        )
        if (
            (self.termination_state == "terminated" or executed)
            and not self.env.su
            and not self.env.user.has_group("order_termination.group_termination_manager")
        ):
            return AccessError(
                self.env._(
                    "%s was terminated after approval: revoking it needs the right to manage "
                    "order terminations, so ask a termination manager.",
                    self.name,
                )
            )
        return super()._get_revoke_cancel_error(cancellation)

    def _get_pending_request(self):
        self.ensure_one()
        request = self.termination_request_ids.filtered(lambda r: r.state in ACTIVE_STATES)[:1]
        if not request:
            raise UserError(self.env._("%s has no pending termination request.", self.name))
        return request
