from markupsafe import Markup

from odoo import api, fields, models

from odoo.addons.order_revoke_cancel.models.tools import lock_for_update


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
    review_date = fields.Datetime(readonly=True)
    comment = fields.Text(readonly=True)
    can_review = fields.Boolean(compute="_compute_can_review")

    @api.depends_context("uid")
    @api.depends("state", "group_id", "request_id.state")
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
        if user not in self.group_id.users:
            return False
        return self.allow_self_approval or self.request_id.user_id != user

    def _set_pending(self):
        """Open these lines and give each active internal member of their group an activity;
        a line nobody may decide is said out loud instead of waiting in silence."""
        self.write({"state": "pending"})
        for approval in self:
            users = approval._get_possible_reviewers()
            for user in users:
                approval.request_id.activity_schedule(
                    "order_termination.mail_activity_termination_approval",
                    user_id=user.id,
                    summary=self.env._(
                        "Approve the termination of %(order)s (%(step)s)",
                        order=approval.request_id.order_name,
                        step=approval.step_id.name,
                    ),
                )
            if not users:
                approval._notify_nobody_can_review()

    def _get_possible_reviewers(self):
        self.ensure_one()
        users = self.group_id.users.filtered(
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
        request.message_post(
            body=message,
            partner_ids=request.user_id.partner_id.ids,
            subtype_xmlid="mail.mt_note",
        )
        for manager in request._get_termination_managers():
            request.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=manager.id,
                summary=self.env._("Nobody may approve the termination of %s", request.order_name),
                note=message,
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
            users = self.filtered(lambda a, r=request: a.request_id == r).group_id.users
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

    def action_approve(self):
        """Approve this line (button on the request's approval list)."""
        self.ensure_one()
        lock_for_update(self.request_id)
        self.request_id._check_line_reviewable(self)
        self.sudo()._record_decision("approved", False)
        self.request_id._advance()
        return True

    def action_reject(self):
        self.ensure_one()
        self.request_id._check_line_reviewable(self)
        return self.request_id.action_open_reject_wizard()
