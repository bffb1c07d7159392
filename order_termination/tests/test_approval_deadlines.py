from datetime import timedelta

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from .common import TerminationCase


@tagged("post_install", "-at_install")
class TestApprovalDeadlines(TerminationCase):
    """Overdue approval lines remind their group once and, where the step says so, let an
    escalation group decide them too; the self-approval rule still holds."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.escalation_group = cls.env["res.groups"].create({"name": "Termination Escalation"})
        cls.escalator = cls.company_user("term_escalator", "base.group_user")
        cls.escalation_group.users = [Command.link(cls.escalator.id)]
        cls.step_wh.write({"deadline_days": 2, "escalation_group_id": cls.escalation_group.id})
        cls.step_fin.deadline_days = 5
        cls.cron = cls.env.ref("order_termination.ir_cron_escalate_approvals")

    def run_cron(self, days):
        """The daily scheduled action, `days` after now."""
        with freeze_time(fields.Datetime.now() + timedelta(days=days)):
            self.env["sale.termination.approval"]._cron_escalate_approvals()

    def overdue_notes(self, request, text):
        return request.message_ids.filtered(lambda m: text in str(m.body))

    def _activity_users(self, request):
        approval_type = self.env.ref("order_termination.mail_activity_termination_approval")
        return request.activity_ids.filtered(lambda a: a.activity_type_id == approval_type).user_id

    def test_daily_cron_is_active(self):
        self.assertTrue(self.cron.active, msg="the escalation runs by itself")
        self.assertEqual(self.cron.interval_type, "days", msg="it runs daily")

    def test_deadline_set_when_the_line_becomes_pending(self):
        now = fields.Datetime.now()
        with freeze_time(now):
            request = self.request(self.confirmed_order(qty=20))
        wh, fin = request.approval_ids
        self.assertEqual(
            wh.deadline, now + timedelta(days=2), msg="the open line is due in its step's days"
        )
        self.assertFalse(fin.deadline, msg="a waiting line has no deadline yet")
        later = now + timedelta(days=1)
        with freeze_time(later):
            request.with_user(self.warehouse_approver).action_approve()
        self.assertEqual(
            fin.deadline, later + timedelta(days=5), msg="the next line is due from its opening"
        )

    def test_step_without_deadline_sets_none(self):
        self.step_wh.deadline_days = 0
        request = self.request(self.confirmed_order(qty=2))
        self.assertFalse(request.approval_ids.deadline, msg="0 days means no deadline")
        self.run_cron(400)
        self.assertFalse(request.approval_ids.reminded, msg="a line without deadline never reminds")

    def test_cron_reminds_once_without_escalation_group(self):
        self.step_wh.escalation_group_id = False
        request = self.request(self.confirmed_order(qty=2))
        self.run_cron(3)
        self.run_cron(4)
        approval = request.approval_ids
        reminders = self.overdue_notes(request, "please approve or reject it")
        self.assertEqual(len(reminders), 1, msg="the group is reminded once, not every day")
        self.assertIn(
            self.warehouse_approver.partner_id,
            reminders.partner_ids,
            msg="the reminder notifies the group's approvers",
        )
        self.assertTrue(approval.reminded, msg="the line records that it reminded")
        self.assertFalse(approval.escalated, msg="without escalation group nothing escalates")
        with self.assertRaises(AccessError):
            request.with_user(self.escalator).action_approve()
        self.assertEqual(approval.state, "pending", msg="the line still waits for its group")

    def test_line_not_overdue_is_untouched(self):
        request = self.request(self.confirmed_order(qty=2))
        self.run_cron(1)
        approval = request.approval_ids
        self.assertFalse(approval.reminded or approval.escalated, msg="not due yet: untouched")
        self.assertFalse(
            self.overdue_notes(request, "was due on"), msg="nothing is said before the deadline"
        )
        with self.assertRaises(AccessError):
            request.with_user(self.escalator).action_approve()

    def test_escalation_lets_the_escalation_group_decide(self):
        request = self.request(self.confirmed_order(qty=20))
        wh, fin = request.approval_ids
        self.assertFalse(
            wh.with_user(self.escalator).can_review, msg="before the deadline only the group"
        )
        self.run_cron(3)
        self.assertTrue(wh.escalated, msg="the overdue line is escalated")
        self.assertEqual(wh.escalation_group_id, self.escalation_group)
        self.assertEqual(
            len(self.overdue_notes(request, "it is escalated")),
            1,
            msg="the escalation is written in the request's chatter",
        )
        self.assertIn(
            self.escalator,
            self._activity_users(request),
            msg="the escalation group's members get the approval activity",
        )
        self.assertTrue(wh.with_user(self.escalator).can_review, msg="the button shows")
        wh.with_user(self.escalator).action_approve()
        self.assertEqual(wh.state, "approved", msg="the escalation group decided the line")
        self.assertEqual(wh.reviewer_id, self.escalator, msg="the decision names its author")
        self.assertEqual(fin.state, "pending", msg="the next step opens as after any approval")
        self.assertNotIn(
            self.escalator,
            self._activity_users(request),
            msg="the decided line leaves no activity behind",
        )
        self.assertFalse(fin.escalated, msg="the next line starts its own deadline")

    def test_escalation_reaches_a_salesman_limited_to_own_documents(self):
        """Record rules let a salesman see requests of their approver groups: an escalation
        group counts once the line escalated, not before."""
        salesman = self.company_user("term_esc_salesman", "sales_team.group_sale_salesman")
        self.escalation_group.users = [Command.link(salesman.id)]
        request = self.request(self.confirmed_order(qty=20))
        Request = self.env["sale.termination.request"].with_user(salesman)
        self.assertFalse(Request.search([("id", "=", request.id)]), msg="not theirs before")
        self.run_cron(3)
        self.assertEqual(
            Request.search([("id", "=", request.id)]), request, msg="they see it once escalated"
        )
        request.with_user(salesman).action_approve("Decided on escalation.")
        self.assertEqual(request.approval_ids[0].reviewer_id, salesman)

    def test_member_of_neither_group_is_refused(self):
        request = self.request(self.confirmed_order(qty=20))
        self.run_cron(3)
        with self.assertRaises(AccessError):
            request.with_user(self.outsider).action_approve()
        with self.assertRaises(AccessError):
            request.approval_ids[0].with_user(self.outsider).action_approve()
        self.assertFalse(request.approval_ids.reviewer_id, msg="no refused decision is recorded")

    def test_escalation_keeps_the_self_approval_rule(self):
        self.escalation_group.users = [Command.link(self.requester.id)]
        request = self.request(self.confirmed_order(qty=20))
        self.run_cron(3)
        with self.assertRaises(AccessError):
            request.with_user(self.requester).action_approve()
        self.assertEqual(
            request.approval_ids[0].state, "pending", msg="the requester cannot decide"
        )
        self.assertNotIn(
            self.requester,
            self._activity_users(request),
            msg="the requester gets no approval activity for their own request",
        )

    def test_overdue_filter(self):
        request = self.request(self.confirmed_order(qty=2))
        domain = [("approval_ids", "any", [("is_overdue", "=", True)])]
        Request = self.env["sale.termination.request"].with_user(self.warehouse_approver)
        self.assertNotIn(request, Request.search(domain), msg="not overdue yet")
        self.assertIn(
            request,
            Request.search([("approval_ids", "any", [("is_overdue", "!=", True)])]),
            msg="the negated filter finds the line on time",
        )
        with freeze_time(fields.Datetime.now() + timedelta(days=3)):
            self.assertIn(request, Request.search(domain), msg="overdue after its deadline")
            self.assertTrue(request.approval_ids.is_overdue)
            request.with_user(self.warehouse_approver).action_approve()
            self.assertNotIn(request, Request.search(domain), msg="a decided line is not overdue")

    def test_deadline_days_bounds(self):
        with self.assertRaises(ValidationError):
            self.step_wh.deadline_days = -1
        with self.assertRaises(ValidationError):
            self.step_fin.deadline_days = 366

    def test_approval_lines_stay_read_only(self):
        request = self.request(self.confirmed_order(qty=2))
        with self.assertRaises(AccessError):
            request.approval_ids.with_user(self.escalator).write({"escalated": True})
