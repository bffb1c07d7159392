from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError

from odoo.addons.order_revoke_cancel.models.tools import (
    check_bool,
    check_one,
    check_text,
    lock_for_update,
)

# Context key under which the approved termination runs: the order's hold does not apply to
# the documents the termination itself cancels, credits or receives.
EXECUTING_KEY = "order_termination_executing"

ACTIVE_STATES = ("draft", "to_approve", "to_confirm")


class SaleTerminationRequest(models.Model):
    """Ending a confirmed order is a decision: the request carries it through approvals
    and the customer's answer, then executes it through the reversal engine."""

    _name = "sale.termination.request"
    _description = "Order Termination Request"
    _inherit = ["portal.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(required=True, readonly=True, copy=False, default="/")
    order_id = fields.Many2one(
        "sale.order", required=True, readonly=True, index=True, ondelete="cascade"
    )
    order_name = fields.Char(related="order_id.name", store=True, string="Order Reference")
    company_id = fields.Many2one(related="order_id.company_id", store=True, index=True)
    partner_id = fields.Many2one(related="order_id.partner_id", store=True, string="Customer")
    currency_id = fields.Many2one(related="order_id.currency_id")
    amount_total = fields.Monetary(
        related="order_id.amount_total", store=True, string="Order Total"
    )
    order_salesperson_id = fields.Many2one(
        related="order_id.user_id", store=True, string="Salesperson"
    )
    reason_id = fields.Many2one(
        "sale.termination.reason", required=True, readonly=True, tracking=True, check_company=True
    )
    description = fields.Text(required=True, readonly=True)
    user_id = fields.Many2one(
        "res.users",
        string="Requested By",
        required=True,
        readonly=True,
        default=lambda self: self.env.user,
    )
    request_date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("to_approve", "To Approve"),
            ("to_confirm", "Customer Confirmation"),
            ("done", "Terminated"),
            ("rejected", "Rejected"),
            ("withdrawn", "Withdrawn"),
        ],
        default="draft",
        required=True,
        readonly=True,
        tracking=True,
        index=True,
        copy=False,
    )
    approval_ids = fields.One2many("sale.termination.approval", "request_id", readonly=True)
    customer_confirmation = fields.Boolean(
        readonly=True, help="The customer confirms the termination on the portal first."
    )
    customer_response = fields.Selection(
        [("confirmed", "Confirmed"), ("declined", "Declined")],
        readonly=True,
        tracking=True,
        copy=False,
    )
    customer_response_date = fields.Datetime(readonly=True, copy=False)
    customer_comment = fields.Text(readonly=True, copy=False)
    receive_returns = fields.Boolean(
        readonly=True, help="Returns created by the termination are received at once."
    )
    refund_payments = fields.Boolean(
        readonly=True, help="Money already received is paid back to the customer."
    )
    cancellation_id = fields.Many2one("sale.order.cancellation", readonly=True, copy=False)
    purchase_effect_ids = fields.One2many(
        "sale.termination.purchase.effect", "request_id", readonly=True, copy=False
    )
    decision_date = fields.Datetime(readonly=True, copy=False)
    decision_days = fields.Float(
        "Days to Decision",
        readonly=True,
        copy=False,
        aggregator="avg",
        help="Time between the request and its execution or rejection.",
    )
    executed_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    can_review = fields.Boolean(compute="_compute_can_review")

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("sale.termination.request")
        return super().create(vals_list)

    def _compute_access_url(self):  # pylint: disable=method-required-super
        # Replaces portal.mixin's placeholder URL.
        for request in self:
            request.access_url = f"/my/terminations/{request.id}"

    @api.depends_context("uid")
    @api.depends("state", "approval_ids.state")
    def _compute_can_review(self):
        for request in self:
            request.can_review = bool(request._get_reviewable_approvals())

    def _get_reviewable_approvals(self):
        """Pending lines the current user may decide (group member, self-approval rule)."""
        self.ensure_one()
        if self.state != "to_approve":
            return self.env["sale.termination.approval"]
        return self.approval_ids.filtered(lambda a: a.state == "pending" and a._can_review())

    # ------------------------------------------------------------------
    # Submit and approval flow
    # ------------------------------------------------------------------
    def action_submit(self):
        """Build the approval lines from the applicable steps and open the first level."""
        for request in self:
            if request.state != "draft":
                raise UserError(
                    self.env._(
                        "%(request)s for %(order)s was already submitted.",
                        request=request.name,
                        order=request.order_name,
                    )
                )
            request._check_requester_or_manager()
            request.order_id._check_can_request_termination(exclude=request)
            # Rights checked above: users have read-only access to requests.
            request.sudo().write(
                {
                    "state": "to_approve",
                    "approval_ids": [
                        Command.create(vals) for vals in request._prepare_approval_vals_list()
                    ],
                }
            )
            request.order_id.message_post(
                body=self.env._("Termination requested: %s", request.name),
                subtype_xmlid="order_termination.mt_order_termination_requested",
            )
        self.sudo()._advance()
        return True

    def _check_requester_or_manager(self):
        self.ensure_one()
        if self.env.su or self.user_id == self.env.user:
            return
        if self.env.user.has_group("order_termination.group_termination_manager"):
            return
        raise AccessError(
            self.env._(
                "Only %(user)s, who requested it, or a termination manager may submit or "
                "withdraw the termination request of %(order)s.",
                user=self.user_id.name,
                order=self.order_name,
            )
        )

    def _get_applicable_steps(self):
        self.ensure_one()
        steps = (
            self.env["sale.termination.approval.step"]
            .sudo()
            .search(
                [("company_id", "in", [self.company_id.id, False])],
                order="sequence, id",
            )
        )
        return steps.filtered(lambda step: step._applies_to(self.order_id))

    def _prepare_approval_vals_list(self):
        return [
            {
                "step_id": step.id,
                "sequence": step.sequence,
                "group_id": step.group_id.id,
                "allow_self_approval": step.allow_self_approval,
                "state": "waiting",
            }
            for step in self._get_applicable_steps()
        ]

    def _advance(self):
        """Open the next approval level, or move on once every line is approved."""
        for request in self.filtered(lambda r: r.state == "to_approve"):
            approvals = request.approval_ids
            if approvals.filtered(lambda a: a.state == "pending"):
                continue
            waiting = approvals.filtered(lambda a: a.state == "waiting")
            if waiting:
                level = min(waiting.mapped("sequence"))
                waiting.filtered(lambda a, lv=level: a.sequence == lv)._set_pending()
            else:
                request._on_fully_approved()

    def _on_fully_approved(self):
        self.ensure_one()
        if self.customer_confirmation:
            self.state = "to_confirm"
            self._send_customer_confirmation()
        else:
            self.action_execute()

    def _send_customer_confirmation(self):
        """Email the customer the portal link where they confirm or decline."""
        self.ensure_one()
        self._portal_ensure_token()
        template = self.env.ref("order_termination.mail_template_termination_confirmation")
        self.with_context(mail_post_autofollow=False).message_post_with_source(
            template,
            subtype_xmlid="mail.mt_comment",
            partner_ids=self.partner_id.ids,
        )

    def action_approve(self, comment=None):
        """Approve every pending line the current user may decide."""
        comment = check_text(self, comment, "comment")
        lock_for_update(self)
        for request in self:
            approvals = request._get_decidable_approvals()
            # Approvers may belong to any group (warehouse, finance...): their right to decide
            # was checked just above, the bookkeeping of the decision runs as superuser.
            approvals.sudo()._record_decision("approved", comment)
        self.sudo()._advance()
        return True

    def action_reject(self, comment):
        """Reject the request: the order carries on as before."""
        comment = check_text(self, comment, "comment")
        lock_for_update(self)
        if not (comment or "").strip():
            raise UserError(
                self.env._(
                    "Say why you reject the termination of %s: a comment is required.",
                    ", ".join(self.mapped("order_name")),
                )
            )
        for request in self:
            approvals = request._get_decidable_approvals()
            # Rights checked above; the approver need not have write access to requests.
            approvals[:1].sudo()._record_decision("rejected", comment)
            request.sudo()._finish("rejected")
        return True

    def _get_decidable_approvals(self):
        self.ensure_one()
        if self.state != "to_approve":
            raise UserError(
                self.env._(
                    "%(request)s for %(order)s is not waiting for approval.",
                    request=self.name,
                    order=self.order_name,
                )
            )
        approvals = self._get_reviewable_approvals()
        if not approvals:
            raise AccessError(self._get_no_review_message())
        return approvals

    def _check_line_reviewable(self, approval):
        if approval not in self._get_decidable_approvals():
            raise AccessError(self._get_no_review_message())

    def _get_no_review_message(self):
        pending = self.approval_ids.filtered(lambda a: a.state == "pending")
        own = pending.filtered(lambda a: a.env.user in a.group_id.users)
        if own and self.user_id == self.env.user:
            return self.env._(
                "You requested the termination of %s yourself: another member of the approver "
                "group must approve it.",
                self.order_name,
            )
        return self.env._(
            "You may not decide on the termination of %(order)s now. It waits for: %(groups)s.",
            order=self.order_name,
            groups=", ".join(pending.group_id.mapped("full_name")) or "-",
        )

    def action_withdraw(self):
        """The requester (or a termination manager) takes the request back."""
        lock_for_update(self)
        for request in self:
            if request.state not in ACTIVE_STATES:
                raise UserError(
                    self.env._(
                        "%(request)s for %(order)s is closed and cannot be withdrawn.",
                        request=request.name,
                        order=request.order_name,
                    )
                )
            request._check_requester_or_manager()
        # Rights checked above: users have read-only access to requests.
        self.sudo()._finish("withdrawn")
        return True

    def _finish(self, state):
        """End the request without executing it; clean up approvers' activities."""
        now = fields.Datetime.now()
        for request in self:
            request.write(request._prepare_decision_vals(state, now))
            request.approval_ids._unlink_activities()
            label = dict(self._fields["state"]._description_selection(self.env))[state]
            request.order_id.message_post(
                body=self.env._(
                    "Termination request %(request)s: %(state)s", request=request.name, state=label
                ),
                subtype_xmlid="order_termination.mt_order_termination_decided",
            )

    def _prepare_decision_vals(self, state, now):
        return {
            "state": state,
            "decision_date": now,
            "decision_days": (now - self.request_date).total_seconds() / 86400.0,
        }

    # ------------------------------------------------------------------
    # Customer answer
    # ------------------------------------------------------------------
    def customer_respond(self, accept, comment=None):
        """The customer's answer from the portal: a confirmation executes, a decline rejects."""
        check_one(self, "customer_respond")
        accept = check_bool(self, accept, "accept")
        comment = check_text(self, comment, "comment")
        lock_for_update(self)
        if not (
            self.env.su or self.env.user.has_group("order_termination.group_termination_manager")
        ):
            raise AccessError(
                self.env._(
                    "Only the customer, through the link they received, or a termination manager "
                    "may record the customer's answer on the termination of %s.",
                    self.order_name,
                )
            )
        if self.state != "to_confirm":
            raise UserError(
                self.env._(
                    "The termination of %s is not waiting for the customer's answer.",
                    self.order_name,
                )
            )
        # Rights checked above (the portal calls this as superuser after checking the token).
        self.sudo()._record_customer_answer(accept, comment)
        return True

    def _record_customer_answer(self, accept, comment):
        self.write(self._prepare_customer_answer_vals(accept, comment))
        self._post_customer_answer(accept, comment)
        if accept:
            self.action_execute()
        else:
            self._finish("rejected")

    def _prepare_customer_answer_vals(self, accept, comment):
        return {
            "customer_response": "confirmed" if accept else "declined",
            "customer_response_date": fields.Datetime.now(),
            "customer_comment": comment or False,
        }

    def _post_customer_answer(self, accept, comment):
        if accept:
            title = self.env._("The customer confirmed the termination of %s.", self.order_name)
        else:
            title = self.env._("The customer declined the termination of %s.", self.order_name)
        body = Markup("<p>%s</p>") % title
        if comment:
            body += Markup("<p>%s</p>") % comment
        # Posted in the customer's name, who may have no email address: as superuser.
        author = self.partner_id.id
        for record in (self.sudo(), self.sudo().order_id):
            record.message_post(body=body, author_id=author, subtype_xmlid="mail.mt_note")

    # ------------------------------------------------------------------
    # Execution
    # ------------------------------------------------------------------
    def action_execute(self):
        """Terminate the order: the approvals (and the customer's confirmation) are the
        authority, so this runs whoever gave the last approval."""
        lock_for_update(self)
        for request in self:
            request._check_executable()
            # The approvals checked above are the authority: the execution reads and changes
            # sales, stock, accounting and purchase documents the last approver may not access.
            request.sudo()._execute()
        return True

    def _is_executable(self):
        """Whether every approval and, if asked, the customer agreed (a pure predicate)."""
        self.ensure_one()
        approved = all(a.state == "approved" for a in self.approval_ids)
        confirmed = not self.customer_confirmation or self.customer_response == "confirmed"
        return self.state in ("to_approve", "to_confirm") and approved and confirmed

    def _check_executable(self):
        self.ensure_one()
        if not self._is_executable():
            raise UserError(
                self.env._(
                    "%(request)s cannot terminate %(order)s yet: every approval step and, if "
                    "asked, the customer must agree first.",
                    request=self.name,
                    order=self.order_name,
                )
            )

    def _execute(self):
        self.ensure_one()
        order = self.order_id
        purchase_plan = order.sudo()._get_termination_purchase_plan()
        # Shares are removed before the order's deliveries are cancelled: purchase_stock lowers
        # a confirmed receipt only while the removed quantity's destination moves are open.
        # Whole purchases are cancelled after, so their cancellation does not turn the order's
        # deliveries into make-to-stock moves first.
        reduce_plan = [item for item in purchase_plan if item["action"] == "reduce"]
        effects = self.sudo()._apply_purchase_plan(reduce_plan)
        # The approvers are the authority for this cancellation, not the rights of whoever gave
        # the last approval: the reversal engine runs as superuser, and the request records who
        # approved what (approval lines) and who executed it.
        cancellations = (
            order.sudo()
            .with_context(**{EXECUTING_KEY: self.id})
            .cancel_with_reversal(
                self.reason_id._get_cancel_reason(),
                note=self._get_cancel_note(),
                receive_returns=self.receive_returns,
                refund_payments=self.refund_payments,
            )
        )
        effects += self.sudo()._apply_purchase_plan(
            [item for item in purchase_plan if item["action"] != "reduce"]
        )
        vals = self._prepare_decision_vals("done", fields.Datetime.now())
        vals.update(
            {
                "cancellation_id": cancellations[:1].id,
                "executed_by_id": self.env.user.id,
                "purchase_effect_ids": [Command.create(v) for v in effects],
            }
        )
        self.sudo().write(vals)
        self._notify_terminated()

    def _get_cancel_note(self):
        return self.env._(
            "%(request)s (%(reason)s): %(description)s",
            request=self.name,
            reason=self.reason_id.name,
            description=self.description,
        )

    def _apply_purchase_plan(self, plan):
        """Carry out the purchase side of the termination; return the effects' values."""
        effects = []
        for item in plan:
            effects += getattr(self, f"_purchase_{item['action']}")(item)
        return effects

    def _purchase_cancel(self, item):
        purchase = item["purchase"]
        purchase.button_cancel()
        purchase.message_post(
            body=self.env._(
                "Cancelled by the termination %(request)s of %(order)s.",
                request=self.name,
                order=self.order_name,
            )
        )
        return [
            {
                "purchase_id": purchase.id,
                "action": "cancel",
                "note": self.env._("Every line served only %s.", self.order_name),
            }
        ]

    def _purchase_reduce(self, item):
        effects = []
        for line, share in item["lines"]:
            previous = line.product_qty
            line.product_qty = max(previous - share, 0.0)
            effects.append(
                {
                    "purchase_id": line.order_id.id,
                    "purchase_line_id": line.id,
                    "product_id": line.product_id.id,
                    "action": "reduce",
                    "previous_qty": previous,
                    "new_qty": line.product_qty,
                    "note": self.env._(
                        "Share of %s removed; the rest serves other orders.", self.order_name
                    ),
                }
            )
        item["purchase"].message_post(
            body=self.env._(
                "Quantities of %(order)s removed by the termination %(request)s.",
                order=self.order_name,
                request=self.name,
            )
        )
        return effects

    def _purchase_notify(self, item):
        purchase = item["purchase"]
        note = self.env._(
            "%(order)s was terminated (%(request)s), but goods of %(purchase)s were already "
            "received or billed, so the purchase was left unchanged. Decide with the vendor "
            "whether to return the goods or keep them in stock, and adjust the bill if needed.",
            order=self.order_name,
            request=self.name,
            purchase=purchase.name,
        )
        purchase.activity_schedule(
            "mail.mail_activity_data_todo",
            user_id=(purchase.user_id or self.env.user).id,
            summary=self.env._("Terminated order %s: review this purchase", self.order_name),
            note=note,
        )
        return [{"purchase_id": purchase.id, "action": "notify", "note": note}]

    def _notify_terminated(self):
        """Chatter on both documents and activities for the company's notification groups."""
        order = self.order_id
        body = Markup("<p>%s</p>") % self.env._(
            "Order terminated by %(request)s. Reason: %(reason)s.",
            request=self.name,
            reason=self.reason_id.name,
        )
        order.message_post(
            body=body, subtype_xmlid="order_termination.mt_order_termination_decided"
        )
        self.message_post(body=body, subtype_xmlid="mail.mt_note")
        users = order.company_id.termination_notify_group_ids.users.filtered(
            lambda u: not u.share and u.active
        )
        for user in users:
            order.sudo().activity_schedule(
                "order_termination.mail_activity_order_terminated",
                user_id=user.id,
                summary=self.env._("%s was terminated", order.name),
            )

    # ------------------------------------------------------------------
    # Buttons
    # ------------------------------------------------------------------
    def action_open_reject_wizard(self):
        self.ensure_one()
        return {
            "name": self.env._("Reject Termination"),
            "type": "ir.actions.act_window",
            "res_model": "sale.termination.reject.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_request_id": self.id},
        }

    def action_view_order(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "sale.order",
            "res_id": self.order_id.id,
            "view_mode": "form",
        }

    def action_preview_portal(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_url",
            "url": self._get_share_url(),
            "target": "new",
        }
