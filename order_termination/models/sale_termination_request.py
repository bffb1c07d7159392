"""The termination request and its workflow: what was asked (order, reason, description,
options), submit, the approval levels, approve, reject, withdraw, and the revoke of an executed
request.

The customer's answer and link live in `sale_termination_request_customer`, the execution
through the reversal engine in `sale_termination_request_execution` (both extend this model).
The split is deliberate, so pylint-odoo's `consider-merging-classes-inherited` is disabled on
the extensions.
"""

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError

from odoo.addons.order_revoke_cancel.tools import check_text, lock_for_update

ACTIVE_STATES = ("draft", "to_approve", "to_confirm")


class SaleTerminationRequest(models.Model):
    """Ending a confirmed order is a decision: the request carries it through approvals
    and the customer's answer, then executes it through the reversal engine.

    Requests are evidence of that decision: every user only reads them (read-only access
    rights, managers included) and they change only through the methods of this model (this
    file and its `sale_termination_request_*` extensions), which check who may do what and
    then write as superuser at that one step.
    """

    _name = "sale.termination.request"
    _description = "Order Termination Request"
    _inherit = ["portal.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    # Users only read requests (they are evidence); reading is enough to use the chatter.
    _mail_post_access = "read"
    _check_company_auto = True

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    name = fields.Char(required=True, readonly=True, copy=False, default="/")
    order_id = fields.Many2one(
        "sale.order", required=True, readonly=True, index=True, ondelete="cascade"
    )
    order_name = fields.Char(related="order_id.name", store=True, string="Order Reference")
    company_id = fields.Many2one(related="order_id.company_id", store=True, index=True)
    partner_id = fields.Many2one(related="order_id.partner_id", store=True, string="Customer")
    currency_id = fields.Many2one(related="order_id.currency_id")
    line_ids = fields.One2many(
        "sale.termination.request.line",
        "request_id",
        "Lines to Terminate",
        readonly=True,
        help="A termination of part of the order: the quantities of these lines. Empty: the "
        "whole order.",
    )
    amount_total = fields.Monetary(
        "Amount Terminated",
        compute="_compute_amount_total",
        store=True,
        help="The order total, or what the quantities to terminate were ordered for: the "
        "amount the approval thresholds read.",
    )
    order_salesperson_id = fields.Many2one(
        related="order_id.user_id", store=True, string="Salesperson"
    )
    reason_id = fields.Many2one(
        "sale.termination.reason", required=True, readonly=True, tracking=True, check_company=True
    )
    description = fields.Text(
        required=True, readonly=True, help="Internal: never shown to the customer."
    )
    customer_message = fields.Text(
        readonly=True,
        help="What the customer reads on the portal page and in the email; nothing else of "
        "the request reaches the customer.",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Requested By",
        required=True,
        readonly=True,
        default=lambda self: self.env.user,
    )
    request_date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    origin = fields.Selection(
        [("internal", "Internal"), ("portal", "Customer Portal")],
        default="internal",
        required=True,
        readonly=True,
        index=True,
        help="Customer Portal: the customer asked for the cancellation on their order page; "
        "they are emailed the outcome.",
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("to_approve", "To Approve"),
            ("to_confirm", "Customer Confirmation"),
            ("done", "Terminated"),
            ("rejected", "Rejected"),
            ("withdrawn", "Withdrawn"),
            ("revoked", "Revoked"),
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
    receive_returns = fields.Boolean(
        readonly=True, help="Returns created by the termination are received at once."
    )
    refund_payments = fields.Boolean(
        readonly=True, help="Money already received is paid back to the customer."
    )
    decision_date = fields.Datetime(readonly=True, copy=False)
    decision_days = fields.Float(
        "Days to Decision",
        readonly=True,
        copy=False,
        aggregator="avg",
        help="Time between the request and its execution or rejection.",
    )
    can_review = fields.Boolean(compute="_compute_can_review")
    can_withdraw = fields.Boolean(
        compute="_compute_can_withdraw",
        help="The request is still open and the user asked for it or manages terminations.",
    )
    # Written only by `_mark_revoked`, when the termination's cancellation is revoked.
    revoke_user_id = fields.Many2one("res.users", "Revoked By", readonly=True, copy=False)
    revoke_date = fields.Datetime("Revoked On", readonly=True, copy=False)
    revoke_note = fields.Text(readonly=True, copy=False)

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    @api.depends_context("uid")
    @api.depends("state", "approval_ids.state")
    def _compute_can_review(self):
        for request in self:
            request.can_review = bool(request._get_reviewable_approvals())

    @api.depends_context("uid")
    @api.depends("state", "user_id")
    def _compute_can_withdraw(self):
        for request in self:
            request.can_withdraw = request.state in ACTIVE_STATES and (
                request._is_requester_or_manager(self.env.user)
            )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("sale.termination.request")
        return super().create(vals_list)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_submit(self):
        """Build the approval lines from the applicable steps and open the first level."""
        self._lock_for_decision()
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
        self._advance()
        return True

    def action_approve(self, comment=None):
        """Approve every pending line the current user may decide."""
        comment = check_text(self, comment, "comment")
        self._lock_for_decision()
        for request in self:
            approvals = request._get_decidable_approvals()
            # Approvers may belong to any group (warehouse, finance...): their right to decide
            # was checked just above, the bookkeeping of the decision runs as superuser.
            approvals.sudo()._record_decision("approved", comment)
        self._advance()
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
        self._lock_for_decision()
        for request in self:
            approvals = request._get_decidable_approvals()
            # Rights checked above; the approver need not have write access to requests.
            approvals[:1].sudo()._record_decision("rejected", comment)
            request._finish("rejected", comment)
        return True

    def action_withdraw(self):
        """The requester (or a termination manager) takes the request back."""
        self._lock_for_decision()
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
        self._finish("withdrawn")
        return True

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

    def action_open_approve_wizard(self):
        """Approve button: a wizard with a comment that says which steps the approval
        decides (the approver's pending steps, all at once)."""
        self.ensure_one()
        self._get_decidable_approvals()
        return self._get_approve_wizard_action()

    def action_view_order(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "sale.order",
            "res_id": self.order_id.id,
            "view_mode": "form",
        }

    # ------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------
    def _get_reviewable_approvals(self):
        """Pending lines the current user may decide (group member, self-approval rule)."""
        self.ensure_one()
        if self.state != "to_approve":
            return self.env["sale.termination.approval"]
        return self.approval_ids.filtered(lambda a: a.state == "pending" and a._can_review())

    def _lock_for_decision(self):
        """Lock the requests' rows before deciding on them: of two concurrent decisions
        (two approvals, two portal answers, approve and withdraw) the second is refused at
        once or, if it read the request before the first committed, retried by Odoo on the
        state the first one left (see `lock_for_update`)."""
        lock_for_update(self)
        self.invalidate_recordset()

    def _is_requester_or_manager(self, user):
        """Whether `user` asked for this request or manages terminations (pure; also behind
        the order's Withdraw button, which reads the request as superuser)."""
        self.ensure_one()
        return self.user_id == user or user.has_group("order_termination.group_termination_manager")

    def _check_requester_or_manager(self):
        self.ensure_one()
        if self.env.su or self._is_requester_or_manager(self.env.user):
            return
        raise AccessError(
            self.env._(
                "Only %(user)s, who requested it, or a termination manager may submit or "
                "withdraw the termination request of %(order)s.",
                user=self.user_id.name,
                order=self.order_name,
            )
        )

    def _check_termination_manager(self, message):
        if not (
            self.env.su or self.env.user.has_group("order_termination.group_termination_manager")
        ):
            raise AccessError(message)

    @api.depends("order_id.amount_total", "line_ids.amount")
    def _compute_amount_total(self):
        for request in self:
            request.amount_total = (
                sum(request.line_ids.mapped("amount"))
                if request.line_ids
                else request.order_id.amount_total
            )

    def _get_quantities(self):
        """``{sale line: quantity}`` of a termination of part of the order; empty otherwise."""
        self.ensure_one()
        return {line.sale_line_id: line.quantity for line in self.line_ids}

    def _get_applicable_steps(self):
        self.ensure_one()
        return self.env["sale.termination.approval.step"]._get_applicable_to(
            self.order_id, self.amount_total
        )

    def _prepare_approval_vals_list(self):
        steps = self._get_applicable_steps()
        if not steps and self.origin == "portal":
            # A customer's request is never decided by nobody (nor executed with the rights of
            # whoever submitted it): without an applicable step, termination managers decide.
            steps = self.env.ref("order_termination.approval_step_customer_request").sudo()
        return [
            {
                "step_id": step.id,
                "sequence": step.sequence,
                "group_id": step.group_id.id,
                "allow_self_approval": step.allow_self_approval,
                "state": "waiting",
            }
            for step in steps
        ]

    def _advance(self):
        """Open the next approval level, or move on once every line is approved. The current
        user is who made the request move (requester, last approver)."""
        for request in self.filtered(lambda r: r.state == "to_approve"):
            approvals = request.approval_ids
            if approvals.filtered(lambda a: a.state == "pending"):
                continue
            waiting = approvals.filtered(lambda a: a.state == "waiting")
            if waiting:
                level = min(waiting.mapped("sequence"))
                # Approvers need no right on approval lines: the bookkeeping is superuser's.
                waiting.filtered(lambda a, lv=level: a.sequence == lv).sudo()._set_pending()
            else:
                request._on_fully_approved()

    def _on_fully_approved(self):
        self.ensure_one()
        if self.customer_confirmation:
            # Rights were checked by whoever moved the request here.
            self.sudo().state = "to_confirm"
            self.sudo()._send_customer_confirmation()
        elif self.approval_ids:
            self._execute_by(self.env.user)
        else:
            # No approval step applies: the requester's own decision, with the requester's
            # own rights; a refusal reaches them directly and nothing is kept.
            self._check_executable()
            self._execute(self.env.user)

    def _mark_revoked(self, note=None):
        """The termination these requests executed was revoked: the order lives again. The
        request records who revoked it, when and why, and the customer who asked for the
        termination or confirmed it hears that the order carries on. Called by
        `sale.order.revoke_cancel` only, once the caller's right to revoke was checked."""
        now = fields.Datetime.now()
        for request in self:
            # Requests are evidence that users only read: the revoke path writes them.
            request.sudo().write(
                {
                    "state": "revoked",
                    "revoke_user_id": self.env.user.id,
                    "revoke_date": now,
                    "revoke_note": note or False,
                }
            )
            request.message_post(
                body=self.env._(
                    "The termination of %s was revoked. Purchases it cancelled stay cancelled.",
                    request.order_name,
                ),
                subtype_xmlid="mail.mt_note",
            )
            if request.origin == "portal" or request.customer_response == "confirmed":
                request.sudo()._send_customer_revoked()

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
        self._lock_for_decision()
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

    def _finish(self, state, comment=None):
        """End the request without executing it: the approval lines still open are closed,
        approvers' activities removed, and the order says why (internal note)."""
        now = fields.Datetime.now()
        for request in self:
            # Rights were checked by the caller (reject, withdraw, customer's answer).
            request.sudo().write(request._prepare_decision_vals(state, now))
            request.approval_ids.sudo()._close_open_lines()
            # Approvers may have no right on sales orders; the note is the decision's record.
            request.sudo().order_id.message_post(
                body=request._get_finish_message(state, comment),
                subtype_xmlid="order_termination.mt_order_termination_decided",
            )
            if request.origin == "portal":
                request.sudo()._send_customer_outcome()

    def _get_finish_message(self, state, comment):
        self.ensure_one()
        user = self.env.user.name
        if state == "rejected" and self.customer_response == "declined":
            return self.env._(
                "The customer declined the termination request %(request)s: %(comment)s",
                request=self.name,
                comment=comment or "-",
            )
        if state == "rejected":
            return self.env._(
                "%(user)s rejected the termination request %(request)s: %(comment)s",
                user=user,
                request=self.name,
                comment=comment or "-",
            )
        return self.env._(
            "%(user)s withdrew the termination request %(request)s.",
            user=user,
            request=self.name,
        )

    def _prepare_decision_vals(self, state, now):
        return {
            "state": state,
            "decision_date": now,
            "decision_days": (now - self.request_date).total_seconds() / 86400.0,
        }

    def _notify_termination_managers(self, summary, message, partners=None):
        """Ask the termination managers to act on this request: `message` as an internal note
        (sent to `partners` too) and one to-do per manager of the request's company, whose
        summary `summary(env)` writes in that manager's language (it is stored)."""
        self.ensure_one()
        self.message_post(
            body=message,
            partner_ids=partners.ids if partners else [],
            subtype_xmlid="mail.mt_note",
        )
        for manager in self._get_termination_managers():
            in_lang = self.with_context(lang=manager.lang or self.env.lang)
            self.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=manager.id,
                summary=summary(in_lang.env),
                note=message,
            )

    def _get_termination_managers(self):
        self.ensure_one()
        group = self.env.ref("order_termination.group_termination_manager").sudo()
        return group.users.filtered(
            lambda u: not u.share and u.active and self.company_id in u.company_ids
        )

    def _get_approve_wizard_action(self, approval=None):
        self.ensure_one()
        context = {"default_request_id": self.id}
        if approval:
            context["default_approval_id"] = approval.id
        return {
            "name": self.env._("Approve Termination"),
            "type": "ir.actions.act_window",
            "res_model": "sale.termination.approve.wizard",
            "view_mode": "form",
            "target": "new",
            "context": context,
        }
