"""Cancelling part of an order: quantities of some lines, with the same reversal as a whole
cancellation (returns, credit notes, refunds, fee, ledger, revoke), while the order stays
confirmed.

Why through Odoo's procurement: a line keeps its ordered quantity and counts what its
cancellations in force took off as procured (`sale.order.line._get_qty_procurement`), so
Odoo's own procurement reduces or cancels the open moves in every step of the delivery, as it
does when a quantity is lowered, and plans them again when the cancellation is revoked. What
was delivered already comes back through the engine's returns; what was invoiced beyond the
quantity left is credited by the engine's credit plan.
"""

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare, float_is_zero

from ..tools import (
    check_bool,
    check_number,
    check_text,
    lock_for_update,
    picking_demand,
    resolve_record,
)


class SaleOrderLineCancel(models.Model):
    _inherit = "sale.order"  # pylint: disable=consider-merging-classes-inherited

    can_cancel_lines = fields.Boolean(compute="_compute_can_cancel_lines")

    @api.depends("state", "locked")
    @api.depends_context("uid")
    def _compute_can_cancel_lines(self):
        """The check of `cancel_lines` without quantities (`_get_line_cancel_state_error`)."""
        for order in self:
            order.can_cancel_lines = bool(order.id) and not order._get_line_cancel_state_error()

    # ------------------------------------------------------------------
    # API and preview
    # ------------------------------------------------------------------
    def get_line_cancel_impact(
        self, quantities, receive_returns=False, refund_payments=False, fee=None, reason=None
    ):
        """Every document `cancel_lines` with the same arguments would create or change, in the
        shape of `get_cancel_impact`; changes nothing. Cancelling every line in full is the
        whole order's cancellation, and previewed as such."""
        self.ensure_one()
        quantities = self._check_line_cancel_quantities(quantities)
        fee = check_number(self, fee, "fee")
        reason = resolve_record(self, "sale.order.cancel.reason", reason, "reason", required=False)
        if self._cancels_every_line(quantities):
            return self.get_cancel_impact(receive_returns, refund_payments, fee, reason)
        base = self._get_line_cancel_amount(quantities)
        self._check_cancel_fee_value(fee, base)
        plan = self._prepare_line_cancel_plan(
            quantities, fee=self._get_cancel_fee_amount(reason, fee, base), reason=reason
        )
        return self._get_cancel_plan_impact(
            plan, refund_payments=bool(refund_payments), reason=reason
        )

    @api.returns("sale.order.cancellation")
    def cancel_lines(
        self, quantities, reason, note=None, receive_returns=False, refund_payments=False, fee=None
    ):
        """Cancel `quantities` (``{sale line id: quantity in the line's unit}``) of this
        order's lines and reverse what they caused; the order stays confirmed, unless every line
        is cancelled in full, which cancels the order."""
        self.ensure_one()
        reason = self._get_cancel_reason(reason)
        note = check_text(self, note, "note")
        receive_returns = check_bool(self, receive_returns, "receive_returns")
        refund_payments = check_bool(self, refund_payments, "refund_payments")
        fee = check_number(self, fee, "fee")
        quantities = self._check_line_cancel_quantities(quantities)
        if self._cancels_every_line(quantities):
            return self._cancel_with_reversal(reason, note, receive_returns, refund_payments, fee)
        return self._cancel_lines(quantities, reason, note, receive_returns, refund_payments, fee)

    def action_cancel_lines(self):
        """Open the Cancel Lines wizard (its lines, quantities, options and preview)."""
        self.ensure_one()
        error = self._get_line_cancel_state_error()
        if error:
            raise error
        return {
            "name": self.env._("Cancel Lines of %s", self.name),
            "type": "ir.actions.act_window",
            "res_model": "sale.order.cancel.lines",
            "view_mode": "form",
            "target": "new",
            "context": {"default_order_id": self.id},
        }

    # ------------------------------------------------------------------
    # Checks
    # ------------------------------------------------------------------
    def _check_line_cancel_quantities(self, quantities):
        """`quantities` as sent over RPC (``{line id: quantity}``, ids as numbers or as the
        strings JSON makes of them), checked: lines of this order that can be cancelled, each
        quantity more than zero and at most what is still ordered. Returns ``{sale line:
        quantity}``."""
        self.ensure_one()
        if not isinstance(quantities, dict) or not quantities:
            raise UserError(
                self.env._(
                    "Say which lines of %s to cancel: give a quantity to cancel for each of them.",
                    self.name,
                )
            )
        result = {}
        for key, value in quantities.items():
            line_id = _as_id(key)
            line = self.order_line.filtered(lambda sol, line_id=line_id: sol.id == line_id)
            if not line:
                raise UserError(
                    self.env._(
                        "Line %(line)s is not a line of %(order)s: choose lines of this order.",
                        line=key,
                        order=self.name,
                    )
                )
            if not line._can_cancel_quantity():
                raise UserError(
                    self.env._(
                        "The line “%(line)s” of %(order)s cannot be cancelled on its own (a "
                        "section, note, down payment or combo): cancel the whole order instead.",
                        line=line.name,
                        order=self.name,
                    )
                )
            qty = check_number(self, value, "quantities")
            rounding = line.product_uom.rounding or 0.01
            if qty is None or float_compare(qty, 0.0, precision_rounding=rounding) <= 0:
                raise UserError(
                    self.env._(
                        "The quantity to cancel of “%(line)s” on %(order)s must be more than zero.",
                        line=line.name,
                        order=self.name,
                    )
                )
            left = line._get_qty_ordered_in_force()
            if float_compare(qty, left, precision_rounding=rounding) > 0:
                raise UserError(
                    self.env._(
                        "Only %(left)s %(uom)s of “%(line)s” are still ordered on %(order)s: "
                        "cancel at most that much.",
                        left=left,
                        uom=line.product_uom.name,
                        line=line.name,
                        order=self.name,
                    )
                )
            result[line] = qty
        return result

    def _get_line_cancel_state_error(self):
        """Why lines of this order cannot be cancelled now, or False (a pure predicate, behind
        the button): only a confirmed order has lines to cancel, and the cancel's own checks
        (locked, closed, on hold) apply."""
        self.ensure_one()
        if self.state != "sale":
            return UserError(
                self.env._(
                    "Only lines of a confirmed order can be cancelled, and %s is not confirmed: "
                    "edit the quotation, or cancel it.",
                    self.name,
                )
            )
        return self._get_cancel_error()

    def _cancels_every_line(self, quantities):
        """Whether `quantities` cancel all that is still ordered of every line that can be
        cancelled: that is the order's cancellation."""
        self.ensure_one()
        lines = self.order_line.filtered(lambda sol: sol._can_cancel_quantity())
        if self.order_line.filtered(
            lambda sol: (
                not sol.display_type and not sol.is_downpayment and not sol._can_cancel_quantity()
            )
        ):
            return False
        return all(
            float_is_zero(
                line._get_qty_ordered_in_force() - quantities.get(line, 0.0),
                precision_rounding=line.product_uom.rounding or 0.01,
            )
            for line in lines
        )

    def _get_line_cancel_amount(self, quantities):
        """What the cancelled quantities were ordered for, taxes included: the base of a
        reason's percentage fee."""
        self.ensure_one()
        total = 0.0
        for line, qty in quantities.items():
            if line.product_uom_qty:
                total += line.price_total * qty / line.product_uom_qty
        return self.currency_id.round(total)

    # ------------------------------------------------------------------
    # Plan
    # ------------------------------------------------------------------
    def _prepare_line_cancel_plan(self, quantities, fee=0.0, reason=None):
        """What cancelling `quantities` (``{sale line: quantity}``) does, in the shape of
        `_prepare_cancel_plan` plus ``'quantities'``, ``'reversed_steps'`` (``{done pick or
        pack: quantity sent back to stock}``, see `sale.order.line._get_moves_to_reduce`) and
        ``'to_credit'`` (``{sale line: quantity
        to credit}``): the quantity comes first out of what is not delivered yet, then out of
        what was delivered (returns), and what was invoiced beyond what is left is credited."""
        self.ensure_one()
        reduced, reversed_steps, returns, to_credit = {}, {}, {}, {}
        for line, qty in quantities.items():
            rounding = line.product_uom.rounding or 0.01
            in_force = line._get_qty_ordered_in_force()
            undelivered = max(in_force - line.qty_delivered, 0.0)
            from_open = min(qty, undelivered)
            from_delivered = qty - from_open
            if line.product_id.type == "consu" and not line.is_expense:
                line_reduced, line_reversed = line._get_moves_to_reduce(from_open)
                reduced.update(line_reduced)
                for picking, qty_back in line_reversed.items():
                    reversed_steps[picking] = reversed_steps.get(picking, 0.0) + qty_back
                if float_compare(from_delivered, 0.0, precision_rounding=rounding) > 0:
                    for picking, moves in line._get_line_return_quantities(from_delivered).items():
                        returns.setdefault(picking, {}).update(moves)
            excess = line.qty_invoiced_posted - (in_force - qty)
            if float_compare(excess, 0.0, precision_rounding=rounding) > 0:
                to_credit[line] = excess
        fee_total = 0.0
        if fee:
            fee_total = self._get_fee_invoice_total(self._prepare_fee_invoice_vals(reason, fee))
        return {
            "quantities": quantities,
            "pickings_to_cancel": self.env["stock.picking"],
            "reduced": reduced,
            "reversed_steps": reversed_steps,
            "returns": returns,
            "drafts": [],
            "to_credit": to_credit,
            "credits": self._get_credit_plan(to_credit) if to_credit else [],
            "fee": fee,
            "fee_total": fee_total,
            "purchases": (),
        }

    # ------------------------------------------------------------------
    # Execution
    # ------------------------------------------------------------------
    def _cancel_lines(self, quantities, reason, note, receive_returns, refund_payments, fee=None):
        """The engine behind `cancel_lines`, once its arguments are checked: the rights and the
        order's state are checked here, the plan is read before anything changes and applied
        as it was previewed. Returns the cancellation."""
        self.ensure_one()
        error = self._get_line_cancel_state_error()
        if error:
            raise error
        # Checked again: a caller may hold quantities read earlier (a termination request).
        quantities = self._check_line_cancel_quantities(
            {line.id: qty for line, qty in quantities.items()}
        )
        if self._cancels_every_line(quantities):
            return self._cancel_with_reversal(reason, note, receive_returns, refund_payments, fee)
        self._check_cancel_with_reversal(reason, note)
        # Cancelling lines changes the order: the caller must be allowed to change it.
        self.check_access("write")
        self._check_line_cancel_drafts(quantities)
        base = self._get_line_cancel_amount(quantities)
        fees, reason_fees = self._check_cancel_fee(reason, fee, base)
        lock_for_update(self)
        plan = self._prepare_line_cancel_plan(quantities, fee=fees[self.id], reason=reason)
        error = self._get_reversal_rights_error(receive_returns, refund_payments, plan=plan)
        if error:
            raise error
        returns = self._create_returns(plan["returns"]) if plan["returns"] else None
        returns = returns or self.env["stock.picking"]
        if receive_returns and returns:
            self._receive_returns(returns)
        # The ledger first: the quantities it cancels are what procurement no longer procures.
        # The ledger is the engine's record: users only read it, so it is written as superuser.
        cancellation = (
            self.env["sale.order.cancellation"]
            .sudo()
            .create(
                self._prepare_line_cancellation_vals(
                    plan, reason, note, receive_returns, refund_payments
                )
            )
            .with_env(self.env)
        )
        cancelled_pickings, changed_pickings = self._replan_line_cancel(cancellation, plan)
        fee_invoices = self._create_fee_invoices(reason, fees)
        fee_invoice = fee_invoices.get(self.id, self.env["account.move"])
        earlier = self._get_open_earlier_credit_notes()
        credit_notes, refunds = self._credit_invoices(
            refund_payments,
            quantities=plan["to_credit"],
            keep=fee_invoice.amount_total,
            reason=reason,
            credits=plan["credits"],
        )
        self._settle_fee_invoices(fee_invoices, {self.id: credit_notes | earlier})
        cancellation.sudo().write(
            {
                "cancelled_picking_ids": [Command.set(cancelled_pickings.ids)],
                "reduced_picking_ids": [Command.set(changed_pickings.ids)],
                "return_picking_ids": [Command.set(returns.ids)],
                "credit_note_ids": [Command.set(credit_notes.ids)],
                "refund_payment_ids": [Command.set(refunds.ids)],
                "fee_invoice_id": fee_invoice.id,
                "fee_amount": fee_invoice.amount_total,
                "reason_fee_amount": reason_fees.get(self.id, 0.0),
                "fee_policy": self._get_fee_policy(fees[self.id], reason_fees.get(self.id, 0.0)),
            }
        )
        self._notify_cancellation_change(cancellation)
        return cancellation

    def _replan_line_cancel(self, cancellation, plan):
        """Let procurement follow the quantities in force once `cancellation` (of lines, made
        from `plan`) is recorded; return the deliveries it cancelled and those it changed.

        Hook: an addon whose documents Odoo's procurement changes on the way (purchases)
        extends it to apply its part of `plan` around this step (before it while the open
        moves still expect the cancelled quantities, after it once they no longer do) and to
        record it on `cancellation`."""
        self.ensure_one()
        pickings_before = self.picking_ids
        open_before = pickings_before.filtered(lambda p: p.state not in ("done", "cancel"))
        demand_before = {picking: picking_demand(picking) for picking in open_before}
        self._replan_deliveries()
        cancelled_pickings = open_before.filtered(lambda p: p.state == "cancel")
        changed_pickings = (open_before - cancelled_pickings).filtered(
            lambda p: p.state != "cancel" and picking_demand(p) != demand_before[p]
        ) | (self.picking_ids - pickings_before)
        return cancelled_pickings, changed_pickings

    def _check_line_cancel_drafts(self, quantities):
        """A draft invoice that holds a line to cancel would bill what is cancelled: it must be
        posted (then credited) or deleted first."""
        self.ensure_one()
        for line in quantities:
            drafts = line.invoice_lines.move_id.filtered(lambda m: m.state == "draft")
            if drafts:
                raise UserError(
                    self.env._(
                        "The draft invoice %(invoice)s bills “%(line)s” of %(order)s: post it "
                        "or delete it before cancelling that line.",
                        invoice=drafts[0].display_name,
                        line=line.name,
                        order=self.name,
                    )
                )

    def _replan_deliveries(self):
        """Let Odoo's procurement follow the quantities in force of the lines: it reduces or
        cancels the open moves of what was cancelled, and plans again what a revoke gives
        back. A locked order launches no procurement: unlocked for this step only."""
        self.ensure_one()
        locked = self.locked
        if locked:
            self.locked = False
        self.order_line._action_launch_stock_rule()
        if locked:
            self.locked = True

    def _prepare_line_cancellation_vals(self, plan, reason, note, receive_returns, refund_payments):
        """Ledger values of a cancellation of lines, before anything changes."""
        self.ensure_one()
        return {
            "order_id": self.id,
            "scope": "lines",
            "reason_id": reason.id,
            "note": note or False,
            "receive_returns": bool(receive_returns),
            "refund_payments": bool(refund_payments),
            "user_id": self.env.user.id,
            "date": fields.Datetime.now(),
            "amount_total": self._get_line_cancel_amount(plan["quantities"]),
            "previous_state": self.state,
            "previous_locked": self.locked,
            "previous_date_order": self.date_order,
            "previous_receivable": self._get_open_receivable(),
            "line_ids": [
                Command.create(
                    {
                        "sale_line_id": line.id,
                        "qty_delivered": line.qty_delivered,
                        "qty_invoiced": line.qty_invoiced,
                        "qty_cancelled": qty,
                    }
                )
                for line, qty in plan["quantities"].items()
            ],
        }


def _as_id(key):
    """A record id sent as a dict key: JSON turns numbers into strings there."""
    if isinstance(key, bool):
        return 0
    if isinstance(key, int):
        return key
    if isinstance(key, str) and key.strip().isdigit():
        return int(key)
    return 0
