from markupsafe import Markup

from odoo import api, fields, models, modules
from odoo.exceptions import AccessError, UserError
from odoo.tools import float_compare, float_is_zero

from odoo.addons.order_revoke_cancel.models.tools import (
    check_bool,
    check_one,
    check_text,
    lock_for_update,
    resolve_record,
)

from .sale_termination_request import ACTIVE_STATES, EXECUTING_KEY

# Context key set by close() and reopen(): their own writes pass the closed-order guard.
CLOSING_KEY = "order_termination_closing"

CHECKLIST_CODES = (
    "confirmed",
    "delivered",
    "no_pending_returns",
    "invoiced",
    "invoices_posted",
    "paid",
    "no_pending_termination",
)
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
    is_closed = fields.Boolean("Closed", readonly=True, copy=False, tracking=True, index=True)
    close_reason_id = fields.Many2one(
        "sale.close.reason", readonly=True, copy=False, tracking=True, check_company=True
    )
    close_note = fields.Text(readonly=True, copy=False)
    close_date = fields.Datetime("Closed On", readonly=True, copy=False)
    close_user_id = fields.Many2one("res.users", "Closed By", readonly=True, copy=False)
    close_forced = fields.Boolean("Short Closed", readonly=True, copy=False)
    close_previous_locked = fields.Boolean(readonly=True, copy=False)

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
    ):
        """Create and submit a termination request per order; returns the requests."""
        if not self.env.user.has_group("order_termination.group_termination_user"):
            raise AccessError(
                self.env._(
                    "You may not request the termination of %s. Ask your sales manager for "
                    "the right to request terminations.",
                    ", ".join(self.mapped("name")),
                )
            )
        reason = self._get_termination_reason(reason)
        description = check_text(self, description, "description")
        customer_confirmation = check_bool(
            self, customer_confirmation, "customer_confirmation", allow_none=True
        )
        receive_returns = check_bool(self, receive_returns, "receive_returns")
        refund_payments = check_bool(self, refund_payments, "refund_payments")
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
        for order in self:
            order._check_can_request_termination()
            # Users read requests only; they change them through these checked methods.
            requests |= requests.sudo().create(
                order._prepare_termination_request_vals(
                    reason, description, customer_confirmation, receive_returns, refund_payments
                )
            )
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
        self.ensure_one()
        if self.state != "sale":
            raise UserError(
                self.env._(
                    "%s is not a confirmed order: cancel the quotation instead of terminating it.",
                    self.name,
                )
            )
        if self.is_closed:
            raise UserError(
                self.env._(
                    "%s is closed. Ask a manager to reopen it before requesting its termination.",
                    self.name,
                )
            )
        pending = self.termination_request_ids.filtered(
            lambda r: r.state in ACTIVE_STATES and r != exclude
        )
        if pending:
            raise UserError(
                self.env._(
                    "%(order)s is already under the termination request %(request)s. Decide or "
                    "withdraw that request first.",
                    order=self.name,
                    request=pending[0].name,
                )
            )

    @api.returns("sale.order.cancellation")
    def revoke_cancel(self, note=None):
        """Revoking a terminated order undoes an approved decision: termination managers only.
        Purchases the termination cancelled stay cancelled; procurement re-orders as usual."""
        terminated = self.filtered(lambda o: o.termination_state == "terminated")
        if (
            terminated
            and not self.env.su
            and not self.env.user.has_group("order_termination.group_termination_manager")
        ):
            raise AccessError(
                self.env._(
                    "%s was terminated after approval: only a termination manager may revoke "
                    "it. Ask your sales manager.",
                    ", ".join(terminated.mapped("name")),
                )
            )
        requests = terminated.termination_request_ids.filtered(lambda r: r.state == "done")
        res = super().revoke_cancel(note=note)
        for request in requests:
            request.message_post(
                body=self.env._(
                    "The termination of %s was revoked. Purchases it cancelled stay cancelled.",
                    request.order_name,
                ),
                subtype_xmlid="mail.mt_note",
            )
        return res

    # ------------------------------------------------------------------
    # Hold and closed-order guards
    # ------------------------------------------------------------------
    def _check_termination_hold(self, action):
        """Refuse `action` on orders under a pending termination request."""
        for order in self.filtered(
            lambda o: o.termination_state == "pending" and not o._is_executing_termination()
        ):
            raise UserError(
                self.env._(
                    "%(order)s is on hold by the termination request %(request)s: you cannot "
                    "%(action)s it now. Wait until the request is decided or withdrawn.",
                    order=order.name,
                    request=order.sudo().pending_termination_id.name,
                    action=action,
                )
            )

    def _is_executing_termination(self):
        """Whether this order's approved request is being executed. The context names the
        request, and the request's own approvals prove it: a context key alone could come from
        any RPC call."""
        self.ensure_one()
        request_id = self.env.context.get(EXECUTING_KEY)
        if not request_id:
            return False
        request = self.env["sale.termination.request"].sudo().browse(request_id).exists()
        return bool(request) and request.order_id == self and request._is_executable()

    def _check_not_closed(self, action):
        """Refuse `action` on closed orders."""
        if self.env.context.get(CLOSING_KEY):
            return
        for order in self.filtered("is_closed"):
            raise UserError(
                self.env._(
                    "%(order)s is closed: you cannot %(action)s it. Ask a sales manager to "
                    "reopen it first.",
                    order=order.name,
                    action=action,
                )
            )

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
        }

    def write(self, vals):
        if set(vals) - self._get_hold_free_fields():
            self._check_termination_hold(self.env._("modify"))
            self._check_not_closed(self.env._("modify"))
        return super().write(vals)

    def action_confirm(self):
        self._check_termination_hold(self.env._("confirm"))
        return super().action_confirm()

    def _action_cancel(self):
        self._check_termination_hold(self.env._("cancel"))
        self._check_not_closed(self.env._("cancel"))
        return super()._action_cancel()

    def _create_invoices(self, grouped=False, final=False, date=None):
        self._check_termination_hold(self.env._("invoice"))
        self._check_not_closed(self.env._("invoice"))
        return super()._create_invoices(grouped=grouped, final=final, date=date)

    # ------------------------------------------------------------------
    # Close checklist, close and reopen
    # ------------------------------------------------------------------
    def get_close_checklist(self):
        """Whether the order is finished: one dict per check, in a fixed order."""
        check_one(self, "get_close_checklist")
        return [getattr(self, f"_close_check_{code}")() for code in CHECKLIST_CODES]

    def _check_item(self, code, label, ok, detail):
        return {"code": code, "label": label, "ok": bool(ok), "detail": detail}

    def _close_check_confirmed(self):
        ok = self.state == "sale"
        return self._check_item(
            "confirmed",
            self.env._("Order confirmed"),
            ok,
            self.env._("Confirmed.") if ok else self.env._("The order is not confirmed."),
        )

    def _get_undelivered_lines(self):
        return self.order_line.filtered(
            lambda line: (
                not line.display_type
                and line.product_id.type == "consu"
                and float_compare(
                    line.qty_delivered,
                    line.product_uom_qty,
                    precision_rounding=line.product_uom.rounding or 0.01,
                )
                < 0
            )
        )

    def _get_open_deliveries(self):
        return self.picking_ids.filtered(
            lambda p: p.state not in ("done", "cancel") and p.picking_type_code != "incoming"
        )

    def _get_pending_returns(self):
        return self.picking_ids.filtered(
            lambda p: p.state not in ("done", "cancel") and p.picking_type_code == "incoming"
        )

    def _close_check_delivered(self):
        lines = self._get_undelivered_lines()
        detail = (
            self.env._("Not fully delivered: %s", ", ".join(lines.product_id.mapped("name")))
            if lines
            else self.env._("Everything was delivered.")
        )
        return self._check_item("delivered", self.env._("Fully delivered"), not lines, detail)

    def _close_check_no_pending_returns(self):
        returns = self._get_pending_returns()
        detail = (
            self.env._("Returns not received yet: %s", ", ".join(returns.mapped("name")))
            if returns
            else self.env._("No return is waiting.")
        )
        return self._check_item(
            "no_pending_returns", self.env._("No pending returns"), not returns, detail
        )

    def _get_lines_to_invoice(self):
        return self.order_line.filtered(
            lambda line: (
                not line.display_type
                and not float_is_zero(
                    line.qty_to_invoice, precision_rounding=line.product_uom.rounding or 0.01
                )
            )
        )

    def _close_check_invoiced(self):
        lines = self._get_lines_to_invoice()
        detail = (
            self.env._("Still to invoice: %s", ", ".join(lines.mapped("name")))
            if lines
            else self.env._("Everything was invoiced.")
        )
        return self._check_item("invoiced", self.env._("Fully invoiced"), not lines, detail)

    def _close_check_invoices_posted(self):
        drafts = self.invoice_ids.filtered(lambda m: m.state == "draft")
        detail = (
            self.env._("Draft invoices: %s", ", ".join(drafts.mapped("display_name")))
            if drafts
            else self.env._("Every invoice is posted or cancelled.")
        )
        return self._check_item(
            "invoices_posted", self.env._("Invoices posted"), not drafts, detail
        )

    def _get_unpaid_invoices(self):
        return self.invoice_ids.filtered(
            lambda m: (
                m.state == "posted" and m.payment_state not in ("paid", "in_payment", "reversed")
            )
        )

    def _close_check_paid(self):
        unpaid = self._get_unpaid_invoices()
        detail = (
            self.env._("Not paid: %s", ", ".join(unpaid.mapped("display_name")))
            if unpaid
            else self.env._("Every invoice is paid.")
        )
        return self._check_item("paid", self.env._("Paid"), not unpaid, detail)

    def _close_check_no_pending_termination(self):
        pending = self.sudo().pending_termination_id
        detail = (
            self.env._("Under termination request %s.", pending.name)
            if pending
            else self.env._("No termination request is pending.")
        )
        return self._check_item(
            "no_pending_termination",
            self.env._("No pending termination"),
            not pending,
            detail,
        )

    def close(self, reason=None, note=None, force=False):
        """Close finished orders: they stay confirmed (reports keep counting them) but are
        locked against invoicing, deliveries, cancellation and edits."""
        self._check_close_rights()
        reason = self._get_close_reason(reason)
        note = check_text(self, note, "note")
        force = check_bool(self, force, "force")
        if force:
            self._check_force_close_allowed(reason)
        for order in self:
            order._check_closable(force)
        lock_for_update(self)
        if force:
            self._short_close()
        for order in self:
            order.with_context(**{CLOSING_KEY: True}).write(
                order._prepare_close_vals(reason, note, force)
            )
            order._post_close_message(reason, note, force)
        return True

    def _check_close_rights(self):
        if self.env.su or self.env.user.has_group("order_termination.group_termination_user"):
            return
        raise AccessError(
            self.env._(
                "You may not close %s. Ask your sales manager.", ", ".join(self.mapped("name"))
            )
        )

    def _get_close_reason(self, reason):
        """The optional reason as given over RPC (record or id), checked like cancel reasons."""
        return resolve_record(self, "sale.close.reason", reason, "reason", required=False)

    def _check_force_close_allowed(self, reason):
        if not self.env.user.has_group("order_termination.group_termination_manager"):
            raise AccessError(
                self.env._(
                    "Only termination managers may close %s although it is not finished. "
                    "Finish it or ask your sales manager.",
                    ", ".join(self.mapped("name")),
                )
            )
        if not reason:
            raise UserError(
                self.env._(
                    "Choose a close reason to force the closing of %s.",
                    ", ".join(self.mapped("name")),
                )
            )

    def _check_closable(self, force):
        self.ensure_one()
        if self.is_closed:
            raise UserError(self.env._("%s is already closed.", self.name))
        self._check_termination_hold(self.env._("close"))
        failed = [
            check
            for check in self.get_close_checklist()
            if not check["ok"] and (not force or check["code"] in UNFORCEABLE_CODES)
        ]
        if failed:
            raise UserError(
                self.env._(
                    "%(order)s cannot be closed yet:\n%(checks)s",
                    order=self.name,
                    checks="\n".join(f"- {c['label']}: {c['detail']}" for c in failed),
                )
            )

    def _short_close(self):
        """Forced close: open deliveries and pending returns are cancelled."""
        pickings = self.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        pickings.with_context(**{CLOSING_KEY: True}).action_cancel()

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
            order.with_context(**{CLOSING_KEY: True}).write(order._prepare_reopen_vals())
            order.message_post(
                body=Markup("<p>%s</p><p>%s</p>") % (self.env._("Order reopened."), note),
                subtype_xmlid="order_termination.mt_order_closed",
            )
        return True

    def _prepare_reopen_vals(self):
        self.ensure_one()
        return {
            "is_closed": False,
            "close_reason_id": False,
            "close_note": False,
            "close_date": False,
            "close_user_id": False,
            "close_forced": False,
            "locked": self.close_previous_locked,
        }

    # ------------------------------------------------------------------
    # Automatic close
    # ------------------------------------------------------------------
    @api.model
    def _cron_auto_close(self, batch_size=200, commit=True):
        """Close orders settled for the company's `auto_close_days`, committing per batch so
        a long run keeps its progress (`commit=False` leaves the transaction to the caller)."""
        for company in self.env["res.company"].search([("auto_close_days", ">", 0)]):
            orders = self._get_auto_close_candidates(company)
            for start in range(0, len(orders), batch_size):
                orders[start : start + batch_size]._auto_close_batch()
                if commit and not modules.module.current_test:
                    self.env.cr.commit()  # pylint: disable=invalid-commit

    @api.model
    def _get_auto_close_candidates(self, company):
        limit = fields.Datetime.subtract(fields.Datetime.now(), days=company.auto_close_days)
        orders = self.search(
            [
                ("company_id", "=", company.id),
                ("state", "=", "sale"),
                ("is_closed", "=", False),
                ("termination_state", "!=", "pending"),
                ("invoice_status", "!=", "to invoice"),
                ("date_order", "<=", limit),
            ]
        )
        return orders.filtered(lambda o: o._is_settled_since(limit))

    def _is_settled_since(self, limit):
        """Every check passes and nothing happened on the order after `limit`."""
        self.ensure_one()
        if not all(check["ok"] for check in self.get_close_checklist()):
            return False
        last = self._get_last_activity_date()
        return not last or last <= limit

    def _get_last_activity_date(self):
        dates = [p.date_done for p in self.picking_ids if p.date_done]
        invoices = self.invoice_ids.filtered(lambda m: m.state == "posted")
        dates += [fields.Datetime.to_datetime(d) for d in invoices.mapped("invoice_date") if d]
        partials = invoices.line_ids.matched_credit_ids | invoices.line_ids.matched_debit_ids
        dates += [fields.Datetime.to_datetime(d) for d in partials.mapped("max_date") if d]
        return max(dates) if dates else False

    def _auto_close_batch(self):
        reason = self.env.ref("order_termination.close_reason_settled", raise_if_not_found=False)
        note = self.env._("Closed automatically: delivered, invoiced and paid.")
        for order in self:
            order._try_close(reason, note)

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
    # Purchase cascade (planned before the engine cancels the deliveries)
    # ------------------------------------------------------------------
    def _get_termination_purchase_plan(self):
        """What terminating this order does to each linked purchase order:
        cancel it (every line served only this order, nothing received or billed), reduce
        this order's share of its lines, or leave it and notify the buyer."""
        self.ensure_one()
        plan = []
        purchases = self._get_purchase_orders().filtered(lambda p: p.state != "cancel")
        for purchase in purchases:
            shares = self._get_purchase_shares(purchase)
            if not shares:
                continue
            plan.append(self._plan_purchase(purchase, shares))
        return plan

    def _get_purchase_shares(self, purchase):
        """[(purchase line, quantity in the line's unit serving this order)]."""
        shares = []
        for line in purchase.order_line.filtered(lambda pl: not pl.display_type):
            share = self._get_purchase_line_share(line)
            if not float_is_zero(share, precision_rounding=line.product_uom.rounding or 0.01):
                shares.append((line, share))
        return shares

    def _get_purchase_line_share(self, line):
        if line.sale_line_id:
            return line.product_qty if line.sale_line_id.order_id == self else 0.0
        moves = line.move_dest_ids | line.move_ids.move_dest_ids
        mine = moves.filtered(
            lambda m: (
                m.state != "cancel"
                and (m.sale_line_id.order_id == self or m.group_id == self.procurement_group_id)
            )
        )
        qty = sum(
            m.product_uom._compute_quantity(m.product_uom_qty, line.product_uom) for m in mine
        )
        return min(qty, line.product_qty)

    def _plan_purchase(self, purchase, shares):
        touched = [line for line, _share in shares if line.qty_received or line.qty_invoiced]
        if touched:
            return {"action": "notify", "purchase": purchase, "lines": shares}
        served_only_us = all(
            float_compare(
                dict(shares).get(pl, 0.0),
                pl.product_qty,
                precision_rounding=pl.product_uom.rounding or 0.01,
            )
            >= 0
            for pl in purchase.order_line.filtered(lambda pl: not pl.display_type)
        )
        billed = purchase.invoice_ids.filtered(lambda m: m.state not in ("draft", "cancel"))
        received = purchase.order_line.filtered(lambda pl: pl.qty_received)
        cancel = served_only_us and not billed and not received
        return {
            "action": "cancel" if cancel else "reduce",
            "purchase": purchase,
            "lines": shares,
        }

    # ------------------------------------------------------------------
    # What termination means (wizard preview and portal page)
    # ------------------------------------------------------------------
    def _get_termination_impact_lines(self, customer=False):
        """Plain sentences, one per document the termination would touch; for the customer,
        internal documents (purchases) are left out."""
        self.ensure_one()
        lines = []
        for item in self.sudo().get_cancel_impact():
            if customer and item["action"] == "notify_purchase":
                continue
            lines.append(self._describe_impact(item))
        return lines

    def _describe_impact(self, item):
        amount = (item["amount"] and self.currency_id.format(item["amount"])) or ""
        messages = {
            "cancel_picking": self.env._("Delivery %s will not be made.", item["name"]),
            "return_picking": self.env._(
                "Goods delivered with %(picking)s (%(qty)s units) are to be returned.",
                picking=item["name"],
                qty=item["quantity"],
            ),
            "cancel_invoice": self.env._("Draft invoice %s is cancelled.", item["name"]),
            "credit_note": self.env._(
                "Invoice %(invoice)s is credited for %(amount)s.",
                invoice=item["name"],
                amount=amount,
            ),
            "refund_payment": self.env._(
                "%s already paid is refunded or kept as credit for you.", amount
            ),
            "notify_purchase": self.env._(
                "Purchase %s is cancelled or reduced, or its buyer is asked to act.", item["name"]
            ),
        }
        return messages.get(item["action"], item["name"])

    def _get_termination_impact_html(self):
        lines = self._get_termination_impact_lines() if self else []
        if not lines:
            return Markup("<p>%s</p>") % self.env._(
                "Nothing was delivered or invoiced: the order is simply cancelled."
            )
        items = Markup("").join(Markup("<li>%s</li>") % line for line in lines)
        return Markup("<ul>%s</ul>") % items

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
        self.ensure_one()
        return self._get_pending_request().action_approve()

    def action_reject_termination(self):
        self.ensure_one()
        return self._get_pending_request().action_open_reject_wizard()

    def action_withdraw_termination(self):
        self.ensure_one()
        return self._get_pending_request().action_withdraw()
