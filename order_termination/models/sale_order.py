from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import float_compare, format_datetime

from odoo.addons.order_revoke_cancel.models.call_scope import call_scope, state_write_scope
from odoo.addons.order_revoke_cancel.models.tools import (
    check_bool,
    check_text,
    lock_for_update,
    resolve_record,
)

from .sale_termination_request import ACTIVE_STATES

# Call scope (not a context key, which any RPC client sets) naming the orders reopen() is
# writing: the only write a closed order lets through.
REOPEN_SCOPE = "order_termination_reopen"

# Longest customer comment kept from the portal form.
PORTAL_COMMENT_SIZE = 2000

# Checks a forced ("short") close may not skip.
UNFORCEABLE_CODES = ("confirmed", "no_pending_termination")


class SaleOrder(models.Model):
    _inherit = "sale.order"

    termination_request_ids = fields.One2many(
        "sale.termination.request", "order_id", string="Termination Requests", readonly=True
    )
    termination_request_count = fields.Integer(compute="_compute_termination_request_count")
    termination_state = fields.Selection(
        [("pending", "Termination Pending"), ("terminated", "Terminated")],
        compute="_compute_termination_state",
        store=True,
        index=True,
    )
    pending_termination_id = fields.Many2one(
        "sale.termination.request", compute="_compute_pending_termination_id"
    )
    termination_can_review = fields.Boolean(compute="_compute_termination_can_review")
    termination_can_withdraw = fields.Boolean(compute="_compute_termination_can_withdraw")
    termination_banner = fields.Char(compute="_compute_termination_banner")
    close_banner = fields.Char(compute="_compute_close_banner")
    can_close_order = fields.Boolean(
        compute="_compute_can_close_order",
        help="Whether `close` works for the current user as the order is now.",
    )
    can_force_close_order = fields.Boolean(
        compute="_compute_can_close_order",
        help="Whether a forced (short) close, with a reason, works for the current user.",
    )
    can_request_termination = fields.Boolean(
        compute="_compute_can_request_termination",
        help="Whether `request_termination` may be asked for the order by the current user.",
    )
    is_closed = fields.Boolean("Closed", readonly=True, copy=False, tracking=True, index=True)
    close_reason_id = fields.Many2one(
        "sale.close.reason", readonly=True, copy=False, tracking=True, check_company=True
    )
    close_note = fields.Text(readonly=True, copy=False, groups="base.group_user")
    close_date = fields.Datetime("Closed On", readonly=True, copy=False)
    close_user_id = fields.Many2one("res.users", "Closed By", readonly=True, copy=False)
    close_forced = fields.Boolean("Short Closed", readonly=True, copy=False)
    close_previous_locked = fields.Boolean(readonly=True, copy=False)
    # What a short close did, so that reopen undoes exactly that.
    close_cancelled_picking_ids = fields.Many2many(
        "stock.picking",
        "sale_order_close_cancelled_picking_rel",
        "order_id",
        "picking_id",
        string="Transfers Cancelled by the Close",
        readonly=True,
        copy=False,
    )
    close_credit_note_ids = fields.Many2many(
        "account.move",
        "sale_order_close_credit_note_rel",
        "order_id",
        "move_id",
        string="Credit Notes of the Close",
        readonly=True,
        copy=False,
    )
    close_return_picking_ids = fields.Many2many(
        "stock.picking",
        "sale_order_close_return_picking_rel",
        "order_id",
        "picking_id",
        string="Returns to Stock of Short Closes",
        help="Returns that short closes made to take goods picked or packed for the customer "
        "back to stock. Kept after a reopen: what they took back is no longer on its way to "
        "the customer, so it is picked again.",
        readonly=True,
        copy=False,
    )
    close_refund_payment_ids = fields.Many2many(
        "account.payment",
        "sale_order_close_refund_payment_rel",
        "order_id",
        "payment_id",
        string="Refunds of the Close",
        readonly=True,
        copy=False,
    )

    @api.depends("termination_request_ids")
    def _compute_termination_request_count(self):
        for order in self:
            order.termination_request_count = len(order.termination_request_ids)

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

    @api.depends("is_closed", "close_date", "close_user_id", "close_reason_id", "close_forced")
    @api.depends_context("lang", "tz")
    def _compute_close_banner(self):
        for order in self:
            if not order.is_closed:
                order.close_banner = False
                continue
            values = {
                "date": format_datetime(self.env, order.close_date) or "-",
                "user": order.close_user_id.name or "-",
                "reason": order.close_reason_id.name or "-",
            }
            if order.close_forced:
                order.close_banner = self.env._(
                    "Short-closed on %(date)s by %(user)s for this reason: %(reason)s; open "
                    "deliveries and returns were cancelled.",
                    **values,
                )
            else:
                order.close_banner = self.env._(
                    "Closed on %(date)s by %(user)s for this reason: %(reason)s.", **values
                )

    @api.depends(
        "state",
        "is_closed",
        "termination_request_ids.state",
        "picking_ids.state",
        "invoice_ids.state",
        "invoice_ids.payment_state",
        "order_line.qty_delivered",
        "order_line.qty_invoiced",
        "order_line.qty_to_invoice",
    )
    @api.depends_context("uid")
    def _compute_can_close_order(self):
        """The checks of `close` itself (`_get_close_error`), for confirmed orders (the
        checklist is only read where a Close button could show)."""
        for order in self:
            shown = order.state == "sale" and not order.is_closed
            order.can_close_order = shown and not order._get_close_error()
            order.can_force_close_order = (
                shown and not order.can_close_order and not order._get_close_error(force=True)
            )

    @api.depends("state", "is_closed", "termination_request_ids.state")
    @api.depends_context("uid")
    def _compute_can_request_termination(self):
        for order in self:
            order.can_request_termination = not order._get_request_termination_error()

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

    @api.depends("state", "termination_request_ids.state")
    @api.depends_context("uid")
    def _compute_can_revoke_cancel(self):
        """A terminated order is revoked by termination managers only: see
        `_get_revoke_cancel_error`."""
        return super()._compute_can_revoke_cancel()

    def _get_revoke_cancel_error(self):
        """Extend order_revoke_cancel: revoking a terminated order undoes an approved
        decision, for termination managers only."""
        self.ensure_one()
        if (
            self.termination_state == "terminated"
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
        return super()._get_revoke_cancel_error()

    # ------------------------------------------------------------------
    # Termination request
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
    ):
        """Create and submit a termination request per order; returns the requests.
        `description` is internal; `customer_message` is what the customer reads."""
        for order in self:
            error = order._get_request_termination_error()
            if isinstance(error, AccessError):
                raise error
        receive_returns = check_bool(self, receive_returns, "receive_returns")
        refund_payments = check_bool(self, refund_payments, "refund_payments")
        if (receive_returns or refund_payments) and not self.env.user.has_group(
            "order_revoke_cancel.group_cancel_reversal"
        ):
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
                requests |= requests.sudo().create(vals)
            requests.action_submit()
        return requests

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

    # ------------------------------------------------------------------
    # Customer self-service (portal)
    # ------------------------------------------------------------------
    # These methods are private (no RPC): the portal controller calls them on the order it
    # opened with `_document_check_access`, as superuser like every portal page of core. So
    # nothing below relies on access rights: every condition is checked explicitly.
    def _portal_get_termination_reasons(self):
        """Reasons the customer may choose: offered to customers, active, of the order's
        company or shared."""
        self.ensure_one()
        return self.env["sale.termination.reason"].search(
            [
                ("customer_selectable", "=", True),
                ("company_id", "in", [self.company_id.id, False]),
            ]
        )

    def _portal_get_termination_request(self):
        """The customer's own latest request (made on the portal), shown on the order page."""
        self.ensure_one()
        return self.termination_request_ids.filtered(lambda r: r.origin == "portal")[:1]

    def _portal_can_request_termination(self):
        """Whether the order page offers "Request cancellation"; agrees with the checks of
        `_portal_request_termination`."""
        self.ensure_one()
        return bool(
            self.company_id.portal_termination_request
            and self.state == "sale"
            and not self.is_closed
            and not self.termination_request_ids.filtered(lambda r: r.state in ACTIVE_STATES)
            and self._portal_get_termination_reasons()
        )

    def _get_portal_staff_message(self):
        return self.env._(
            "You are signed in as staff: request the termination of %s from the order in the "
            "back office, the customer's form is for the customer.",
            self.name,
        )

    def _portal_request_termination(self, reason_id, comment, customer_user):
        """Create and submit the termination request the customer asked for on the portal:
        origin 'portal', the comment as customer message, no customer confirmation (the
        customer asked), then the normal approvals. Everything is checked here (setting,
        reason offered to customers and of the order's company, order confirmed, not closed,
        no pending request), then the order row is locked and the pending check repeated, so
        two submissions, even concurrent, create one request. `customer_user` is who posted
        the form (the portal user, or the public user for a visitor with the order's link)."""
        self.ensure_one()
        if not customer_user.share:
            # Staff read the order's own token (native Odoo): they ask in their own name with
            # request_termination, never in the customer's through the portal form.
            raise AccessError(self._get_portal_staff_message())
        comment = (check_text(self, comment, "comment") or "").strip()[:PORTAL_COMMENT_SIZE]
        if not self.company_id.portal_termination_request:
            raise UserError(
                self.env._("Cancellation requests are not taken online for %s.", self.name)
            )
        reasons = self._portal_get_termination_reasons()
        reason = reasons.filtered(lambda r: r.id == reason_id)
        if isinstance(reason_id, bool) or not isinstance(reason_id, int) or not reason:
            raise UserError(
                self.env._(
                    "Choose one of the offered reasons to request the cancellation of %s.",
                    self.name,
                )
            )
        lock_for_update(self)
        self.invalidate_recordset(["termination_request_ids"])
        self._check_can_request_termination()
        # The requester on record: the customer's portal user, or OdooBot for a visitor who
        # came with the order's link (the public user is nobody).
        requester = customer_user
        if requester._is_public():
            requester = self.env.ref("base.user_root")
        description = self.env._(
            "%(customer)s asked on the customer portal to cancel %(order)s.",
            customer=self.partner_id.display_name,
            order=self.name,
        )
        vals = self._prepare_termination_request_vals(reason, description, False, False, False)
        vals.update(
            {"user_id": requester.id, "origin": "portal", "customer_message": comment or False}
        )
        with self.env.cr.savepoint():
            # Safe: the customer's access to the order was proven by the controller and every
            # condition above was checked; requests are created only as superuser (users read
            # them), and the approvals then run as for any request, never with the rights of
            # the portal user, who has none on internal models.
            request = self.env["sale.termination.request"].with_user(requester).sudo()
            request = request.create(vals)
            request.action_submit()
        return request

    @api.returns("sale.order.cancellation")
    def revoke_cancel(self, note=None):
        """Revoking a terminated order undoes an approved decision: termination managers only.
        Purchases the termination cancelled stay cancelled; procurement re-orders as usual."""
        # Who may revoke a terminated order is checked by `_get_revoke_cancel_error`, first:
        # nothing of the orders is read for a user who may not revoke them.
        self._check_revoke_cancel()
        terminated = self.filtered(lambda o: o.termination_state == "terminated")
        requests = terminated.termination_request_ids.filtered(lambda r: r.state == "done")
        res = super().revoke_cancel(note=note)
        # Only the requests whose cancellation this revoke undid: the order lives again.
        requests.filtered(lambda r: r.cancellation_id in res)._mark_revoked(
            check_text(self, note, "note")
        )
        return res

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
    # Hold and closed-order guard
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

    # ------------------------------------------------------------------
    # Close checklist, close and reopen
    # ------------------------------------------------------------------
    def close(self, reason=None, note=None, force=False, refund_payments=False):
        """Close finished orders: they stay confirmed (reports keep counting them) but are
        locked against invoicing, deliveries, cancellation and edits. A forced ("short")
        close settles the order at what was delivered; `refund_payments` pays back the money
        its credit notes free, as a cancellation does, instead of keeping it as credit."""
        self._check_close_rights()
        refund_payments = check_bool(self, refund_payments, "refund_payments")
        if refund_payments:
            self._check_close_refund_allowed()
        reason = self._get_close_reason(reason)
        note = check_text(self, note, "note")
        force = check_bool(self, force, "force")
        if force:
            self._check_force_close_allowed(reason)
        for order in self:
            order._check_closable(force)
        lock_for_update(self)
        for order in self:
            vals = order._prepare_close_vals(reason, note, force)
            if force:
                vals.update(order._short_close(refund_payments))
            with state_write_scope(order):
                order.write(vals)
            order._post_close_message(reason, note, force)
        return True

    def _check_close_rights(self):
        error = self._get_close_rights_error()
        if error:
            raise error

    def _get_close_rights_error(self, force=False):
        """The AccessError `close(force=force)` raises for lack of a right, or False (pure)."""
        names = ", ".join(self.mapped("name"))
        if not (self.env.su or self.env.user.has_group("order_termination.group_termination_user")):
            return AccessError(
                self.env._(
                    "Closing %s needs the right to request order terminations: ask your sales "
                    "manager.",
                    names,
                )
            )
        if force and not self.env.user.has_group("order_termination.group_termination_manager"):
            return AccessError(
                self.env._(
                    "Closing %s although it is not finished needs the right to manage order "
                    "terminations and closing: finish it, or ask a termination manager.",
                    names,
                )
            )
        return False

    def _get_close_error(self, force=False):
        """The error `close(force=force)` (with a reason, without a refund) raises for this
        order and the current user, or False where it works: the one check behind `close`,
        the Close button and the close wizard (pure)."""
        self.ensure_one()
        error = self._get_close_rights_error(force)
        if error:
            return error
        message = self._get_closable_error(force)
        return UserError(message) if message else False

    def _check_close_refund_allowed(self):
        """Paying money back is a reversal right of order_revoke_cancel, which closing rights
        do not give."""
        if self.env.su or self.env.user.has_group("order_revoke_cancel.group_cancel_reversal"):
            return
        raise AccessError(
            self.env._(
                "Only users allowed to cancel with reversal may refund payments when closing "
                "%s; close it without a refund or ask your sales manager.",
                ", ".join(self.mapped("name")),
            )
        )

    def _get_close_reason(self, reason):
        """The optional reason as given over RPC (record or id), checked like cancel reasons."""
        return resolve_record(self, "sale.close.reason", reason, "reason", required=False)

    def _check_force_close_allowed(self, reason):
        error = self._get_close_rights_error(force=True)
        if error:
            raise error
        if not reason:
            raise UserError(
                self.env._(
                    "Choose a close reason to force the closing of %s.",
                    ", ".join(self.mapped("name")),
                )
            )

    def _check_closable(self, force):
        message = self._get_closable_error(force)
        if message:
            raise UserError(message)

    def _get_closable_error(self, force):
        """Why the order itself cannot be closed (`force`: short), rights aside, or False: a
        pure predicate, run by `close` and shown by the close wizard."""
        self.ensure_one()
        if self.is_closed:
            return self.env._("%s is already closed.", self.name)
        message = self._get_order_editable_error("close")
        if message:
            return message
        failed = [
            check
            for check in self.get_close_checklist()
            if not check["ok"] and (not force or check["code"] in UNFORCEABLE_CODES)
        ]
        if failed:
            return self.env._(
                "%(order)s cannot be closed yet:\n%(checks)s",
                order=self.name,
                checks="\n".join(f"- {c['label']}: {c['detail']}" for c in failed),
            )
        if force and self.invoice_ids.filtered(lambda m: m.state == "draft"):
            # A short close settles what is posted: a draft would count as invoiced and then be
            # posted (or not) after the order was settled without it.
            return self.env._(
                "%s has draft invoices: post or cancel them before closing the order short.",
                self.name,
            )
        if force and self._get_delivered_uninvoiced_lines():
            return self.env._(
                "%s has delivered goods that are not invoiced yet: invoice them before "
                "closing the order short.",
                self.name,
            )
        return False

    def _get_short_close_lines(self):
        """Goods lines, the ones a short close settles at what was delivered."""
        return self.order_line.filtered(
            lambda line: (
                not line.display_type
                and not line.is_downpayment
                and not line.is_expense
                and line.product_id.type == "consu"
            )
        )

    def _get_delivered_uninvoiced_lines(self):
        return self._get_short_close_lines().filtered(
            lambda line: (
                float_compare(
                    line.qty_delivered,
                    line.qty_invoiced,
                    precision_rounding=line.product_uom.rounding or 0.01,
                )
                > 0
            )
        )

    def _get_qty_to_credit_on_close(self):
        """{sale line: posted quantity invoiced beyond what was delivered}."""
        result = {}
        for line in self._get_short_close_lines():
            excess = line.qty_invoiced_posted - line.qty_delivered
            if float_compare(excess, 0.0, precision_rounding=line.product_uom.rounding or 0.01) > 0:
                result[line] = excess
        return result

    def _short_close(self, refund_payments=False):
        """Forced close: settle the order at what was delivered. Open deliveries and pending
        returns are cancelled, goods picked or packed but not shipped go back to stock, and
        what was invoiced beyond the deliveries is credited by the reversal engine of
        order_revoke_cancel (refunded or kept as credit as for a cancellation). Returns the
        order values recording it, for `reopen`."""
        self.ensure_one()
        pickings = self.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        pickings.action_cancel()
        # Goods a done pick or pack left in Output or Packing go back to stock through the
        # engine's returns of those steps, received at once: nobody may validate a transfer of
        # the order once it is closed, and they never left the warehouse.
        returns = self._create_returns(self._get_step_return_quantities())
        self._receive_returns(returns)
        credit_notes, refunds = self._credit_invoices(
            refund_payments, quantities=self._get_qty_to_credit_on_close()
        )
        return {
            "close_cancelled_picking_ids": [Command.set(pickings.ids)],
            "close_return_picking_ids": [Command.link(picking.id) for picking in returns],
            "close_credit_note_ids": [Command.set(credit_notes.ids)],
            "close_refund_payment_ids": [Command.set(refunds.ids)],
        }

    def _get_reversal_returns(self):
        """Extend order_revoke_cancel: the returns of short closes took goods off their way to
        the customer too."""
        return super()._get_reversal_returns() | self.close_return_picking_ids

    def _prepare_close_vals(self, reason, note, force):
        self.ensure_one()
        return {
            "is_closed": True,
            "close_reason_id": reason.id,
            "close_note": note or False,
            "close_date": fields.Datetime.now(),
            "close_user_id": self.env.user.id,
            "close_forced": bool(force),
            "close_previous_locked": self.locked,
            "locked": True,
        }

    def _post_close_message(self, reason, note, force):
        title = (
            self.env._("Order short-closed: open deliveries and returns were cancelled.")
            if force
            else self.env._("Order closed.")
        )
        body = Markup("<p>%s</p>") % title
        if reason:
            body += Markup("<p>%s</p>") % self.env._("Reason: %s", reason.name)
        if note:
            body += Markup("<p>%s</p>") % note
        self.message_post(body=body, subtype_xmlid="order_termination.mt_order_closed")

    def reopen(self, note):
        """Managers reopen closed orders: unlocked again unless they were locked before."""
        if not self.env.user.has_group("order_termination.group_termination_manager"):
            raise AccessError(
                self.env._(
                    "Only termination managers may reopen %s. Ask your sales manager.",
                    ", ".join(self.mapped("name")),
                )
            )
        note = check_text(self, note, "note")
        if not (note or "").strip():
            raise UserError(
                self.env._(
                    "Say why %s is reopened: a note is required.", ", ".join(self.mapped("name"))
                )
            )
        lock_for_update(self)
        for order in self:
            if not order.is_closed:
                raise UserError(
                    self.env._("%s is not closed: there is nothing to reopen.", order.name)
                )
        for order in self:
            credit_notes = order.close_credit_note_ids.filtered(lambda m: m.state == "posted")
            # A short close cancelled the open transfers and sent held goods back to stock.
            replan = bool(order.close_forced or order.close_cancelled_picking_ids)
            with call_scope(self.env, REOPEN_SCOPE, order.ids), state_write_scope(order):
                order.write(order._prepare_reopen_vals())
            invoices = order._undo_short_close(credit_notes, replan)
            body = Markup("<p>%s</p><p>%s</p>") % (self.env._("Order reopened."), note)
            if invoices:
                body += Markup("<p>%s %s</p>") % (
                    self.env._("Invoices reversing the credit notes of the close:"),
                    Markup(", ").join(invoice._get_html_link() for invoice in invoices),
                )
            order.message_post(body=body, subtype_xmlid="order_termination.mt_order_closed")
        return True

    def _undo_short_close(self, credit_notes, replan):
        """Put back what a short close did: its credit notes are undone by posted invoices
        reversing them (as revoke does), and (`replan`) what its cancelled transfers were to
        deliver and what its returns took back to stock is planned again through the standard
        procurement, the whole chain from stock. Returns the new invoices."""
        self.ensure_one()
        today = fields.Date.context_today(self)
        invoices = credit_notes._reverse_by_invoices(
            [self._prepare_reopen_invoice_vals(credit_note, today) for credit_note in credit_notes]
        )
        if replan and self.state == "sale":
            # A locked order does not launch procurement: unlock for that step only.
            locked = self.locked
            if locked:
                self.locked = False
            self.order_line._action_launch_stock_rule()
            if locked:
                self.locked = True
        return invoices

    def _prepare_reopen_invoice_vals(self, credit_note, date):
        return {
            "ref": self.env._(
                "Reopened %(order)s: %(move)s", order=self.name, move=credit_note.name
            ),
            "date": date,
            "invoice_date": date,
            "invoice_date_due": False,
            "invoice_payment_term_id": credit_note.reversed_entry_id.invoice_payment_term_id.id,
        }

    def _prepare_reopen_vals(self):
        self.ensure_one()
        return {
            "is_closed": False,
            "close_reason_id": False,
            "close_note": False,
            "close_date": False,
            "close_user_id": False,
            "close_forced": False,
            "close_cancelled_picking_ids": [Command.clear()],
            "close_credit_note_ids": [Command.clear()],
            "close_refund_payment_ids": [Command.clear()],
            "locked": self.close_previous_locked,
        }

    # ------------------------------------------------------------------
    # Automatic close
    # ------------------------------------------------------------------
    def _try_close(self, reason, note, force=False):
        """Close one order; return the refusal message instead of raising it."""
        self.ensure_one()
        try:
            with self.env.cr.savepoint():
                self.close(reason=reason, note=note, force=force)
        except (UserError, AccessError) as error:
            return str(error.args[0] if error.args else error)
        return False

    # ------------------------------------------------------------------
    # Buttons
    # ------------------------------------------------------------------
    def _open_wizard(self, model, title, context=None):
        return {
            "name": title,
            "type": "ir.actions.act_window",
            "res_model": model,
            "view_mode": "form",
            "target": "new",
            "context": {"default_order_id": self.id, **(context or {})},
        }

    def action_request_termination(self):
        self.ensure_one()
        return self._open_wizard(
            "sale.termination.request.wizard", self.env._("Request Termination")
        )

    def action_close_order(self):
        self.ensure_one()
        return self._open_wizard("sale.order.close.wizard", self.env._("Close Order"))

    def action_reopen_order(self):
        self.ensure_one()
        return self._open_wizard("sale.order.reopen.wizard", self.env._("Reopen Order"))

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

    def _get_pending_request(self):
        self.ensure_one()
        request = self.termination_request_ids.filtered(lambda r: r.state in ACTIVE_STATES)[:1]
        if not request:
            raise UserError(self.env._("%s has no pending termination request.", self.name))
        return request

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
