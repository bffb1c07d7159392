"""The hold and closed-order guard: an order under a pending termination request is on hold, and
a closed order is locked; both refuse modification, confirmation, cancellation, invoicing,
posting invoices, validating deliveries and closing (`_check_order_editable`). An order put on
hold by hand for a `sale.hold.reason` (`place_hold` / `release_hold`) refuses what its reason
blocks through the same predicate; the two holds are independent of each other.

Apart because every other concern relies on it, and the deliveries and invoices
(`stock_picking`, `account_move`) call the same predicate.
"""

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_datetime

from odoo.addons.order_revoke_cancel.tools import check_text, lock_for_update, resolve_record
from odoo.addons.order_revoke_cancel.tools.call_scope import (
    call_scope,
    get_call_scope,
    state_write_scope,
)

from .sale_order import REOPEN_SCOPE

# The fields of a hold placed by hand: state fields, written by place_hold and release_hold.
HOLD_FIELDS = ("hold_reason_id", "hold_user_id", "hold_date", "hold_note")

# Call scope (never a context key) naming the orders whose cancellation, revoke or short close
# runs now: that operation was admitted by the guard, so the documents it makes itself (credit
# notes, fee invoice, invoices undoing credit notes) are posted under a hold placed by hand
# for invoicing; a termination hold or a closed order still refuses them.
HOLD_ENGINE_SCOPE = "order_termination_hold_engine"


