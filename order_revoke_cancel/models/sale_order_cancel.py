"""Cancel with reversal: the public API (preview, wizard, `cancel_with_reversal`), the
`_action_cancel` hook that every cancel path crosses, the options it receives from the API
through a call scope, and the orchestration of the reversal documents.

What is reversed is planned elsewhere: deliveries in `sale_order_stock_reversal`, invoices and
payments in `sale_order_accounting_reversal`, the fee in `sale_order_fee`.
"""

from odoo import Command, api, fields, models
from odoo.exceptions import UserError

from ..tools import (
    check_bool,
    check_number,
    check_text,
    lock_for_update,
    resolve_record,
)
from ..tools.call_scope import call_scope, get_call_scope, state_write_scope
from ..tools.cancel_options import CancelOptions
from .sale_order_refund import provider_refunds_unit

# Name of the call scope in which cancel_with_reversal hands its options to _action_cancel.
CANCEL_OPTIONS_SCOPE = "order_cancel_options"
# Name of the call scope holding the ids of the orders one call plans to cancel together
# (`cancelled_together`): what they share is planned once for all of them.
CANCELLED_TOGETHER_SCOPE = "order_cancelled_together"


def cancelled_together(orders):
    """Plan `orders` as cancelled together until the block ends (the preview and the
    execution of one call): an authorization they share is voided by the last of them
    (`_get_prepayment_plan`), not left to the others as if they stayed in force."""
    return call_scope(orders.env, CANCELLED_TOGETHER_SCOPE, frozenset(orders.ids))


