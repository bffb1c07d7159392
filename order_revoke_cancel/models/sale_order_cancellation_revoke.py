"""Revoking a cancellation: what stands in its way, its plan read from the ledger
(`_prepare_revoke_plan`, which the revoke preview renders and `_revoke` applies), and the
undo itself (returns cancelled, invoices restored, deliveries planned again, credit notes
reversed by new invoices, the fee credited). The ledger's fields and messages are in
`sale_order_cancellation`."""

from datetime import timedelta

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare

from ..tools import (
    check_text,
    lock_for_update,
    picking_demand,
    reconcile_receivables_each,
)
from ..tools.call_scope import state_write_scope


class SaleOrderCancellationRevoke(models.Model):
    _inherit = "sale.order.cancellation"

    # ------------------------------------------------------------------
    # Revoke
    # ------------------------------------------------------------------
    def _get_revoke_blockers(self):
        """Everything that stands in the way of an exact revoke, as sentences for one message."""
        self.ensure_one()
        blockers = []
        if self.state != "cancelled":
            blockers.append(self.env._("It was revoked already."))
        later = self._get_later_cancellation()
        if later:
            blockers.append(
                self.env._(
                    "The later cancellation “%s” of the same lines is in force: revoke it first.",
                    later.display_name,
                )
            )
        company = self.company_id
        if company.revoke_cancel_days and self.date:
            limit = self.date + timedelta(days=company.revoke_cancel_days)
            if fields.Datetime.now() > limit:
                blockers.append(
                    self.env._(
                        "The revoke window of %(days)s days ended on %(date)s.",
                        days=company.revoke_cancel_days,
                        date=fields.Date.to_string(limit),
                    )
                )
        today = fields.Date.context_today(self)
        for credit_note in self.credit_note_ids.filtered(lambda m: m.state == "posted"):
            lock_date = company._get_user_fiscal_lock_date(credit_note.journal_id)
            if lock_date >= today:
                blockers.append(
                    self.env._(
                        "Journal %(journal)s is locked until %(date)s: the entry reversing "
                        "%(move)s cannot be posted.",
                        journal=credit_note.journal_id.display_name,
                        date=fields.Date.to_string(lock_date),
                        move=credit_note.name,
                    )
                )
        for credit_note in self.credit_note_ids.filtered(lambda m: m.state != "posted"):
            blockers.append(
                self.env._(
                    "Credit note %(move)s is no longer posted; repost or reverse it by hand first.",
                    move=credit_note.display_name,
                )
            )
        fee_invoice = self.fee_invoice_id
        if fee_invoice and fee_invoice.state != "posted":
            blockers.append(
                self.env._(
                    "Fee invoice %(move)s is no longer posted; repost it first, so that revoke "
                    "can credit it.",
                    move=fee_invoice.display_name,
                )
            )
        elif fee_invoice and company._get_user_fiscal_lock_date(fee_invoice.journal_id) >= today:
            blockers.append(
                self.env._(
                    "Journal %(journal)s is locked until %(date)s: the credit note of the fee "
                    "invoice %(move)s cannot be posted.",
                    journal=fee_invoice.journal_id.display_name,
                    date=fields.Date.to_string(
                        company._get_user_fiscal_lock_date(fee_invoice.journal_id)
                    ),
                    move=fee_invoice.name,
                )
            )
        for invoice in self.cancelled_invoice_ids.filtered(lambda m: m.state != "cancel"):
            if invoice.state == "posted":
                blockers.append(
                    self.env._(
                        "Invoice %(move)s was posted after the cancellation.",
                        move=invoice.name,
                    )
                )
        return blockers

    def _prepare_revoke_plan(self):
        """What revoking this cancellation does, read from its ledger before anything changes:
        ``{'returns': its returns not yet received, cancelled; 'invoices': its cancelled
        draft invoices, back to draft; 'redeliver': {sale line: quantity delivered again, by
        Odoo's procurement}; 'credit_notes': its posted credit notes, reversed by new
        invoices; 'refunds': [(refund payment or provider refund, amount)] money paid back that
        is due again; 'fee_invoice': its posted fee invoice, credited; 'voided': the
        authorizations it voided, which cannot be restored}``.

        Why one plan: the revoke wizard previews it (`_get_revoke_impact`) and `_revoke`
        applies exactly it, so what the user confirms is what is done."""
        self.ensure_one()
        # A refund the provider has not confirmed yet has no payment: it is due again too
        # (read as superuser, see `_get_provider_refunds`).
        paid = self.sudo().refund_payment_ids
        refunds = [(payment, payment.amount) for payment in self.refund_payment_ids]
        refunds += [
            (refund, -refund.amount)
            for refund in self._get_provider_refunds().filtered(lambda t: t.payment_id not in paid)
        ]
        return {
            "returns": self._get_return_pickings().filtered(
                lambda p: p.state not in ("done", "cancel")
            ),
            "invoices": self.cancelled_invoice_ids.filtered(lambda m: m.state == "cancel"),
            "redeliver": self._get_qty_to_redeliver(),
            "credit_notes": self.credit_note_ids.filtered(lambda m: m.state == "posted"),
            "refunds": refunds,
            "fee_invoice": self.fee_invoice_id.filtered(lambda m: m.state == "posted"),
            # Authorizations the cancellation voided: gone, the revoke only says so.
            "voided": self._get_voided_transactions(),
        }

    def _get_revoke_impact(self):
        """Preview of `_revoke`, in the shape of `sale.order.get_cancel_impact`: the revoke
        plans of the cancellations rendered."""
        impact = []
        for cancellation in self:
            impact += cancellation._get_revoke_plan_impact(cancellation._prepare_revoke_plan())
        return impact

    def _get_revoke_plan_impact(self, plan):
        """The preview lines of a revoke `plan` (`_prepare_revoke_plan`)."""
        self.ensure_one()
        order = self.order_id
        impact = [
            order._impact_line("cancel_return", picking, picking_demand(picking))
            for picking in plan["returns"]
        ]
        if plan["redeliver"]:
            impact.append(
                {
                    "action": "new_delivery",
                    "model": "sale.order",
                    "res_id": order.id,
                    "name": order.name,
                    "quantity": sum(plan["redeliver"].values()),
                    "amount": False,
                }
            )
        impact += [
            order._impact_line("restore_invoice", invoice, False, invoice.amount_total)
            for invoice in plan["invoices"]
        ]
        impact += [
            order._impact_line("reverse_credit_note", credit_note, False, credit_note.amount_total)
            for credit_note in plan["credit_notes"]
        ]
        impact += [
            order._impact_line("reconcile_payment", refund, False, amount)
            for refund, amount in plan["refunds"]
        ]
        for voided in plan["voided"]:
            # Shown, not done: a voided authorization cannot be restored.
            line = order._impact_line("void_transaction", voided, False, voided.amount)
            line["note"] = self.env._(
                "Voided: it cannot be restored, the order is to be paid again."
            )
            impact.append(line)
        fee_invoice = plan["fee_invoice"]
        if fee_invoice:
            impact.append(
                order._impact_line(
                    "credit_fee_invoice", fee_invoice, False, fee_invoice.amount_total
                )
            )
        return impact

    def _get_qty_to_redeliver(self):
        """Per sale line, what revoke delivers again: the ordered quantity less what is still
        delivered once the returns not yet received are cancelled. That is what came back,
        what a pick or pack had brought on the way (it leaves from where it waits, or from
        stock if its return was received) and what was not delivered yet."""
        self.ensure_one()
        result = {}
        if self.previous_state != "sale":
            return result
        if self.scope == "lines":
            return self._get_qty_to_replan()
        for snapshot in self.line_ids:
            line = snapshot.sale_line_id
            if line.product_id.type != "consu" or line.is_expense:
                continue
            # Odoo's count once the order is live again, not what the customer holds now.
            missing = line._get_qty_ordered_in_force() - line._get_qty_delivered_in_force()
            if float_compare(missing, 0, precision_rounding=line.product_uom.rounding) > 0:
                result[line] = missing
        return result

    def _get_qty_to_replan(self):
        """Per sale line, what procurement plans again when this cancellation of lines is
        revoked: what it cancelled, less what its returns not yet received still bring back
        (revoke cancels them, so those goods stay with the customer)."""
        self.ensure_one()
        result = {}
        open_returns = self._get_return_pickings().filtered(
            lambda p: p.state not in ("done", "cancel")
        )
        for snapshot in self.line_ids:
            line = snapshot.sale_line_id
            if line.product_id.type != "consu" or line.is_expense:
                continue
            back = sum(
                move.product_uom._compute_quantity(move.product_uom_qty, line.product_uom)
                for move in open_returns.move_ids
                if move.sale_line_id == line and move.to_refund
            )
            procured = line._get_qty_procurement() - snapshot.qty_cancelled + back
            missing = line.product_uom_qty - procured
            if float_compare(missing, 0, precision_rounding=line.product_uom.rounding) > 0:
                result[line] = missing
        return result

    def _get_later_cancellation(self):
        """A cancellation in force made after this one on any of its lines: it has to be
        revoked first, since what it cancelled was computed from what this one left."""
        self.ensure_one()
        lines = self.line_ids.filtered("qty_cancelled").sale_line_id
        return self.order_id.cancellation_ids.filtered(
            lambda c: (
                c.state == "cancelled"
                and c.id > self.id
                and c.line_ids.filtered("qty_cancelled").sale_line_id & lines
            )
        )[:1]

    # ------------------------------------------------------------------
    # Public: revoke this cancellation
    # ------------------------------------------------------------------
    @api.returns("sale.order.cancellation")
    def revoke(self, note=None):
        """Revoke these cancellations (of whole orders or of lines), each the latest one in
        force on its lines, exactly as their ledger recorded them."""
        note = check_text(self, note, "note")
        for cancellation in self:
            error = cancellation.order_id._get_revoke_cancel_error(cancellation)
            if error:
                raise error
        lock_for_update(self.order_id)
        return self.order_id._revoke_cancellations(self, note)

    def action_revoke(self):
        """Open the revoke wizard on this cancellation (its preview and note)."""
        self.ensure_one()
        action = self.order_id.action_revoke_cancel()
        action["context"] = dict(action["context"], default_cancellation_id=self.id)
        return action

    def _revoke(self, note=None):
        """Undo the cancellations in `self` (one per order) from what their ledger recorded,
        batched over the orders."""
        self._check_revocable()
        orders = self.order_id
        # One plan per cancellation, read before anything changes: the preview's.
        plans = {cancellation: cancellation._prepare_revoke_plan() for cancellation in self}
        returns = self.env["stock.picking"].union(*(plan["returns"] for plan in plans.values()))
        returns.action_cancel()
        restored = self.env["account.move"].union(*(plan["invoices"] for plan in plans.values()))
        restored.button_draft()
        pickings_before = orders.picking_ids
        whole = self.filtered(lambda c: c.scope == "order")
        for cancellation in whole:
            with state_write_scope(cancellation.order_id):
                cancellation.order_id.write(cancellation._prepare_order_restore_vals())
        confirmed = whole.filtered(lambda c: c.previous_state == "sale")
        # Goods still at a pick or pack step go on from there; the rest is procured from stock.
        confirmed.order_id._continue_held_deliveries()
        confirmed.order_id.order_line._action_launch_stock_rule()
        # A cancellation of lines stops counting as cancelled before procurement runs again,
        # which then plans its quantities anew (the ledger's state, written as superuser as
        # below, after the caller's right to revoke was checked).
        of_lines = self - whole
        of_lines.sudo().write({"state": "revoked"})
        for order in of_lines.order_id:
            order._replan_deliveries()
        invoices = self._reverse_credit_notes(
            self.env["account.move"].union(*(plan["credit_notes"] for plan in plans.values()))
        )
        fee_credit_notes = self._credit_fee_invoices(invoices)
        # Relock only now: a locked order does not launch procurement.
        whole.filtered("previous_locked").order_id.write({"locked": True})
        new_pickings = orders.picking_ids - pickings_before
        for cancellation in self:
            # The ledger is evidence: no user may write it (read-only access rights), only
            # this method, whose caller's right to revoke was checked by revoke_cancel.
            cancellation.sudo().write(
                {
                    **cancellation._prepare_revoke_vals(
                        note, returns, restored, new_pickings, invoices
                    ),
                    "fee_credit_note_id": fee_credit_notes.get(cancellation.id, False),
                }
            )
            cancellation.order_id._notify_cancellation_change(cancellation, revoked=True)
        return self

    def _get_revoke_refusal(self):
        """Why this cancellation cannot be revoked (one message), or False; none for an empty
        record (an order cancelled before this addon)."""
        blockers = self and self._get_revoke_blockers()
        if not blockers:
            return False
        return self.env._(
            "The cancellation of %(order)s cannot be revoked:\n%(blockers)s",
            order=self.order_id.name,
            blockers="\n".join(f"- {b}" for b in blockers),
        )

    def _check_revocable(self):
        messages = [c._get_revoke_refusal() for c in self]
        messages = [message for message in messages if message]
        if messages:
            raise UserError("\n\n".join(messages))

    def _prepare_revoke_vals(self, note, returns, restored, new_pickings, invoices):
        """Ledger values of a revoke, from the documents the batch touched."""
        return {
            "state": "revoked",
            "revoke_user_id": self.env.user.id,
            "revoke_date": fields.Datetime.now(),
            "revoke_note": note,
            "revoke_cancelled_return_ids": [
                Command.set((returns & self._get_return_pickings()).ids)
            ],
            "revoke_picking_ids": [
                Command.set(new_pickings.filtered(lambda p: p.sale_id == self.order_id).ids)
            ],
            "revoke_invoice_ids": [
                Command.set(
                    invoices.filtered(lambda m: m.reversed_entry_id in self.credit_note_ids).ids
                )
            ],
            "restored_invoice_ids": [Command.set((restored & self.cancelled_invoice_ids).ids)],
        }

    def _prepare_order_restore_vals(self):
        return {
            "state": self.previous_state or "draft",
            "locked": False,
            "date_order": self.previous_date_order,
            "signature": self.previous_signature,
            "signed_by": self.previous_signed_by,
            "signed_on": self.previous_signed_on,
            "cancel_reason_id": False,
            "cancel_note": False,
            "cancel_date": False,
            "cancel_user_id": False,
        }

    def _reverse_credit_notes(self, credit_notes):
        """Undo `credit_notes` (posted, of these cancellations) with new posted invoices:
        reversing a credit note gives an invoice linked to the same sale lines, so
        `qty_invoiced` and the receivable come back without touching any posted entry."""
        today = fields.Date.context_today(self)
        return credit_notes._reverse_by_invoices(
            [self._prepare_revoke_invoice_vals(credit_note, today) for credit_note in credit_notes]
        )

    def _credit_fee_invoices(self, revoke_invoices):
        """Undo the fee invoices with posted credit notes ({cancellation id: credit note id}).
        The credit note settles what is still open of its fee invoice; what the fee had taken
        from the customer's payments comes back as credit against the invoices revoke bills
        again, so the receivable is what it was before the cancellation."""
        cancellations = self.filtered(lambda c: c.fee_invoice_id.state == "posted")
        if not cancellations:
            return {}
        today = fields.Date.context_today(self)
        fee_invoices = cancellations.fee_invoice_id
        credit_notes = fee_invoices._reverse_moves(
            [cancellation._prepare_fee_credit_note_vals(today) for cancellation in cancellations]
        )
        credit_notes.action_post()
        pairs = list(zip(cancellations, credit_notes, strict=True))
        reconcile_receivables_each(c.fee_invoice_id | credit_note for c, credit_note in pairs)
        reconcile_receivables_each(
            credit_note
            | revoke_invoices.filtered(lambda m, c=c: m.reversed_entry_id in c.credit_note_ids)
            for c, credit_note in pairs
        )
        return {c.id: credit_note.id for c, credit_note in pairs}

    def _prepare_fee_credit_note_vals(self, date):
        return {
            "ref": self.env._("Revoked cancellation: fee invoice %s", self.fee_invoice_id.name),
            "date": date,
            "invoice_date": date,
            "invoice_date_due": False,
            "invoice_payment_term_id": False,
        }

    def _prepare_revoke_invoice_vals(self, credit_note, date):
        return {
            "ref": self.env._("Revoked cancellation: %s", credit_note.name),
            "date": date,
            "invoice_date": date,
            "invoice_date_due": False,
            "invoice_payment_term_id": credit_note.reversed_entry_id.invoice_payment_term_id.id,
        }
