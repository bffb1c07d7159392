"""Closing lines: a short close of chosen lines of a confirmed order (`close_lines`), settled at
what was delivered exactly as the forced close settles the whole order (the same plan,
`_prepare_short_close_plan(lines)`, in `sale_order_close`), and its exact undo
(`reopen_lines`). When every product line is closed or fully cancelled, the order closes itself.

The line's side (its close fields, which only `close_lines` and `reopen_lines` write, and what a
closed line refuses) is in `sale_order_line`.
"""

from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import float_compare

from odoo.addons.order_revoke_cancel.tools import (
    check_bool,
    check_one,
    check_text,
    lock_for_update,
)
from odoo.addons.order_revoke_cancel.tools.call_scope import call_scope, state_write_scope

from .sale_order import REOPEN_SCOPE


class SaleOrderCloseLines(models.Model):
    _inherit = "sale.order"  # pylint: disable=consider-merging-classes-inherited

    close_by_lines = fields.Boolean(
        "Closed by Its Lines",
        readonly=True,
        copy=False,
        help="The order closed itself when its last product line was closed or cancelled.",
    )
    can_close_lines = fields.Boolean(
        compute="_compute_can_close_lines",
        help="Whether `close_lines` works for the current user on some line of the order.",
    )
    can_reopen_lines = fields.Boolean(
        compute="_compute_can_close_lines",
        help="Whether `reopen_lines` works for the current user on some closed line.",
    )

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    @api.depends(
        "state",
        "is_closed",
        "close_by_lines",
        "termination_request_ids.state",
        "hold_reason_id.blocks",
        "order_line.is_closed",
        "order_line.qty_delivered",
        "order_line.qty_invoiced",
        "invoice_ids.state",
    )
    @api.depends_context("uid")
    def _compute_can_close_lines(self):
        """The checks of `close_lines` and `reopen_lines` themselves, for some line."""
        for order in self:
            order.can_close_lines = order.state == "sale" and not order._get_close_lines_error()
            order.can_reopen_lines = (
                order.state == "sale"
                and bool(order.order_line.filtered("is_closed"))
                and not order._get_reopen_lines_error()
            )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def get_close_lines_impact(self, line_ids, refund_payments=False):
        """What `close_lines(line_ids, reason, refund_payments=refund_payments)` would do, one
        dict per document, in the shape of `get_cancel_impact`: actions ``cancel_picking``,
        ``reduce_picking`` (the lines' moves taken out of a transfer that carries on),
        ``return_picking`` (picked goods back to stock), ``credit_note``, ``refund_payment`` /
        ``customer_credit``, ``reverse_writeoff``, and ``close_order`` when the order closes
        with them. Read-only: it changes nothing."""
        check_one(self, "get_close_lines_impact")
        refund_payments = check_bool(self, refund_payments, "refund_payments")
        lines = self._resolve_order_lines(line_ids)
        message = self._get_closable_lines_error(lines)
        if message:
            raise UserError(message)
        return self._get_close_lines_plan_impact(
            self._prepare_short_close_plan(lines), lines, refund_payments
        )

    def close_lines(self, line_ids, reason, note=None, refund_payments=False):
        """Short-close the lines `line_ids` (ids or records of this order's lines): settled at
        what was delivered, as the forced close settles the order. Their open moves are
        cancelled (in every step; a transfer of nothing else is cancelled whole), goods picked
        or packed for them go back to stock, what was invoiced beyond what was delivered is
        credited (`refund_payments`: paid back, else kept as credit). Same rights as a forced
        close. When every product line is then closed or fully cancelled, the order is closed
        (short). Returns True."""
        check_one(self, "close_lines")
        refund_payments = check_bool(self, refund_payments, "refund_payments")
        note = check_text(self, note, "note")
        lines = self._resolve_order_lines(line_ids)
        reason = self._get_close_reason(reason)
        error = self._get_close_lines_error(lines, reason, refund_payments)
        if error:
            raise error
        lock_for_update(self)
        plan = self._prepare_short_close_plan(lines)
        cancelled = plan["moves"] | plan["pickings"].move_ids.filtered(
            lambda m: m.state not in ("done", "cancel")
        )
        # Its credit notes are the close's own documents (see HOLD_ENGINE_SCOPE).
        with self._hold_engine_scope():
            done = self._apply_short_close_plan(plan, refund_payments)
        credit_notes, refunds = self._split_close_documents(lines, done)
        now = fields.Datetime.now()
        with state_write_scope(lines):
            for line in lines:
                line.write(
                    {
                        "is_closed": True,
                        "close_date": now,
                        "close_user_id": self.env.user.id,
                        "close_reason_id": reason.id,
                        "close_note": note or False,
                        "close_cancelled_move_ids": [
                            Command.set(
                                cancelled.filtered(lambda m, sol=line: m.sale_line_id == sol).ids
                            )
                        ],
                        "close_return_picking_ids": [
                            Command.link(picking.id)
                            for picking in done["returns"]
                            if line in picking.move_ids.sale_line_id
                        ],
                        "close_credit_note_ids": [Command.set(credit_notes[line].ids)],
                        "close_refund_payment_ids": [Command.set(refunds[line].ids)],
                    }
                )
        self._post_close_lines_message(lines, reason, note, done)
        self._close_if_lines_settled(reason, note)
        return True

    def _split_close_documents(self, lines, done):
        """({line: its credit notes}, {line: its refunds}) of a close of `lines`: a credit note
        belongs to the lines it credits, a refund to the lines of the credit note it pays out,
        so that a line closed with others but credited alone is reopened alone."""
        credit_notes, refunds = {}, {}
        for line in lines:
            credit_notes[line] = done["credit_notes"].filtered(
                lambda m, sol=line: sol in m.invoice_line_ids.sale_line_ids
            )
            refunds[line] = done["refunds"].filtered(
                lambda p, cns=credit_notes[line]: p.reconciled_invoice_ids & cns
            )
        if any(credit_notes.values()) and not any(refunds.values()):
            # A refund not found through its reconciliation stays with every credited line.
            for line in lines.filtered(lambda sol: credit_notes[sol]):
                refunds[line] = done["refunds"]
        return credit_notes, refunds

    def reopen_lines(self, line_ids, note):
        """Termination managers reopen closed lines: the close's credit notes are undone by
        posted invoices and what its cancelled moves were to deliver is planned again, as the
        reopen of a short-closed order does; an order that had closed itself with them is
        reopened too. Lines closed together with one credit note or refund are reopened
        together. Returns True."""
        check_one(self, "reopen_lines")
        note = check_text(self, note, "note")
        lines = self._resolve_order_lines(line_ids)
        error = self._get_reopen_lines_error(lines, note)
        if error:
            raise error
        lock_for_update(self)
        credit_notes = lines.close_credit_note_ids.filtered(lambda m: m.state == "posted")
        reopened_order = self.is_closed
        with call_scope(self.env, REOPEN_SCOPE, self.ids):
            if reopened_order:
                with state_write_scope(self):
                    self.write(self._prepare_reopen_vals())
            with state_write_scope(lines):
                lines.write(
                    {
                        "is_closed": False,
                        "close_date": False,
                        "close_user_id": False,
                        "close_reason_id": False,
                        "close_note": False,
                        "close_cancelled_move_ids": [Command.clear()],
                        "close_credit_note_ids": [Command.clear()],
                        "close_refund_payment_ids": [Command.clear()],
                    }
                )
            # A line is only ever closed short: what it no longer had to deliver is planned again.
            invoices = self._undo_short_close(credit_notes, True, lines)
        body = Markup("<p>%s</p><p>%s</p>") % (
            self.env._("Lines reopened: %s.", self._get_close_line_names(lines)),
            note,
        )
        if reopened_order:
            body += Markup("<p>%s</p>") % self.env._("The order is open again.")
        if invoices:
            body += Markup("<p>%s %s</p>") % (
                self.env._("Invoices reversing the credit notes of the close:"),
                Markup(", ").join(invoice._get_html_link() for invoice in invoices),
            )
        self.message_post(body=body, subtype_xmlid="order_termination.mt_order_closed")
        return True

    def reopen(self, note):
        """Extend: an order that closed itself with its lines reopens with them."""
        by_lines = {
            order: order.order_line.filtered("is_closed")
            for order in self.filtered("close_by_lines")
        }
        res = super().reopen(note)
        for order, lines in by_lines.items():
            order.reopen_lines(lines, note)
        return res

    def action_close_lines(self):
        self.ensure_one()
        return self._open_wizard("sale.order.close.lines.wizard", self.env._("Close Lines"))

    def action_reopen_lines(self):
        self.ensure_one()
        return self._open_wizard("sale.order.reopen.lines.wizard", self.env._("Reopen Lines"))

    # ------------------------------------------------------------------
    # Business: checks
    # ------------------------------------------------------------------
    def _resolve_order_lines(self, line_ids):
        """The lines of this order that `line_ids` (records, ids or one id, as RPC sends them)
        designate; anything else is refused with one clear message."""
        self.ensure_one()
        Line = self.env["sale.order.line"]
        if isinstance(line_ids, models.BaseModel) and line_ids._name == "sale.order.line":
            ids = line_ids.ids
        elif isinstance(line_ids, int) and not isinstance(line_ids, bool):
            ids = [line_ids]
        elif isinstance(line_ids, (list, tuple)) and all(
            isinstance(i, int) and not isinstance(i, bool) for i in line_ids
        ):
            ids = list(line_ids)
        else:
            raise UserError(
                self.env._(
                    "The lines to close or reopen on %(order)s must be given as a list of line "
                    "ids, not %(value)s.",
                    order=self.name,
                    value=repr(line_ids)[:80],
                )
            )
        lines = Line.browse(ids)
        foreign = [i for i in ids if i not in self.order_line.ids]
        if foreign:
            raise UserError(
                self.env._(
                    "The line ids %(ids)s are not lines of %(order)s: choose lines of this order.",
                    ids=", ".join(map(str, foreign)),
                    order=self.name,
                )
            )
        return lines

    def _get_closable_lines(self):
        """The lines `close_lines` may still close (open, not fully cancelled)."""
        return self.order_line.filtered(
            lambda line: (
                line._is_closable_line() and not line.is_closed and not line._is_fully_cancelled()
            )
        )

    def _get_close_lines_error(self, lines=None, reason=None, refund_payments=False):
        """The error `close_lines(lines, reason, refund_payments=...)` raises for the current
        user, or False where it works; without `lines`: whether it works for some line (the
        Close Lines button, `reason` then not asked). A pure predicate."""
        self.ensure_one()
        names = self.name
        if not (
            self.env.su or self.env.user.has_group("order_termination.group_termination_manager")
        ):
            return AccessError(
                self.env._(
                    "Closing lines of %s needs the right to manage order terminations and "
                    "closing, as a short close does: ask a termination manager.",
                    names,
                )
            )
        if refund_payments and not self._can_reverse_documents():
            return AccessError(
                self.env._(
                    "Only users allowed to cancel with reversal may refund payments when closing "
                    "lines of %s; close them without a refund or ask your sales manager.",
                    names,
                )
            )
        if self.state != "sale":
            return UserError(
                self.env._(
                    "%s is not a confirmed order: only lines of a confirmed order can be closed.",
                    names,
                )
            )
        message = self._get_order_editable_error("close")
        if message:
            return UserError(message)
        if lines is None:
            if not self._get_closable_lines():
                return UserError(self.env._("%s has no open product line left to close.", names))
            return False
        message = self._get_closable_lines_error(lines)
        if message:
            return UserError(message)
        if not reason:
            return UserError(self.env._("Choose a close reason to close lines of %s.", names))
        return False

    def _get_closable_lines_error(self, lines):
        """Why `lines` of this order cannot be closed short, rights and holds aside, or False
        (pure): the refusals of the forced close, per line."""
        self.ensure_one()
        if not lines:
            return self.env._("Choose the lines of %s to close.", self.name)
        names = self._get_close_line_names
        wrong = lines.filtered(lambda line: not line._is_closable_line())
        if wrong:
            return self.env._(
                "%(lines)s of %(order)s cannot be closed on their own: only product and "
                "service lines are closed line by line.",
                lines=names(wrong),
                order=self.name,
            )
        wrong = lines.filtered("is_closed")
        if wrong:
            return self.env._(
                "%(lines)s of %(order)s are already closed.", lines=names(wrong), order=self.name
            )
        wrong = lines.filtered(lambda line: line._is_fully_cancelled())
        if wrong:
            return self.env._(
                "%(lines)s of %(order)s are cancelled in full: there is nothing left to close.",
                lines=names(wrong),
                order=self.name,
            )
        drafts = self.invoice_ids.filtered(
            lambda m: m.state == "draft" and m.invoice_line_ids.sale_line_ids & lines
        )
        if drafts:
            # As for the order: a draft would count as invoiced and be posted (or not) after
            # the lines were settled without it.
            return self.env._(
                "%(order)s has draft invoices for %(lines)s: post or cancel them before "
                "closing these lines.",
                order=self.name,
                lines=self._get_close_line_names(drafts.invoice_line_ids.sale_line_ids & lines),
            )
        uninvoiced = lines.filtered(
            lambda line: (
                float_compare(
                    line.qty_delivered,
                    line.qty_invoiced,
                    precision_rounding=line.product_uom.rounding or 0.01,
                )
                > 0
            )
        )
        if uninvoiced:
            return self.env._(
                "%(order)s has delivered %(lines)s that are not invoiced yet: invoice them "
                "before closing these lines.",
                order=self.name,
                lines=self._get_close_line_names(uninvoiced),
            )
        return False

    def _get_reopen_lines_error(self, lines=None, note="-"):
        """The error `reopen_lines(lines, note)` raises for the current user, or False; without
        `lines`: whether it works for some closed line (the Reopen Lines button). Pure."""
        self.ensure_one()
        if not (
            self.env.su or self.env.user.has_group("order_termination.group_termination_manager")
        ):
            return AccessError(
                self.env._(
                    "Only termination managers may reopen lines of %s. Ask your sales manager.",
                    self.name,
                )
            )
        if self.is_closed and not self.close_by_lines:
            return UserError(
                self.env._("%s is closed as a whole: reopen the order, then its lines.", self.name)
            )
        with call_scope(self.env, REOPEN_SCOPE, self.ids):
            message = self._get_order_editable_error("modify")
        if message:
            return UserError(message)
        if lines is None:
            return False
        if not (note or "").strip():
            return UserError(
                self.env._("Say why lines of %s are reopened: a note is required.", self.name)
            )
        if not lines:
            return UserError(self.env._("Choose the closed lines of %s to reopen.", self.name))
        open_lines = lines.filtered(lambda line: not line.is_closed)
        if open_lines:
            return UserError(
                self.env._(
                    "%(lines)s of %(order)s are not closed: there is nothing to reopen.",
                    lines=self._get_close_line_names(open_lines),
                    order=self.name,
                )
            )
        documents = lines.close_credit_note_ids | lines.close_refund_payment_ids.move_id
        together = self.order_line.filtered(
            lambda line: (
                line.is_closed
                and line not in lines
                and (line.close_credit_note_ids | line.close_refund_payment_ids.move_id) & documents
            )
        )
        if together:
            return UserError(
                self.env._(
                    "%(lines)s of %(order)s were closed together with %(others)s, with the same "
                    "credit notes: reopen them together.",
                    lines=self._get_close_line_names(lines),
                    order=self.name,
                    others=self._get_close_line_names(together),
                )
            )
        return False

    # ------------------------------------------------------------------
    # Business: the order closed by its lines
    # ------------------------------------------------------------------
    def _get_lines_closing_order(self):
        """The lines whose close (or full cancellation) closes the order: every product line
        the checklist judges, the delivery charge aside (it goes with the goods)."""
        return self._get_close_lines().filtered(
            lambda line: line._is_closable_line() and not line._is_delivery()
        )

    def _are_lines_settled(self, closing=None):
        """Whether every line that closes the order is closed or fully cancelled, counting
        `closing` (lines about to be closed) as closed (pure)."""
        self.ensure_one()
        lines = self._get_lines_closing_order()
        closing = closing or lines.browse()
        return bool(lines) and all(
            line in closing or line.is_closed or line._is_fully_cancelled() for line in lines
        )

    def _close_if_lines_settled(self, reason=None, note=None):
        """Close the confirmed orders whose product lines are all closed or fully cancelled
        (short, `close_forced`, when a line was closed). What `close_lines` calls after
        closing lines, and what a partial cancellation calls after cancelling some."""
        for order in self.filtered(lambda o: o.state == "sale" and not o.is_closed):
            if not order._are_lines_settled():
                continue
            forced = bool(order._get_lines_closing_order().filtered("is_closed"))
            vals = order._prepare_close_vals(reason or order.env["sale.close.reason"], note, forced)
            vals["close_by_lines"] = True
            with state_write_scope(order):
                order.write(vals)
            order.message_post(
                body=Markup("<p>%s</p>")
                % order.env._(
                    "Every product line of the order is closed or cancelled: the order is closed."
                ),
                subtype_xmlid="order_termination.mt_order_closed",
            )

    def _prepare_reopen_vals(self):
        vals = super()._prepare_reopen_vals()
        vals["close_by_lines"] = False
        return vals

    @api.model
    def _get_state_field_methods(self):
        """Extend: the order closed by its lines."""
        methods = super()._get_state_field_methods()
        methods["close_by_lines"] = ("close_lines", "reopen_lines", "reopen")
        for name in ("is_closed", "close_reason_id", "close_note", "close_date", "close_user_id"):
            methods[name] = (*methods[name], "close_lines", "reopen_lines")
        return methods

    def _get_reversal_returns(self):
        """Extend: the returns of closed lines took goods off their way to the customer too."""
        return super()._get_reversal_returns() | self.order_line.close_return_picking_ids

    # ------------------------------------------------------------------
    # Business: the checklist reads lines
    # ------------------------------------------------------------------
    def _get_undelivered_lines(self):
        """Extend: a closed line is settled at what was delivered."""
        return super()._get_undelivered_lines().filtered(lambda line: not line.is_closed)

    def _get_lines_to_invoice(self):
        """Extend: a closed line is settled once what was delivered is invoiced."""
        return (
            super()
            ._get_lines_to_invoice()
            .filtered(
                lambda line: (
                    not line.is_closed
                    or float_compare(
                        line.qty_invoiced,
                        line.qty_delivered,
                        precision_rounding=line.product_uom.rounding or 0.01,
                    )
                    < 0
                )
            )
        )

    # ------------------------------------------------------------------
    # Preview and chatter
    # ------------------------------------------------------------------
    def _get_close_lines_plan_impact(self, plan, lines, refund_payments=False):
        """The preview lines of closing `lines` with `plan` (see `get_close_lines_impact`)."""
        self.ensure_one()
        impact = self._get_short_close_impact(plan, refund_payments)
        if self._are_lines_settled(lines):
            impact.append(self._impact_line("close_order", self, False, False))
        return impact

    def _get_close_lines_impact_html(self, lines, refund_payments=False):
        """The wizard's preview: the sentences of `get_close_lines_impact`, or why not."""
        self.ensure_one()
        message = self._get_closable_lines_error(lines)
        if message:
            return Markup("<p>%s</p>") % message
        plan = self._prepare_short_close_plan(lines)
        return self._render_close_impact(
            self._get_close_lines_plan_impact(plan, lines, refund_payments),
            self.env._(
                "Nothing is open or invoiced beyond what was delivered: the lines are simply "
                "marked closed."
            ),
        )

    def _post_close_lines_message(self, lines, reason, note, done):
        body = Markup("<p>%s</p>") % self.env._(
            "Lines closed short, settled at what was delivered: %s.",
            self._get_close_line_names(lines),
        )
        body += Markup("<p>%s</p>") % self.env._("Reason: %s", reason.name)
        if note:
            body += Markup("<p>%s</p>") % note
        for label, records in (
            (self.env._("Transfers cancelled:"), done["pickings"]),
            (self.env._("Transfers reduced:"), done["moves"].picking_id - done["pickings"]),
            (self.env._("Returns to stock:"), done["returns"]),
            (self.env._("Credit notes:"), done["credit_notes"]),
            (self.env._("Refunds:"), done["refunds"]),
        ):
            if records:
                body += Markup("<p>%s %s</p>") % (
                    label,
                    Markup(", ").join(record._get_html_link() for record in records),
                )
        self.message_post(body=body, subtype_xmlid="order_termination.mt_order_closed")

    # ------------------------------------------------------------------
    # Cancelling lines (order_revoke_cancel)
    # ------------------------------------------------------------------
    def _check_line_cancel_quantities(self, quantities):
        """Extend order_revoke_cancel: a closed line is settled; it is reopened before any of
        it is cancelled."""
        result = super()._check_line_cancel_quantities(quantities)
        for line in result:
            if line.is_closed:
                raise UserError(
                    self.env._(
                        "The line “%(line)s” of %(order)s is closed: reopen it before "
                        "cancelling any of it.",
                        line=line.name,
                        order=self.name,
                    )
                )
        return result

    def _cancel_lines(self, quantities, reason, note, receive_returns, refund_payments, fee=None):
        """Extend order_revoke_cancel: the order closes itself when the cancelled lines were its
        last open ones (every product line closed or cancelled in full)."""
        cancellation = super()._cancel_lines(
            quantities, reason, note, receive_returns, refund_payments, fee
        )
        if cancellation.scope == "lines":
            self._close_if_lines_settled()
        return cancellation
