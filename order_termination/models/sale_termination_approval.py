from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_datetime

from odoo.addons.order_revoke_cancel.tools import check_text, lock_for_update


class SaleTerminationApproval(models.Model):
    """A step as applied to one request: who decided what, and when.

    Approval lines are evidence: users only read them (read-only access rights, managers
    included); the request's methods check who may decide and record it as superuser.
    """

    _name = "sale.termination.approval"
    _description = "Order Termination Approval"
    _order = "sequence, id"

    request_id = fields.Many2one(
        "sale.termination.request", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="request_id.company_id", store=True)
    step_id = fields.Many2one("sale.termination.approval.step", required=True, readonly=True)
    name = fields.Char(related="step_id.name")
    sequence = fields.Integer(readonly=True)
    group_id = fields.Many2one("res.groups", required=True, readonly=True)
    allow_self_approval = fields.Boolean(readonly=True)
    state = fields.Selection(
        [
            ("waiting", "Waiting"),
            ("pending", "Pending"),
            ("approved", "Approved"),
            ("rejected", "Rejected"),
            ("cancelled", "Not Needed"),
        ],
        default="waiting",
        required=True,
        readonly=True,
    )
    reviewer_id = fields.Many2one("res.users", readonly=True)
    pending_date = fields.Datetime(
        "Opened On", readonly=True, help="When the line became pending (its approvers' turn)."
    )
    review_date = fields.Datetime(readonly=True)
    decision_days = fields.Float(
        "Days to Decision",
        compute="_compute_decision_days",
        store=True,
        aggregator="avg",
        help="Time between the line's opening and its approval or rejection.",
    )
    # Decisions take minutes or hours: in days every bar of the report reads "0.00".
    decision_hours = fields.Float(
        "Hours to Decision",
        compute="_compute_decision_days",
        store=True,
        aggregator="avg",
        digits=(16, 1),
        help="Time between the line's opening and its approval or rejection, in hours.",
    )
    comment = fields.Text(readonly=True)
    can_review = fields.Boolean(compute="_compute_can_review")
    deadline = fields.Datetime(
        readonly=True, help="When the line opened plus its step's deadline days."
    )
    is_overdue = fields.Boolean(
        string="Overdue", compute="_compute_is_overdue", search="_search_is_overdue"
    )
    reminded = fields.Boolean(
        readonly=True, help="The overdue line has reminded its group (reminders go out once)."
    )
    escalated = fields.Boolean(
        readonly=True, help="The line is overdue and the escalation group may decide it too."
    )
    escalation_group_id = fields.Many2one(
        "res.groups",
        readonly=True,
        help="The step's escalation group when the line was escalated: its members may decide.",
    )

    @api.depends_context("uid")
    @api.depends("state", "group_id", "request_id.state", "escalated")
    def _compute_can_review(self):
        for approval in self:
            approval.can_review = (
                approval.state == "pending"
                and approval.request_id.state == "to_approve"
                and approval._can_review()
            )

    def _can_review(self):
        """Group member, and not the requester unless the step allows self-approval."""
        self.ensure_one()
        user = self.env.user
        escalated_to = self.escalation_group_id.users if self.escalated else user.browse()
        if user not in self.group_id.users | escalated_to:
            return False
        return self.allow_self_approval or self.request_id.user_id != user

    @api.depends("pending_date", "review_date")
    def _compute_decision_days(self):
        for approval in self:
            if approval.pending_date and approval.review_date:
                seconds = (approval.review_date - approval.pending_date).total_seconds()
                approval.decision_days = seconds / 86400.0
                approval.decision_hours = seconds / 3600.0
            else:
                approval.decision_days = False
                approval.decision_hours = False

    def _set_pending(self):
        """Open these lines and give each active internal member of their group an activity;
        a line nobody may decide is said out loud instead of waiting in silence."""
        now = fields.Datetime.now()
        self.write({"state": "pending", "pending_date": now})
        for approval in self:
            if approval.step_id.deadline_days:
                approval.deadline = fields.Datetime.add(now, days=approval.step_id.deadline_days)
            users = approval._get_possible_reviewers()
            approval._schedule_review_activities(users)
            if not users:
                approval._notify_nobody_can_review()

    def _schedule_review_activities(self, users):
        self.ensure_one()
        for user in users:
            # The summary is stored: written in the reviewer's language, not the requester's.
            in_lang = self.with_context(lang=user.lang or self.env.lang)
            self.request_id.activity_schedule(
                "order_termination.mail_activity_termination_approval",
                user_id=user.id,
                summary=in_lang.env._(
                    "Approve the termination of %(order)s (%(step)s)",
                    order=self.request_id.order_name,
                    step=in_lang.step_id.name,
                ),
            )

    def _get_possible_reviewers(self, group=None):
        """Active internal users of `group` (the line's group by default) in the request's
        company, without the requester unless the step allows self-approval."""
        self.ensure_one()
        users = (group or self.group_id).users.filtered(
            lambda u: not u.share and u.active and self.request_id.company_id in u.company_ids
        )
        if not self.allow_self_approval:
            users -= self.request_id.user_id
        return users

    def _notify_nobody_can_review(self):
        """Tell the requester and the termination managers that this step cannot be decided
        as things stand, and what to do about it."""
        self.ensure_one()
        request = self.request_id
        message = self.env._(
            "Nobody but its requester may approve the step %(step)s of %(request)s for "
            "%(order)s: add another user to the group %(group)s, allow self-approval on the "
            "step, or withdraw the request.",
            step=self.step_id.name,
            request=request.name,
            order=request.order_name,
            group=self.group_id.full_name,
        )
        request._notify_termination_managers(
            lambda env: env._("Nobody may approve the termination of %s", request.order_name),
            message,
            partners=request.user_id.partner_id,
        )

    def _close_open_lines(self):
        """The request ended without them (rejected, withdrawn): waiting and pending lines
        are not needed any more."""
        self.filtered(lambda a: a.state in ("waiting", "pending")).write({"state": "cancelled"})
        self._unlink_activities()

    def _record_decision(self, state, comment):
        """Record who decided what; remove the other approvers' activities; tell the
        requester."""
        self.write(
            {
                "state": state,
                "reviewer_id": self.env.user.id,
                "review_date": fields.Datetime.now(),
                "comment": comment or False,
            }
        )
        self._unlink_activities()
        for approval in self:
            approval._notify_requester()

    def _unlink_activities(self):
        """Remove the approval activities of the users of these lines' groups."""
        activity_type = self.env.ref("order_termination.mail_activity_termination_approval")
        for request in self.request_id:
            lines = self.filtered(lambda a, r=request: a.request_id == r)
            users = lines.group_id.users | lines.escalation_group_id.users
            request.activity_ids.filtered(
                lambda act, u=users: act.activity_type_id == activity_type and act.user_id in u
            ).unlink()

    def _notify_requester(self):
        """Internal note to the requester: approvers' comments never reach the customer."""
        self.ensure_one()
        request = self.request_id
        if self.state == "approved":
            body = self.env._(
                "%(user)s approved the step %(step)s of the termination of %(order)s.",
                user=self.env.user.name,
                step=self.step_id.name,
                order=request.order_name,
            )
        else:
            body = self.env._(
                "%(user)s rejected the step %(step)s of the termination of %(order)s.",
                user=self.env.user.name,
                step=self.step_id.name,
                order=request.order_name,
            )
        if self.comment:
            body = Markup("<p>%s</p><p>%s</p>") % (body, self.comment)
        request.message_post(
            body=body,
            partner_ids=request.user_id.partner_id.ids,
            subtype_xmlid="mail.mt_note",
        )

    def action_approve(self, comment=None):
        """Approve this line only (from the request's approval list)."""
        self.ensure_one()
        comment = check_text(self, comment, "comment")
        lock_for_update(self.request_id)
        self.request_id._check_line_reviewable(self)
        self.sudo()._record_decision("approved", comment)
        self.request_id._advance()
        return True

    def action_open_approve_wizard(self):
        """The line's approve button: the wizard says which step it decides, asks a comment."""
        self.ensure_one()
        self.request_id._check_line_reviewable(self)
        return self.request_id._get_approve_wizard_action(self)

    def action_reject(self):
        self.ensure_one()
        self.request_id._check_line_reviewable(self)
        return self.request_id.action_open_reject_wizard()

    # ------------------------------------------------------------------
    # Deadlines and escalation
    # ------------------------------------------------------------------
    @api.depends("state", "deadline")
    def _compute_is_overdue(self):
        now = fields.Datetime.now()
        for approval in self:
            approval.is_overdue = bool(
                approval.state == "pending" and approval.deadline and approval.deadline < now
            )

    def _search_is_overdue(self, operator, value):
        if operator not in ("=", "!="):
            raise UserError(
                self.env._("Search overdue approvals with = or != only, not with %s.", operator)
            )
        domain = [("state", "=", "pending"), ("deadline", "<", fields.Datetime.now())]
        return domain if (operator == "=") == bool(value) else ["!", "&", *domain]

    @api.model
    def _cron_escalate_approvals(self):
        """Daily: remind the group of each overdue pending line once, and escalate it where
        its step names an escalation group."""
        # The scheduler only finds and bookkeeps: approval lines are read-only evidence for
        # every user, so the reminder flag and the escalation are written as superuser; no
        # decision is taken here, and the method is private (not callable over RPC).
        overdue = self.sudo().search(
            [
                ("is_overdue", "=", True),
                ("reminded", "=", False),
                ("request_id.state", "=", "to_approve"),
            ]
        )
        for approval in overdue:
            approval._remind_overdue()

    def _remind_overdue(self):
        """Tell the line's approvers it is overdue (a note that notifies them; they already
        have their approval activity) and, with an escalation group, let that group decide
        too: its members get the approval activity."""
        self.ensure_one()
        request = self.request_id
        escalation_group = self.step_id.escalation_group_id
        vals = {"reminded": True}
        if escalation_group:
            vals.update(escalated=True, escalation_group_id=escalation_group.id)
        self.write(vals)
        reviewers = self._get_possible_reviewers()
        deadline = format_datetime(self.env, self.deadline)
        if escalation_group:
            escalation_reviewers = self._get_possible_reviewers(escalation_group) - reviewers
            self._schedule_review_activities(escalation_reviewers)
            reviewers |= escalation_reviewers
            body = self.env._(
                "The step %(step)s of %(request)s for %(order)s was due on %(deadline)s: it is "
                "escalated, and members of the group %(group)s may now decide it too.",
                step=self.step_id.name,
                request=request.name,
                order=request.order_name,
                deadline=deadline,
                group=escalation_group.full_name,
            )
        else:
            body = self.env._(
                "The step %(step)s of %(request)s for %(order)s was due on %(deadline)s: "
                "members of the group %(group)s, please approve or reject it.",
                step=self.step_id.name,
                request=request.name,
                order=request.order_name,
                deadline=deadline,
                group=self.group_id.full_name,
            )
        request.message_post(
            body=body,
            partner_ids=reviewers.partner_id.ids,
            subtype_xmlid="mail.mt_note",
        )
