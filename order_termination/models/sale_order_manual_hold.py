"""Holds placed by hand: an order put on hold for a `sale.hold.reason` (a credit or fraud check,
a customer dispute, a quality problem, "deliver when paid") by a member of the reason's group,
released the same way. What a hold refuses is decided by the guard (`sale_order_hold.py`,
`_get_order_editable_error`), which reads these fields; here are the fields, `place_hold`,
`release_hold`, their checks and buttons, and the messages and activities they leave.
"""

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_datetime

from odoo.addons.order_revoke_cancel.tools import check_text, lock_for_update, resolve_record
from odoo.addons.order_revoke_cancel.tools.call_scope import state_write_scope

# The fields of a hold placed by hand: state fields, written by place_hold and release_hold.
HOLD_FIELDS = ("hold_reason_id", "hold_user_id", "hold_date", "hold_note")


class SaleOrderManualHold(models.Model):
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
    # Actions
    # ------------------------------------------------------------------
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