class SaleOrderCancel(models.Model):
    _inherit = "sale.order"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------
    # Cancel: API and preview
    # ------------------------------------------------------------------
    def get_cancel_impact(
        self, receive_returns=False, refund_payments=False, fee=None, reason=None
    ):
        """Every document `cancel_with_reversal` with the same options would create or cancel;
        changes nothing. The fee follows `cancel_with_reversal`'s rules: `None` applies the fee
        of `reason` (none without a reason), a number sets it; the preview checks the number as
        the cancellation would, but not the right to change it, since it changes nothing."""
        fee = check_number(self, fee, "fee")
        reason = resolve_record(self, "sale.order.cancel.reason", reason, "reason", required=False)
        impact = []
        orders = self.filtered(lambda o: o.state != "cancel")
        with cancelled_together(orders):
            for order in orders:
                order._check_cancel_fee_value(fee)
                impact += order._get_cancel_impact_one(
                    receive_returns=bool(receive_returns),
                    refund_payments=bool(refund_payments),
                    fee=order._get_cancel_fee_amount(reason, fee),
                    reason=reason,
                )
        return impact

    def _get_cancel_impact_one(
        self, receive_returns=False, refund_payments=False, fee=0.0, reason=None
    ):
        """The preview of one order: its cancel plan, rendered (`sale_order_cancel_plan.py`)."""
        self.ensure_one()
        plan = self._prepare_cancel_plan(fee=fee, reason=reason)
        return self._get_cancel_plan_impact(plan, refund_payments=refund_payments, reason=reason)

    def _impact_line(self, action, record, quantity=False, amount=False):
        return {
            "action": action,
            "model": record._name,
            "res_id": record.id,
            "name": record.display_name,
            "quantity": quantity,
            "amount": amount,
        }

    def action_cancel(self):
        """Extend `sale.action_cancel`: a sales manager may cancel a locked order through the
        wizard, whose cancellation unlocks it and records that, so revoke locks it again."""
        if not (
            len(self) == 1
            and self.locked
            and self._show_cancel_wizard()
            and self.env.user.has_group("sales_team.group_sale_manager")
        ):
            return self._with_cancel_wizard_title(super().action_cancel())
        # Core refuses locked orders before building its wizard action. Show it the order
        # unlocked in the cache only (after writing any pending change, which the cache value
        # must not replace): nothing is written, the cancellation itself unlocks the order.
        self.flush_recordset(["locked"])
        self.env.cache.set(self, self._fields["locked"], False)
        try:
            return self._with_cancel_wizard_title(super().action_cancel())
        finally:
            self.invalidate_recordset(["locked"])

    def _with_cancel_wizard_title(self, action):
        """Core titles its wizard "Cancel %s" with `type_name`, whose words core's translation
        files do not offer to code ("取消Sales Order" in Chinese): one sentence per kind."""
        if isinstance(action, dict) and action.get("res_model") == "sale.order.cancel":
            if self[:1].state in ("draft", "sent"):
                action["name"] = self.env._("Cancel Quotation")
            else:
                action["name"] = self.env._("Cancel Sales Order")
        return action

    @api.returns("sale.order.cancellation")
    def cancel_with_reversal(
        self, reason, note=None, receive_returns=False, refund_payments=False, fee=None
    ):
        """Cancel and reverse what the orders caused; the public entry point of the engine."""
        reason = self._get_cancel_reason(reason)
        note = check_text(self, note, "note")
        receive_returns = check_bool(self, receive_returns, "receive_returns")
        refund_payments = check_bool(self, refund_payments, "refund_payments")
        fee = check_number(self, fee, "fee")
        return self._cancel_with_reversal(reason, note, receive_returns, refund_payments, fee)

    def _cancel_with_reversal(self, reason, note, receive_returns, refund_payments, fee=None):
        """The engine behind `cancel_with_reversal`, once its arguments are checked. Other
        modules call it with a reason they chose themselves (a termination records its own,
        possibly archived, "Order terminated" reason, and bills that reason's fee with the
        default `fee=None`); rights and locks are still checked here and in `_action_cancel`."""
        self._check_cancel_with_reversal(reason, note)
        fees, reason_fees = self._check_cancel_fee(reason, fee)
        # Checked first, locked after: a refused call never holds the lock (see lock_for_update
        # why what was checked before the lock cannot be stale).
        lock_for_update(self)
        locked = self.filtered("locked")
        options = CancelOptions(
            reason_id=reason.id,
            note=note or False,
            receive_returns=bool(receive_returns),
            refund_payments=bool(refund_payments),
            fee_amounts=fees,
            reason_fee_amounts=reason_fees,
            # Managers may cancel a locked order: unlocking is part of the cancellation and
            # recorded in its snapshot, so revoke locks it again.
            unlocked_order_ids=frozenset(locked.ids),
        )
        if locked:
            locked.write({"locked": False})
        # Not through the context: RPC clients set any context key, and these options decide
        # what is reversed and which rights it needs (see call_scope.py).
        with call_scope(self.env, CANCEL_OPTIONS_SCOPE, dict.fromkeys(self.ids, options)):
            self._action_cancel()
        return self.mapped(lambda order: order._get_last_cancellation())

    def _get_cancel_reason(self, reason):
        """The reason as given over RPC (record or id): existing, active, of the orders'
        company or shared."""
        return resolve_record(self, "sale.order.cancel.reason", reason, "reason")

    def _check_cancel_with_reversal(self, reason, note):
        for order in self:
            error = order._get_cancel_state_error()
            if error:
                raise error
            if reason.note_required and not (note or "").strip():
                raise UserError(
                    self.env._(
                        "The reason “%(reason)s” needs a note: explain why %(order)s is cancelled.",
                        reason=reason.name,
                        order=order.name,
                    )
                )

    # ------------------------------------------------------------------
    # Cancel: the hook every path crosses
    # ------------------------------------------------------------------
    def _action_cancel(self):
        """Extend `sale._action_cancel`: reverse deliveries, invoices and payments of confirmed
        orders and keep a ledger of it, whichever path cancelled them."""
        lock_for_update(self)
        orders = self.filtered(lambda o: o.state != "cancel")
        options = orders._get_cancel_options()
        # One plan, read before anything changes, checked and then applied: the preview's.
        reason = options.get_reason(self.env)
        with cancelled_together(orders):
            plans = {
                order.id: order._prepare_cancel_plan(fee=options.get_fee(order.id), reason=reason)
                for order in orders
            }
        orders._check_reversal_rights(options, plans)
        orders._split_shared_draft_invoices()
        ledger_vals = orders._prepare_cancellation_vals(options)
        orders._apply_cancel_plan_before_cancel(options, plans)
        res = super()._action_cancel()
        # Returns are created after super(): sale_stock cancels every open picking of the order.
        # One unit of provider refunds for all of them (see `_refund_refused`).
        with provider_refunds_unit(self.env):
            documents = orders._reverse_documents(options, plans)
        for order_id, values in documents.items():
            ledger_vals[order_id].update(values)
        # The ledger is the engine's record: users only read it, so it is written as superuser.
        cancellations = (
            self.env["sale.order.cancellation"]
            .sudo()
            .create(list(ledger_vals.values()))
            .with_env(self.env)
        )
        for cancellation in cancellations:
            cancellation.order_id._notify_cancellation_change(cancellation)
        with state_write_scope(orders):
            orders.write(
                {
                    "cancel_reason_id": options.reason_id,
                    "cancel_note": options.note,
                    "cancel_date": fields.Datetime.now(),
                    "cancel_user_id": self.env.user.id,
                }
            )
        return res

    def _apply_cancel_plan_before_cancel(self, options, plans):
        """Extension hook: apply what of the cancel `plans` (``{order id: plan}``) must change
        while the orders' deliveries are still open, before core cancels them (the rest is
        applied in `_reverse_documents`). Nothing here by default."""

    def _get_cancel_options(self):
        """The options (`CancelOptions`) cancel_with_reversal opened for these orders; the
        defaults on other paths (native button, mass cancel of other modules, crons)."""
        scope = get_call_scope(self.env, CANCEL_OPTIONS_SCOPE, {})
        return next((scope[order.id] for order in self if order.id in scope), CancelOptions())

    def _needs_reversal(self, plan=None):
        """Whether cancelling would create returns, credit notes or refunds (a pure predicate),
        read from the order's cancel `plan` when the caller has it."""
        self.ensure_one()
        if self.state != "sale":
            return False
        if plan is not None:
            return bool(plan["returns"] or plan["credits"])
        return bool(self._get_returnable_quantities() or self._get_invoices_to_credit())

    def _check_reversal_rights(self, options, plans=None):
        for order in self:
            error = order._get_reversal_rights_error(
                options.receive_returns,
                options.refund_payments,
                plan=(plans or {}).get(order.id),
            )
            if error:
                raise error

    def _prepare_cancellation_vals(self, options):
        """Snapshot, before anything changes, of what revoke must restore (per order id)."""
        result = {}
        for order in self:
            result[order.id] = {
                "order_id": order.id,
                "reason_id": options.reason_id,
                "note": options.note,
                "receive_returns": options.receive_returns,
                "refund_payments": options.refund_payments,
                "user_id": self.env.user.id,
                "date": fields.Datetime.now(),
                "amount_total": order.amount_total,
                "previous_state": order.state,
                "previous_locked": order.locked or order.id in options.unlocked_order_ids,
                "previous_date_order": order.date_order,
                "previous_signature": order.signature,
                "previous_signed_by": order.signed_by,
                "previous_signed_on": order.signed_on,
                "previous_receivable": order._get_open_receivable(),
                "cancelled_picking_ids": [Command.set(order._get_pickings_to_cancel().ids)],
                "cancelled_invoice_ids": [Command.set(order._get_invoices_to_cancel().ids)],
                "line_ids": [
                    Command.create(
                        {
                            "sale_line_id": line.id,
                            "qty_delivered": line.qty_delivered,
                            "qty_invoiced": line.qty_invoiced,
                            # What is still ordered: earlier cancellations of lines keep theirs.
                            "qty_cancelled": line._get_qty_ordered_in_force(),
                        }
                    )
                    for line in order.order_line.filtered(lambda sol: not sol.display_type)
                ],
            }
        return result

    # ------------------------------------------------------------------
    # Reversal documents
    # ------------------------------------------------------------------
    def _reverse_documents(self, options, plans=None):
        """Create the returns, credit notes and refunds of freshly cancelled orders from their
        cancel `plans` (``{order id: plan}``, see `_prepare_cancel_plan`; planned again when
        not given), batched over the orders, and return each order's documents as values for
        its ledger."""
        plans = plans or {order.id: order._prepare_cancel_plan() for order in self}
        returns = {
            order.id: order._create_cancel_returns(plans[order.id]["returns"]) for order in self
        }
        all_returns = self.env["stock.picking"].union(*returns.values())
        if options.receive_returns and all_returns:
            self._receive_returns(all_returns)
        reason = options.get_reason(self.env)
        fee_invoices = self._create_fee_invoices(reason, options.fee_amounts)
        no_invoice = self.env["account.move"]
        # Every order's credit notes together: one creation, one posting, one pass of refunds.
        credits = self._credit_invoices(
            options.refund_payments,
            keep={order.id: fee_invoices.get(order.id, no_invoice).amount_total for order in self},
            reason=reason,
            credits={order.id: plans[order.id]["credits"] for order in self},
        )
        # The credit the customer holds on earlier credit notes pays the fee too.
        self._settle_fee_invoices(
            fee_invoices,
            {
                order.id: credits[order.id][0] | order._get_open_earlier_credit_notes()
                for order in self
            },
        )
        return {
            order.id: {
                "return_picking_ids": [Command.set(returns[order.id].ids)],
                "credit_note_ids": [Command.set(credits[order.id][0].ids)],
                "refund_payment_ids": [Command.set(credits[order.id][1].ids)],
                "fee_invoice_id": fee_invoices.get(order.id, no_invoice).id,
                "fee_amount": fee_invoices.get(order.id, no_invoice).amount_total,
                "reason_fee_amount": options.get_reason_fee(order.id),
                "fee_policy": order._get_fee_policy(
                    options.get_fee(order.id), options.get_reason_fee(order.id)
                ),
            }
            for order in self
        }
