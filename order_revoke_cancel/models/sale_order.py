from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import float_compare, float_is_zero

from .tools import (
    check_bool,
    check_text,
    lock_for_update,
    picking_demand,
    reconcile_receivables,
    resolve_record,
)

CANCEL_OPTIONS_KEY = "order_cancel_options"


class SaleOrder(models.Model):
    _inherit = "sale.order"

    cancel_reason_id = fields.Many2one(
        "sale.cancel.reason", readonly=True, copy=False, tracking=True, check_company=True
    )
    cancel_note = fields.Text(readonly=True, copy=False)
    cancel_date = fields.Datetime("Cancelled On", readonly=True, copy=False, tracking=True)
    cancel_user_id = fields.Many2one(
        "res.users", "Cancelled By", readonly=True, copy=False, tracking=True
    )
    cancellation_ids = fields.One2many("sale.order.cancellation", "order_id", readonly=True)
    cancellation_count = fields.Integer(compute="_compute_cancellation_count")
    can_revoke_cancel = fields.Boolean(compute="_compute_can_revoke_cancel")

    @api.depends("cancellation_ids")
    def _compute_cancellation_count(self):
        for order in self:
            order.cancellation_count = len(order.cancellation_ids)

    @api.depends("state")
    @api.depends_context("uid")
    def _compute_can_revoke_cancel(self):
        allowed = self.env.user.has_group("order_revoke_cancel.group_revoke_cancel")
        for order in self:
            order.can_revoke_cancel = allowed and order.state == "cancel"

    # ------------------------------------------------------------------
    # Cancel
    # ------------------------------------------------------------------
    def get_cancel_impact(self):
        """Every document a cancellation would create or cancel; changes nothing."""
        impact = []
        for order in self.filtered(lambda o: o.state != "cancel"):
            impact += order._get_cancel_impact_one()
        return impact

    def _get_cancel_impact_one(self):
        self.ensure_one()
        impact = []
        for picking in self._get_pickings_to_cancel():
            impact.append(self._impact_line("cancel_picking", picking, picking_demand(picking)))
        for picking, quantities in self._get_returnable_quantities().items():
            impact.append(self._impact_line("return_picking", picking, sum(quantities.values())))
        for invoice in self._get_invoices_to_cancel():
            impact.append(self._impact_line("cancel_invoice", invoice, False, invoice.amount_total))
        for invoice in self._get_invoices_to_credit():
            impact.append(
                self._impact_line("credit_note", invoice, False, invoice._uncredited_amount())
            )
            if invoice._refundable_amount():
                impact.append(
                    self._impact_line(
                        "refund_payment", invoice, False, invoice._refundable_amount()
                    )
                )
        for purchase in self._get_cancel_purchase_orders():
            impact.append(self._impact_line("notify_purchase", purchase, False, False))
        return impact

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
            return super().action_cancel()
        return self._get_cancel_wizard_action()

    def _get_cancel_wizard_action(self):
        """The native cancel wizard of `sale.action_cancel`, which refuses locked orders."""
        self.ensure_one()
        template = self.env.ref("sale.mail_template_sale_cancellation", raise_if_not_found=False)
        lang = self.env.context.get("lang")
        if template and template.lang:
            lang = template._render_lang(self.ids)[self.id]
        return {
            "name": self.env._("Cancel %s", self.type_name),
            "view_mode": "form",
            "res_model": "sale.order.cancel",
            "view_id": self.env.ref("sale.sale_order_cancel_view_form").id,
            "type": "ir.actions.act_window",
            "context": {
                "default_template_id": template.id if template else False,
                "default_order_id": self.id,
                "mark_so_as_canceled": True,
                "default_email_layout_xmlid": (
                    "mail.mail_notification_layout_with_responsible_signature"
                ),
                "model_description": self.with_context(lang=lang).type_name,
            },
            "target": "new",
        }

    @api.returns("sale.order.cancellation")
    def cancel_with_reversal(self, reason, note=None, receive_returns=False, refund_payments=False):
        """Cancel and reverse what the orders caused; the public entry point of the engine."""
        reason = self._get_cancel_reason(reason)
        note = check_text(self, note, "note")
        receive_returns = check_bool(self, receive_returns, "receive_returns")
        refund_payments = check_bool(self, refund_payments, "refund_payments")
        self._check_cancel_with_reversal(reason, note)
        # Checked first, locked after: a refused call never holds the lock (see lock_for_update
        # why what was checked before the lock cannot be stale).
        lock_for_update(self)
        options = {
            "reason_id": reason.id,
            "note": note or False,
            "receive_returns": bool(receive_returns),
            "refund_payments": bool(refund_payments),
        }
        locked = self.filtered("locked")
        if locked:
            # Managers may cancel a locked order: unlocking is part of the cancellation and
            # recorded in its snapshot, so revoke locks it again.
            options["unlocked_order_ids"] = locked.ids
            locked.write({"locked": False})
        self.with_context(**{CANCEL_OPTIONS_KEY: options})._action_cancel()
        return self.mapped(lambda order: order._get_last_cancellation())

    def _get_cancel_reason(self, reason):
        """The reason as given over RPC (record or id): existing, active, of the orders'
        company or shared."""
        return resolve_record(self, "sale.cancel.reason", reason, "reason")

    def _check_cancel_with_reversal(self, reason, note):
        for order in self:
            if order.state == "cancel":
                raise UserError(
                    self.env._(
                        "%s is already cancelled. Revoke its cancellation first if you need "
                        "to cancel it again.",
                        order.name,
                    )
                )
            if reason.note_required and not (note or "").strip():
                raise UserError(
                    self.env._(
                        "The reason “%(reason)s” needs a note: explain why %(order)s is cancelled.",
                        reason=reason.name,
                        order=order.name,
                    )
                )
            if order.locked and not (
                self.env.su or self.env.user.has_group("sales_team.group_sale_manager")
            ):
                raise UserError(
                    self.env._(
                        "%s is locked. Ask a sales manager to cancel it, or to unlock it first.",
                        order.name,
                    )
                )

    def _action_cancel(self):
        """Extend `sale._action_cancel`: reverse deliveries, invoices and payments of confirmed
        orders and keep a ledger of it, whichever path cancelled them."""
        options = self.env.context.get(CANCEL_OPTIONS_KEY) or {}
        lock_for_update(self)
        orders = self.filtered(lambda o: o.state != "cancel")
        orders._check_reversal_rights(options)
        ledger_vals = orders._prepare_cancellation_vals(options)
        res = super()._action_cancel()
        # Returns are created after super(): sale_stock cancels every open picking of the order.
        for order_id, documents in orders._reverse_documents(options).items():
            ledger_vals[order_id].update(documents)
        # The ledger is the engine's record: users only read it, so it is written as superuser.
        cancellations = (
            self.env["sale.order.cancellation"]
            .sudo()
            .create(list(ledger_vals.values()))
            .with_env(self.env)
        )
        for cancellation in cancellations:
            cancellation.order_id._notify_cancellation_change(cancellation)
        orders.write(
            {
                "cancel_reason_id": options.get("reason_id", False),
                "cancel_note": options.get("note", False),
                "cancel_date": fields.Datetime.now(),
                "cancel_user_id": self.env.user.id,
            }
        )
        return res

    def _needs_reversal(self):
        """Whether cancelling would create returns, credit notes or refunds (a pure predicate)."""
        self.ensure_one()
        return bool(
            self.state == "sale"
            and (self._get_returnable_quantities() or self._get_invoices_to_credit())
        )

    def _check_reversal_rights(self, options):
        if self.env.su or self.env.user.has_group("order_revoke_cancel.group_cancel_reversal"):
            return
        needing = self.filtered(lambda o: o._needs_reversal())
        if needing or options.get("refund_payments") or options.get("receive_returns"):
            raise AccessError(
                self.env._(
                    "Cancelling %s creates returns, credit notes or refunds, which only users "
                    "allowed to cancel with reversal may do. Ask your sales manager.",
                    ", ".join((needing or self).mapped("name")),
                )
            )

    def _prepare_cancellation_vals(self, options):
        """Snapshot, before anything changes, of what revoke must restore (per order id)."""
        result = {}
        for order in self:
            result[order.id] = {
                "order_id": order.id,
                "reason_id": options.get("reason_id", False),
                "note": options.get("note", False),
                "receive_returns": options.get("receive_returns", False),
                "refund_payments": options.get("refund_payments", False),
                "user_id": self.env.user.id,
                "date": fields.Datetime.now(),
                "amount_total": order.amount_total,
                "previous_state": order.state,
                "previous_locked": order.locked
                or order.id in options.get("unlocked_order_ids", []),
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
                        }
                    )
                    for line in order.order_line.filtered(lambda sol: not sol.display_type)
                ],
            }
        return result

    def _get_pickings_to_cancel(self):
        return self.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))

    def _get_invoices_to_cancel(self):
        return self.invoice_ids.filtered(lambda m: m.state == "draft")

    def _get_invoices_to_credit(self):
        return self.invoice_ids.filtered(
            lambda m: (
                m.state == "posted"
                and m.move_type == "out_invoice"
                and not float_is_zero(
                    m._uncredited_amount(), precision_rounding=m.currency_id.rounding
                )
            )
        )

    def _get_open_receivable(self):
        invoices = self.invoice_ids.filtered(lambda m: m.state == "posted")
        return sum(invoices.mapped("amount_residual_signed"))

    def _get_returnable_quantities(self):
        """{done customer delivery: {move: quantity delivered and not yet returned}}."""
        result = {}
        pickings = self.picking_ids.filtered(
            lambda p: p.state == "done" and p.location_dest_id.usage == "customer"
        )
        for picking in pickings:
            quantities = {}
            for move in picking.move_ids.filtered(lambda m: m.state == "done" and m.sale_line_id):
                returned = sum(
                    m.quantity
                    for m in move.returned_move_ids
                    if m.state != "cancel" and m.to_refund
                )
                qty = move.quantity - returned
                if float_compare(qty, 0, precision_rounding=move.product_uom.rounding) > 0:
                    quantities[move] = qty
            if quantities:
                result[picking] = quantities
        return result

    def _get_cancel_purchase_orders(self):
        """Purchase orders whose buyers hear of the cancellation (sale_purchase and sale_stock
        schedule those activities natively); none without sale_purchase installed."""
        if not hasattr(self, "_get_purchase_orders"):
            return ()
        # A salesman may not read purchase lines (odoo/odoo#121079): sudo only to find them.
        purchases = self.sudo()._get_purchase_orders().filtered(lambda p: p.state != "cancel")
        return purchases.with_env(self.env)

    # ------------------------------------------------------------------
    # Reversal documents
    # ------------------------------------------------------------------
    def _reverse_documents(self, options):
        """Create the returns, credit notes and refunds of freshly cancelled orders, batched
        over the orders, and return each order's documents as values for its ledger."""
        returns = {order.id: order._create_cancel_returns() for order in self}
        all_returns = self.env["stock.picking"].union(*returns.values())
        if options.get("receive_returns") and all_returns:
            self._receive_returns(all_returns)
        credit_notes = self._create_cancel_credit_notes()
        refunds = self.env["account.payment"]
        if options.get("refund_payments"):
            refunds = self._refund_credit_notes(credit_notes)
        credit_notes_by_order = _group_by_order(credit_notes, lambda m: m.reversed_entry_id)
        refunds_by_order = _group_by_order(
            refunds, lambda p: p.reconciled_invoice_ids.reversed_entry_id
        )
        empty_moves, empty_payments = self.env["account.move"], self.env["account.payment"]
        return {
            order.id: {
                "return_picking_ids": [Command.set(returns[order.id].ids)],
                "credit_note_ids": [Command.set(credit_notes_by_order.get(order, empty_moves).ids)],
                "refund_payment_ids": [
                    Command.set(refunds_by_order.get(order, empty_payments).ids)
                ],
            }
            for order in self
        }

    def _create_cancel_returns(self):
        self.ensure_one()
        returns = self.env["stock.picking"]
        for picking, quantities in self._get_returnable_quantities().items():
            returns |= self._create_return(picking, quantities)
        return returns

    def _create_return(self, picking, quantities):
        # picking_id set directly, not through active_id: no new environment per picking.
        wizard = self.env["stock.return.picking"].create({"picking_id": picking.id})
        for line in wizard.product_return_moves:
            line.write(self._prepare_return_line_vals(line, quantities.get(line.move_id, 0.0)))
        return wizard._create_return()

    def _prepare_return_line_vals(self, line, quantity):
        # to_refund makes qty_delivered drop once the return is received.
        return {"quantity": quantity, "to_refund": True}

    def _receive_returns(self, returns):
        for move in returns.move_ids.filtered(lambda m: m.state not in ("done", "cancel")):
            move.quantity = move.product_uom_qty
            move.picked = True
        returns.with_context(skip_backorder=True, skip_sms=True).button_validate()

    def _create_cancel_credit_notes(self):
        """Credit the uncredited part of the orders' posted invoices, all in one batch."""
        invoices = self._get_invoices_to_credit()
        if not invoices:
            return self.env["account.move"]
        today = fields.Date.context_today(self)
        credit_notes = invoices._reverse_moves(
            [self._prepare_credit_note_vals(invoice, today) for invoice in invoices]
        )
        for invoice, credit_note in zip(invoices, credit_notes, strict=True):
            credit_note._deduct_already_credited(invoice)
        empty = credit_notes.filtered(lambda m: not m.invoice_line_ids)
        empty.unlink()  # drafts only: nothing was left to credit on them
        credit_notes -= empty
        credit_notes.action_post()
        for credit_note in credit_notes:
            reconcile_receivables(credit_note.reversed_entry_id | credit_note)
        return credit_notes

    def _prepare_credit_note_vals(self, invoice, date):
        return {
            "ref": self.env._(
                "Cancellation of %(order)s: %(invoice)s",
                order=invoice.invoice_origin or "",
                invoice=invoice.name,
            ),
            "date": date,
            "invoice_date": date,
            "invoice_date_due": False,
            "invoice_payment_term_id": False,
        }

    def _refund_credit_notes(self, credit_notes):
        to_refund = credit_notes.filtered(lambda m: m.amount_residual > 0)
        if not to_refund:
            return self.env["account.payment"]
        register = (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=to_refund.ids)
            .create({"group_payment": False})
        )
        return register._create_payments()

    # ------------------------------------------------------------------
    # Revoke
    # ------------------------------------------------------------------
    def get_revoke_impact(self):
        """What revoking would create, cancel or restore; changes nothing."""
        impact = []
        for order in self.filtered(lambda o: o.state == "cancel"):
            cancellation = order._get_last_cancellation()
            if cancellation:
                impact += cancellation._get_revoke_impact()
            else:
                impact.append(order._impact_line("new_delivery", order, False, False))
        return impact

    def _get_last_cancellation(self):
        self.ensure_one()
        return self.cancellation_ids.filtered(lambda c: c.state == "cancelled").sorted("id")[-1:]

    @api.returns("sale.order.cancellation")
    def revoke_cancel(self, note=None):
        """Restore cancelled orders exactly as they were before their cancellation."""
        if not (self.env.su or self.env.user.has_group("order_revoke_cancel.group_revoke_cancel")):
            raise AccessError(
                self.env._(
                    "Only users allowed to revoke cancellations may restore %s. "
                    "Ask your sales manager.",
                    ", ".join(self.mapped("name")),
                )
            )
        note = check_text(self, note, "note")
        cancellations = self.env["sale.order.cancellation"]
        for order in self:
            if order.state != "cancel":
                raise UserError(
                    self.env._("%s is not cancelled: there is nothing to revoke.", order.name)
                )
            cancellations |= order._get_last_cancellation()
        lock_for_update(self)
        for order in self - cancellations.order_id:
            order._revoke_native_cancel(note)
        return cancellations._revoke(note)

    def _revoke_native_cancel(self, note):
        """An order cancelled before this addon (no ledger): confirm it again if it had been."""
        self.ensure_one()
        previous = self._get_state_before_native_cancel()
        self.action_draft()
        if previous == "sale":
            self.action_confirm()
        elif previous == "sent":
            self.state = "sent"
        self.message_post(
            body=Markup("%s<br/>%s") % (self.env._("Cancellation revoked."), note or "")
        )

    def _get_state_before_native_cancel(self):
        tracking = (
            self.env["mail.tracking.value"]
            .sudo()
            .search(
                [
                    ("mail_message_id.model", "=", self._name),
                    ("mail_message_id.res_id", "=", self.id),
                    ("field_id.name", "=", "state"),
                    ("field_id.model", "=", self._name),
                ],
                order="id desc",
                limit=1,
            )
        )
        if tracking.old_value_char:
            states = dict(self._fields["state"]._description_selection(self.env))
            reverse = {label: key for key, label in states.items()}
            return reverse.get(tracking.old_value_char, "draft")
        return "sale" if (self.picking_ids or self.invoice_ids) else "draft"

    def action_revoke_cancel(self):
        self.ensure_one()
        return {
            "name": self.env._("Revoke Cancellation of %s", self.name),
            "type": "ir.actions.act_window",
            "res_model": "sale.order.revoke.cancel",
            "view_mode": "form",
            "target": "new",
            "context": {"default_order_id": self.id},
        }

    def action_view_cancellations(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id(
            "order_revoke_cancel.action_sale_order_cancellation"
        )
        action["domain"] = [("order_id", "=", self.id)]
        action["context"] = {"create": False}
        if len(self.cancellation_ids) == 1:
            action.update(
                view_mode="form", res_id=self.cancellation_ids.id, views=[(False, "form")]
            )
        return action

    # ------------------------------------------------------------------
    # Notifications
    # ------------------------------------------------------------------
    def _notify_cancellation_change(self, cancellation, revoked=False):
        self.ensure_one()
        if revoked:
            title = self.env._("Cancellation revoked.")
            note = cancellation.revoke_note
        else:
            title = self.env._("Order cancelled. Reason: %s", cancellation.reason_id.name or "-")
            note = cancellation.note
        body = Markup("<p>%s</p>") % title
        if note:
            body += Markup("<p>%s</p>") % note
        body += cancellation._message_summary(revoked=revoked)
        self.message_post(body=body, subtype_xmlid="mail.mt_note")
        self._schedule_cancel_activities(title, revoked)

    def _schedule_cancel_activities(self, summary, revoked):
        users = self.company_id.cancel_notify_group_ids.users.filtered(
            lambda u: not u.share and u.active
        )
        xmlid = (
            "order_revoke_cancel.mail_activity_order_revoked"
            if revoked
            else "order_revoke_cancel.mail_activity_order_cancelled"
        )
        for user in users:
            self.activity_schedule(xmlid, user_id=user.id, summary=summary)


def _group_by_order(records, get_invoices):
    """{sale order: records} for documents tied to orders through the invoices they settle."""
    result = {}
    for record in records:
        for order in get_invoices(record).invoice_line_ids.sale_line_ids.order_id:
            result[order] = result.get(order, records.browse()) | record
    return result
