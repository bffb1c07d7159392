"""The sale order of the cancel-with-reversal engine: its fields (the cancellation's reason,
who and when, the ledger, the buttons' flags), the guard that lets only the engine's methods
write them, and the checks shared by the buttons and the methods.

The engine itself is split by concern, one file each, all extending `sale.order`:
`sale_order_cancel` (API, the `_action_cancel` hook, orchestration),
`sale_order_stock_reversal` (pickings, returns, held goods),
`sale_order_accounting_reversal` (credit plan, credit notes, refunds),
`sale_order_fee` (cancellation fee), `sale_order_revoke` (revoke, Set to Quotation) and
`sale_order_notify` (messages and activities). pylint-odoo's `consider-merging-classes-inherited`
is disabled on their `_inherit` lines for that reason.
"""

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_datetime

from ..tools.call_scope import check_state_write


class SaleOrder(models.Model):
    _inherit = "sale.order"

    cancel_reason_id = fields.Many2one(
        "sale.order.cancel.reason",
        "Cancellation Reason",
        readonly=True,
        copy=False,
        tracking=True,
        check_company=True,
    )
    cancel_note = fields.Text(readonly=True, copy=False, groups="base.group_user")
    cancel_date = fields.Datetime("Cancelled On", readonly=True, copy=False, tracking=True)
    cancel_user_id = fields.Many2one(
        "res.users", "Cancelled By", readonly=True, copy=False, tracking=True
    )
    cancellation_ids = fields.One2many("sale.order.cancellation", "order_id", readonly=True)
    cancellation_count = fields.Integer(compute="_compute_cancellation_count")
    can_revoke_cancel = fields.Boolean(
        compute="_compute_can_revoke_cancel",
        help="Whether `revoke_cancel` works for the current user (the Revoke button).",
    )
    revoke_cancel_refusal = fields.Text(
        compute="_compute_can_revoke_cancel",
        help="Why `revoke_cancel` refuses this cancelled order, for users who may revoke.",
    )
    can_set_to_quotation = fields.Boolean(
        compute="_compute_can_set_to_quotation",
        help="Whether `action_draft` works (the Set to Quotation button of cancelled orders).",
    )
    can_cancel_order = fields.Boolean(
        compute="_compute_can_cancel_order",
        help="Whether the current user may cancel the order as it is now (the Cancel button).",
    )
    cancel_banner = fields.Char(compute="_compute_cancel_banner")

    # ------------------------------------------------------------------
    # State fields: written by the engine's methods only
    # ------------------------------------------------------------------
    @api.model
    def _get_state_field_methods(self):
        """The fields that record what the contract's methods did, each with the methods
        that change it: no `write` or `create` may set them, whoever calls (managers,
        administrators, modules running as superuser), unless that method opened a
        `state_write_scope` on the order (see call_scope.py). Extend it for new state
        fields."""
        cancel = ("cancel_with_reversal", "revoke_cancel")
        return {
            "cancel_reason_id": cancel,
            "cancel_note": cancel,
            "cancel_date": cancel,
            "cancel_user_id": cancel,
            "cancellation_ids": cancel,
        }

    @api.model_create_multi
    def create(self, vals_list):
        methods = self._get_state_field_methods()
        check_state_write(self.browse(), {name for vals in vals_list for name in vals}, methods)
        orders = super().create(vals_list)
        # And on the created orders, so that defaults (context, ir.default) count too.
        check_state_write(orders, [name for name in methods if any(orders.mapped(name))], methods)
        return orders

    def write(self, vals):
        check_state_write(self, vals, self._get_state_field_methods())
        return super().write(vals)

    @api.depends("state", "cancellation_ids.state", "cancellation_ids.previous_state")
    def _compute_type_name(self):
        """Extend sale: core names every cancelled order a quotation (its title, its portal
        page: "This quotation has been cancelled"); one cancelled after it was confirmed is
        still a sales order, as the customer knows it."""
        res = super()._compute_type_name()
        for order in self.filtered(lambda o: o.state == "cancel"):
            if order._was_confirmed_before_cancel():
                order.type_name = self.env._("Sales Order")
        return res

    def _was_confirmed_before_cancel(self):
        """Whether this cancelled order had been confirmed when it was cancelled (pure)."""
        self.ensure_one()
        # The portal shows the customer's own order: reading the previous state of its
        # cancellation (nothing else of the internal ledger) tells them no more than that.
        cancellation = self.sudo()._get_last_cancellation()
        return self.state == "cancel" and cancellation.previous_state == "sale"

    @api.depends("cancellation_ids")
    def _compute_cancellation_count(self):
        for order in self:
            order.cancellation_count = len(order.cancellation_ids)

    @api.depends(
        "state",
        "company_id.revoke_cancel_days",
        "cancellation_ids.state",
        "cancellation_ids.date",
        "cancellation_ids.credit_note_ids.state",
        "cancellation_ids.fee_invoice_id.state",
        "cancellation_ids.cancelled_invoice_ids.state",
    )
    @api.depends_context("uid")
    def _compute_can_revoke_cancel(self):
        """The checks of `revoke_cancel` itself (`_get_revoke_cancel_error`): the button is
        shown exactly where the revoke works, and otherwise the banner says why not."""
        for order in self:
            error = order._get_revoke_cancel_error()
            order.can_revoke_cancel = not error
            # Rights aside: users who may not revoke are not told what else stands in the way.
            order.revoke_cancel_refusal = (
                order.state == "cancel"
                and isinstance(error, UserError)
                and not isinstance(error, AccessError)
                and error.args[0]
            )

    @api.depends("state", "cancellation_ids.state")
    def _compute_can_set_to_quotation(self):
        for order in self:
            order.can_set_to_quotation = (
                order.state == "cancel" and not order._get_action_draft_error()
            )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_cancellation_record(self):
        """The cancellation record explains the returns and credit notes it made: deleting
        its order would delete it too and leave those documents unexplained."""
        for order in self.sudo().filtered("cancellation_ids"):
            raise UserError(
                self.env._(
                    "%s cannot be deleted: its cancellation record explains its returns and "
                    "credit notes, so keep the order cancelled instead.",
                    order.name,
                )
            )

    @api.depends("state", "locked", "picking_ids.state", "invoice_ids.state")
    @api.depends_context("uid")
    def _compute_can_cancel_order(self):
        """The checks of `cancel_with_reversal` without options (`_get_cancel_error`): locked
        orders need a sales manager, reversal documents need `group_cancel_reversal`."""
        for order in self:
            order.can_cancel_order = order.state in ("draft", "sent", "sale") and not (
                order._get_cancel_error()
            )

    def _get_cancel_error(self, receive_returns=False, refund_payments=False):
        """The error cancelling this order with these options raises for the current user, or
        False where it works; the reason and the fee are the caller's choice and checked with
        them. A pure predicate: the one check behind `cancel_with_reversal`, the Cancel button
        and the mass cancel preview. Modules that refuse more extend it."""
        self.ensure_one()
        return self._get_cancel_state_error() or self._get_reversal_rights_error(
            receive_returns, refund_payments
        )

    def _get_cancel_state_error(self):
        """Already cancelled, or locked for a user who is not a sales manager (pure)."""
        self.ensure_one()
        if self.state == "cancel":
            return UserError(
                self.env._(
                    "%s is already cancelled. Revoke its cancellation first if you need "
                    "to cancel it again.",
                    self.name,
                )
            )
        if self.locked and not (
            self.env.su or self.env.user.has_group("sales_team.group_sale_manager")
        ):
            return UserError(
                self.env._(
                    "%s is locked: cancelling a locked order needs the Sales Administrator "
                    "right, so ask a sales manager to cancel or unlock it.",
                    self.name,
                )
            )
        return False

    def _can_reverse_documents(self):
        """Whether the current user may have returns, credit notes and refunds made, or a
        reason's fee changed: `group_cancel_reversal` (or the superuser). The one definition of
        that right, checked by cancel, termination and close alike (pure)."""
        return self.env.su or self.env.user.has_group("order_revoke_cancel.group_cancel_reversal")

    def _get_reversal_rights_error(self, receive_returns=False, refund_payments=False, plan=None):
        """Returns, credit notes and refunds need `group_cancel_reversal` (pure); `plan`: the
        order's cancel plan when the caller has it (see `_needs_reversal`)."""
        self.ensure_one()
        if self._can_reverse_documents():
            return False
        if receive_returns or refund_payments or self._needs_reversal(plan):
            return AccessError(
                self.env._(
                    "Cancelling %s creates returns, credit notes or refunds, which needs the "
                    "right to cancel orders with reversal: ask your sales manager.",
                    self.name,
                )
            )
        return False

    @api.depends("state", "cancel_date", "cancel_user_id", "cancel_reason_id")
    @api.depends_context("lang", "tz")
    def _compute_cancel_banner(self):
        for order in self:
            order.cancel_banner = order.state == "cancel" and self.env._(
                "Cancelled on %(date)s by %(user)s for this reason: %(reason)s.",
                date=format_datetime(self.env, order.cancel_date) or "-",
                user=order.cancel_user_id.name or "-",
                reason=order.cancel_reason_id.name or "-",
            )

    # ------------------------------------------------------------------
    # Demo data
    # ------------------------------------------------------------------
    def _demo_settle(self, deliver=True, invoice=True, pay=True):
        """Give demo orders a history through the documents' own flows: validate their
        deliveries in full, post their invoice and register its payment.

        Only the demo data calls it (private: never an RPC endpoint). Real documents, not faked
        states, so that cancelling, revoking and closing the demo orders meets what a user's
        orders meet.
        """
        for order in self:
            if deliver:
                pickings = order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
                for move in pickings.move_ids.filtered(lambda m: m.state != "cancel"):
                    move.quantity = move.product_uom_qty
                    move.picked = True
                pickings.with_context(skip_backorder=True).button_validate()
            if not invoice:
                continue
            moves = order._create_invoices()
            moves.action_post()
            if pay:
                self.env["account.payment.register"].with_context(
                    active_model="account.move", active_ids=moves.ids
                ).create({})._create_payments()
        return True