class SaleOrderHold(models.Model):
    _inherit = "sale.order"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------
    # Fields of a hold placed by hand
    # ------------------------------------------------------------------
    hold_reason_id = fields.Many2one(
        "sale.hold.reason",
        readonly=True,
        copy=False,
        tracking=True,
        index="btree_not_null",
        check_company=True,
    )
    hold_blocks = fields.Selection(related="hold_reason_id.blocks", string="Hold Blocks")
    hold_user_id = fields.Many2one(
        "res.users", "On Hold By", readonly=True, copy=False, tracking=True
    )
    hold_date = fields.Datetime("On Hold Since", readonly=True, copy=False, tracking=True)
    hold_note = fields.Text(readonly=True, copy=False, tracking=True, groups="base.group_user")
    hold_age_days = fields.Integer("Days on Hold", compute="_compute_hold_age_days")
    hold_banner = fields.Char(compute="_compute_hold_banner", groups="base.group_user")
    can_place_hold = fields.Boolean(
        compute="_compute_can_hold",
        help="Whether `place_hold` works for the current user with at least one reason.",
    )
    can_release_hold = fields.Boolean(
        compute="_compute_can_hold",
        help="Whether `release_hold` works for the current user.",
    )

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

    @api.depends("hold_date")
    def _compute_hold_age_days(self):
        now = fields.Datetime.now()
        for order in self:
            order.hold_age_days = (now - order.hold_date).days if order.hold_date else 0

    @api.depends("hold_reason_id", "hold_user_id", "hold_date", "hold_note")
    @api.depends_context("lang", "tz")
    def _compute_hold_banner(self):
        for order in self:
            if not order.hold_reason_id:
                order.hold_banner = False
                continue
            # The reason and the user who placed the hold are named whoever reads the order.
            values = {
                "reason": order.sudo().hold_reason_id.name,
                "date": format_datetime(self.env, order.hold_date) or "-",
                "user": order.sudo().hold_user_id.name or "-",
            }
            if order.hold_note:
                order.hold_banner = self.env._(
                    "On hold: %(reason)s since %(date)s by %(user)s: %(note)s",
                    note=order.hold_note,
                    **values,
                )
            else:
                order.hold_banner = self.env._(
                    "On hold: %(reason)s since %(date)s by %(user)s.", **values
                )

    @api.depends("state", "is_closed", "hold_reason_id", "company_id")
    @api.depends_context("uid")
    def _compute_can_hold(self):
        """The checks of `place_hold` and `release_hold` themselves: the buttons show exactly
        where the methods work."""
        for order in self:
            order.can_place_hold = not order._get_place_hold_error()
            order.can_release_hold = bool(order.hold_reason_id) and not (
                order._get_release_hold_error()
            )

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

    def _create_invoices(self, grouped=False, final=False, date=None):
        self._check_order_editable("invoice")
        return super()._create_invoices(grouped=grouped, final=final, date=date)

    def place_hold(self, reason, note=None):
        """Put the orders on hold for `reason` (a `sale.hold.reason` record or id): they
        refuse what the reason blocks until `release_hold`. Needs membership of the reason's
        group, or termination manager."""
        self.check_access("read")
        reason = resolve_record(self, "sale.hold.reason", reason, "reason")
        note = check_text(self, note, "note")
        for order in self:
            error = order._get_place_hold_error(reason)
            if error:
                raise error
        lock_for_update(self)
        for order in self:
            # The right to hold comes from the reason's group, checked above, not from the
            # order's access rules: a finance or warehouse member of that group may hold an
            # order they can read but not write. Only the hold's own fields are written (in
            # the state scope), and messages and activities keep the user as author.
            with state_write_scope(order):
                order.sudo().write(order._prepare_place_hold_vals(reason, note))
            order.sudo()._post_hold_message(
                self.env._("Order put on hold: %s.", reason.sudo().name), note
            )
            order.sudo()._schedule_hold_activity(reason, note)
        return True

    def release_hold(self, note=None):
        """Release the hold placed by `place_hold`; a termination's hold is not touched.
        Needs membership of the hold reason's group, or termination manager."""
        self.check_access("read")
        note = check_text(self, note, "note")
        for order in self:
            error = order._get_release_hold_error()
            if error:
                raise error
        lock_for_update(self)
        activity_type = self.env.ref("order_termination.mail_activity_order_on_hold")
        for order in self:
            reason_name = order.sudo().hold_reason_id.name
            # As for place_hold: the right was checked from the reason's group above.
            with state_write_scope(order):
                order.sudo().write(dict.fromkeys(HOLD_FIELDS, False))
            order.sudo()._post_hold_message(self.env._("Hold released: %s.", reason_name), note)
            activities = order.sudo().activity_ids.filtered(
                lambda a: a.activity_type_id == activity_type
            )
            activities.action_feedback(feedback=note or self.env._("Hold released."))
        return True

    def action_place_hold(self):
        self.ensure_one()
        return self._open_wizard("sale.order.hold.wizard", self.env._("Place Hold"))

    def action_release_hold(self):
        self.ensure_one()
        return self._open_wizard("sale.order.release.hold.wizard", self.env._("Release Hold"))

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

    def _get_manual_hold_message(self, action):
        """One full sentence per action refused by a hold placed by hand."""
        self.ensure_one()
        values = {"order": self.name, "reason": self.sudo().hold_reason_id.name}
        messages = {
            "modify": self.env._(
                "%(order)s cannot be modified while it is on hold (%(reason)s): release the "
                "hold first.",
                **values,
            ),
            "confirm": self.env._(
                "%(order)s cannot be confirmed while it is on hold (%(reason)s): release the "
                "hold first.",
                **values,
            ),
            "cancel": self.env._(
                "%(order)s cannot be cancelled while it is on hold (%(reason)s): release the "
                "hold first.",
                **values,
            ),
            "invoice": self.env._(
                "%(order)s cannot be invoiced while it is on hold (%(reason)s): release the "
                "hold first.",
                **values,
            ),
            "post_invoice": self.env._(
                "No invoice of %(order)s can be posted while the order is on hold "
                "(%(reason)s): release the hold first.",
                **values,
            ),
            "deliver": self.env._(
                "No delivery of %(order)s can be validated while the order is on hold "
                "(%(reason)s): release the hold first.",
                **values,
            ),
            "return": self.env._(
                "No return of %(order)s can be validated while the order is on hold "
                "(%(reason)s): release the hold first.",
                **values,
            ),
            "close": self.env._(
                "%(order)s cannot be closed while it is on hold (%(reason)s): release the "
                "hold first.",
                **values,
            ),
        }
        return messages[action]

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

    def _get_revoke_cancel_error(self):
        """Extend: revoking writes the order, which a hold placed by hand for everything
        refuses."""
        error = super()._get_revoke_cancel_error()
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

    # ------------------------------------------------------------------
    # Holds placed by hand
    # ------------------------------------------------------------------
    @api.model
    def _get_state_field_methods(self):
        """Extend: the fields of a hold placed by hand."""
        methods = super()._get_state_field_methods()
        methods.update(dict.fromkeys(HOLD_FIELDS, ("place_hold", "release_hold")))
        return methods

    def _get_place_hold_error(self, reason=None):
        """The error `place_hold(reason)` raises for this order and the current user, or
        False where it works; without `reason`: whether it works with at least one reason of
        the order's company (the Place Hold button). A pure predicate."""
        self.ensure_one()
        user = self.env.user
        if reason is None:
            # Which reasons exist decides whether the button shows: read as superuser, the
            # rights are checked by `_may_hold` for the current user.
            reasons = (
                self.env["sale.hold.reason"]
                .sudo()
                .search([("company_id", "in", [False, self.company_id.id])])
            )
            if not self.env.su and not any(r._may_hold(user) for r in reasons):
                return AccessError(
                    self.env._(
                        "You may place %s on hold for no hold reason: ask a termination manager.",
                        self.name,
                    )
                )
        elif not self.env.su and not reason._may_hold(user):
            return AccessError(
                self.env._(
                    "Placing %(order)s on hold for %(reason)s is for members of the group "
                    "%(group)s and termination managers: ask one of them.",
                    order=self.name,
                    reason=reason.sudo().name,
                    group=reason.sudo().group_id.full_name,
                )
            )
        if self.hold_reason_id:
            return UserError(
                self.env._(
                    "%(order)s is already on hold (%(reason)s): release that hold first.",
                    order=self.name,
                    reason=self.sudo().hold_reason_id.name,
                )
            )
        if self.state == "cancel":
            return UserError(
                self.env._("%s is cancelled: there is nothing to put on hold.", self.name)
            )
        if self.is_closed:
            return UserError(
                self.env._(
                    "%s is closed: a termination manager must reopen it before it can be "
                    "put on hold.",
                    self.name,
                )
            )
        return False

    def _get_release_hold_error(self):
        """The error `release_hold` raises for this order and the current user, or False."""
        self.ensure_one()
        reason = self.sudo().hold_reason_id
        if not reason:
            return UserError(
                self.env._("%s is not on hold: there is no hold to release.", self.name)
            )
        if not self.env.su and not reason._may_hold(self.env.user):
            return AccessError(
                self.env._(
                    "Releasing the hold of %(order)s (%(reason)s) is for members of the group "
                    "%(group)s and termination managers: ask one of them.",
                    order=self.name,
                    reason=reason.name,
                    group=reason.group_id.full_name,
                )
            )
        return False

    def _prepare_place_hold_vals(self, reason, note):
        self.ensure_one()
        return {
            "hold_reason_id": reason.id,
            "hold_user_id": self.env.user.id,
            "hold_date": fields.Datetime.now(),
            "hold_note": note or False,
        }

    def _post_hold_message(self, title, note):
        body = Markup("<p>%s</p>") % title
        if note:
            body += Markup("<p>%s</p>") % note
        self.message_post(body=body, subtype_xmlid="mail.mt_note")

    def _schedule_hold_activity(self, reason, note):
        """The salesperson (or, without one, whoever placed the hold) is told to follow the
        hold up; `release_hold` marks the activity done."""
        self.ensure_one()
        user = self.user_id or self.env.user
        # The summary is stored: written in the language of whom it is for.
        reason = reason.with_context(lang=user.lang or self.env.lang)
        self.activity_schedule(
            "order_termination.mail_activity_order_on_hold",
            summary=reason.env._("On hold: %s", reason.sudo().name),
            note=note or False,
            user_id=user.id,
        )
