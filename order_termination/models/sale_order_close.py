"""Close, short close and reopen: closing a finished order (it stays confirmed but is locked),
the forced ("short") close that settles it at what was delivered, and the managers' reopen
that undoes exactly what the close did. The close's own fields (reason, who, when, what a
short close changed) and the Close buttons' flags live here.

Apart from the checklist (`sale_order_close_checklist`), which decides whether an order is
finished, and from the guard (`sale_order_hold`), which keeps closed orders locked.
"""

from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import float_compare, format_datetime

from odoo.addons.order_revoke_cancel.tools import (
    check_bool,
    check_text,
    format_quantity,
    lock_for_update,
    picking_demand,
    resolve_record,
)
from odoo.addons.order_revoke_cancel.tools.call_scope import call_scope, state_write_scope

from .sale_order import REOPEN_SCOPE

# Checks a forced ("short") close may not skip.
UNFORCEABLE_CODES = ("confirmed", "no_pending_termination")


class SaleOrderClose(models.Model):
    _inherit = "sale.order"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    close_banner = fields.Char(compute="_compute_close_banner")
    can_close_order = fields.Boolean(
        compute="_compute_can_close_order",
        help="Whether `close` works for the current user as the order is now.",
    )
    can_force_close_order = fields.Boolean(
        compute="_compute_can_close_order",
        help="Whether a forced (short) close, with a reason, works for the current user.",
    )
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

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
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
        "hold_reason_id.blocks",
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

    # ------------------------------------------------------------------
    # Actions
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
                # Its credit notes are the close's own documents (see HOLD_ENGINE_SCOPE).
                with order._hold_engine_scope():
                    vals.update(order._short_close(refund_payments))
            with state_write_scope(order):
                order.write(vals)
            order._post_close_message(reason, note, force)
        return True

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

    def action_close_order(self):
        self.ensure_one()
        return self._open_wizard("sale.order.close.wizard", self.env._("Close Order"))

    def action_reopen_order(self):
        self.ensure_one()
        return self._open_wizard("sale.order.reopen.wizard", self.env._("Reopen Order"))

    # ------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------
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
        if self._can_reverse_documents():
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
                checks="\n".join(
                    # One translatable item: Chinese puts a full-width colon between them.
                    self.env._("- %(check)s: %(detail)s", check=c["label"], detail=c["detail"])
                    for c in failed
                ),
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

    def _get_qty_to_credit_on_close(self, lines=None):
        """{sale line: posted quantity invoiced beyond what was delivered}, of `lines` (by
        default the goods lines, `_get_short_close_lines`)."""
        if lines is None:
            lines = self._get_short_close_lines()
        result = {}
        for line in lines:
            excess = line.qty_invoiced_posted - line.qty_delivered
            if float_compare(excess, 0.0, precision_rounding=line.product_uom.rounding or 0.01) > 0:
                result[line] = excess
        return result

    def _prepare_short_close_plan(self, lines=None):
        """What a short close of `lines` does (the whole order when None: all its lines), read
        once before anything changes: the preview renders it and the close applies it, so what
        the user was shown is what is made (`_get_short_close_impact`,
        `_apply_short_close_plan`). ``{'pickings': open transfers cancelled whole, 'moves':
        open moves cancelled out of transfers that carry on with other lines, 'returns': {done
        pick or pack: {move: quantity}} taking what waits in Output or Packing back to stock,
        'quantities': {sale line: quantity to credit}, 'credits': the credit plan of
        order_revoke_cancel for them}``."""
        self.ensure_one()
        if lines is None:
            pickings = self.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
            moves = self.env["stock.move"]
            done_moves = None  # every done move of the order
            credited = self._get_short_close_lines()
        else:
            open_moves = lines.move_ids.filtered(lambda m: m.state not in ("done", "cancel"))
            pickings = open_moves.picking_id.filtered(
                lambda p: (
                    not (
                        p.move_ids.filtered(lambda m: m.state not in ("done", "cancel"))
                        - open_moves
                    )
                )
            )
            moves = open_moves - pickings.move_ids
            done_moves = lines.move_ids.filtered(lambda m: m.state == "done" and not m.scrapped)
            credited = lines
        quantities = self._get_qty_to_credit_on_close(credited)
        return {
            "pickings": pickings,
            "moves": moves,
            "returns": self._get_step_return_quantities(done_moves),
            "quantities": quantities,
            "credits": self._get_credit_plan(quantities),
        }

    def _get_short_close_impact(self, plan, refund_payments=False):
        """The preview lines of a short close `plan`, in the shape of `get_cancel_impact`:
        ``cancel_picking`` (a transfer cancelled), ``reduce_picking`` (the closed lines' moves
        taken out of a transfer that carries on), ``return_picking`` (goods of a done step
        back to stock, received at once), then the credit notes and the money of
        order_revoke_cancel (``credit_note``, ``refund_payment`` or ``customer_credit``...)."""
        self.ensure_one()
        impact = []
        for picking in plan["pickings"]:
            impact.append(self._impact_line("cancel_picking", picking, picking_demand(picking)))
        for picking in plan["moves"].picking_id:
            qty = sum(
                plan["moves"]
                .filtered(lambda m, p=picking: m.picking_id == p)
                .mapped("product_uom_qty")
            )
            impact.append(self._impact_line("reduce_picking", picking, qty))
        for picking, quantities in plan["returns"].items():
            impact.append(self._impact_line("return_picking", picking, sum(quantities.values())))
        impact += self._get_credit_impact(refund_payments, credits=plan["credits"], whole=False)
        return impact

    def _describe_close_impact(self, item):
        """One sentence for a staff user per preview line of a close."""
        amount = (item["amount"] and self.currency_id.format(item["amount"])) or ""
        qty = format_quantity(self.env, item["quantity"] or 0.0)
        messages = {
            "cancel_picking": self.env._(
                "Transfer %(picking)s (%(qty)s units) is cancelled.", picking=item["name"], qty=qty
            ),
            "reduce_picking": self.env._(
                "%(qty)s units of the closed lines are taken out of transfer %(picking)s.",
                picking=item["name"],
                qty=qty,
            ),
            "return_picking": self.env._(
                "%(qty)s units picked with %(picking)s go back to stock.",
                picking=item["name"],
                qty=qty,
            ),
            "credit_note": self.env._(
                "Invoice %(invoice)s is credited for %(amount)s.",
                invoice=item["name"],
                amount=amount,
            ),
            "reverse_writeoff": self.env._(
                "The discount or write-off on %(invoice)s is reversed for %(amount)s.",
                invoice=item["name"],
                amount=amount,
            ),
            "refund_payment": self.env._("%s already paid is refunded to the customer.", amount),
            "customer_credit": self.env._(
                "%s already paid stays on the customer's account as credit.", amount
            ),
            "refund_transaction": self.env._(
                "%s already paid online is refunded through the payment provider.", amount
            ),
            **self._get_purchase_impact_sentences(item),
            "close_order": self.env._(
                "Every product line is then closed or cancelled: %s is closed.", self.name
            ),
        }
        return messages.get(item["action"], item["name"])

    def _get_short_close_impact_html(self, refund_payments=False):
        """The close wizard's preview of a forced close of the whole order: the sentences of
        `_get_short_close_impact` on the plan `close(force=True)` applies."""
        self.ensure_one()
        return self._render_close_impact(
            self._get_short_close_impact(self._prepare_short_close_plan(), refund_payments),
            self.env._(
                "Nothing is open or invoiced beyond what was delivered: the order is simply closed."
            ),
        )

    def _render_close_impact(self, items, empty):
        """Preview lines of a close as an HTML list of sentences (`empty` when none)."""
        if not items:
            return Markup("<p>%s</p>") % empty
        return Markup("<ul>%s</ul>") % Markup("").join(
            Markup("<li>%s</li>") % self._describe_close_impact(item) for item in items
        )

    def _apply_short_close_plan(self, plan, refund_payments=False):
        """Do what `plan` says (see `_prepare_short_close_plan`). Open transfers and moves are
        cancelled; goods a done pick or pack left in Output or Packing go back to stock through
        the engine's returns of those steps, received at once (nobody may validate a transfer
        of a closed order or line, and they never left the warehouse); what was invoiced beyond
        the deliveries is credited by the reversal engine of order_revoke_cancel (refunded or
        kept as credit as for a cancellation). Returns ``{'pickings', 'moves', 'returns',
        'credit_notes', 'refunds'}``, for the reopen."""
        self.ensure_one()
        plan["pickings"].action_cancel()
        moves = plan["moves"].filtered(lambda m: m.state not in ("done", "cancel"))
        moves._action_cancel()
        returns = self._create_returns(plan["returns"])
        self._receive_returns(returns)
        credit_notes, refunds = self._credit_invoices(
            refund_payments, quantities=plan["quantities"], credits=plan["credits"]
        )
        return {
            "pickings": plan["pickings"],
            "moves": plan["moves"],
            "returns": returns,
            "credit_notes": credit_notes,
            "refunds": refunds,
        }

    def _short_close(self, refund_payments=False):
        """Forced close: settle the whole order at what was delivered (the short close of all
        its lines, see `_apply_short_close_plan`). Returns the order values recording it, for
        `reopen`."""
        self.ensure_one()
        done = self._apply_short_close_plan(self._prepare_short_close_plan(), refund_payments)
        return {
            "close_cancelled_picking_ids": [Command.set(done["pickings"].ids)],
            "close_return_picking_ids": [Command.link(picking.id) for picking in done["returns"]],
            "close_credit_note_ids": [Command.set(done["credit_notes"].ids)],
            "close_refund_payment_ids": [Command.set(done["refunds"].ids)],
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

    def _undo_short_close(self, credit_notes, replan, lines=None):
        """Put back what a short close of `lines` (the whole order when None) did: its credit
        notes are undone by posted invoices reversing them (as revoke does), and (`replan`)
        what its cancelled transfers were to deliver and what its returns took back to stock
        is planned again through the standard procurement, the whole chain from stock.
        Returns the new invoices."""
        self.ensure_one()
        if lines is None:
            lines = self.order_line
        today = fields.Date.context_today(self)
        invoices = credit_notes._reverse_by_invoices(
            [self._prepare_reopen_invoice_vals(credit_note, today) for credit_note in credit_notes]
        )
        if replan and self.state == "sale":
            # A locked order does not launch procurement: unlock for that step only.
            locked = self.locked
            if locked:
                self.locked = False
            lines._action_launch_stock_rule()
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

    def _try_close(self, reason, note, force=False):
        """Close one order; return the refusal message instead of raising it."""
        self.ensure_one()
        try:
            with self.env.cr.savepoint():
                self.close(reason=reason, note=note, force=force)
        except (UserError, AccessError) as error:
            return str(error.args[0] if error.args else error)
        return False
