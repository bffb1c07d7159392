from odoo import Command
from odoo.tests import tagged

from .common import TerminationCase

OWN_DOCUMENTS = "sales_team.group_sale_salesman"
ALL_DOCUMENTS = "sales_team.group_sale_salesman_all_leads"


@tagged("post_install", "-at_install")
class TestCancellationAnalysis(TerminationCase):
    """Sales > Reporting > Cancellation Analysis: each order counted once, revoked
    cancellations left out by default, the amount credited, terminations and their reason,
    the time each approval step took; salesmen limited to their own orders see only those."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.step_fin.active = False
        cls.cancel_reason = cls.env.ref("order_revoke_cancel.cancel_reason_customer_request")
        cls.alice = cls.company_user("analysis_alice", OWN_DOCUMENTS)
        cls.bob = cls.company_user("analysis_bob", OWN_DOCUMENTS)
        cls.dave = cls.company_user("analysis_dave", ALL_DOCUMENTS)

    def setUp(self):
        super().setUp()
        # Cancelled, revoked, cancelled again: one order, two rows, counted once.
        self.twice = self.confirmed_order()
        self.twice.cancel_with_reversal(self.cancel_reason)
        self.twice.revoke_cancel("Customer changed his mind.")
        self.twice.cancel_with_reversal(self.cancel_reason)
        # Cancelled then revoked: left out by default.
        self.revoked = self.confirmed_order()
        self.revoked.cancel_with_reversal(self.cancel_reason)
        self.revoked.revoke_cancel("Cancelled by mistake.")
        # Invoiced (posted), then cancelled: the credit note is the amount reversed.
        self.invoiced = self.confirmed_order(qty=3, price=200.0)
        self.invoice(self.invoiced)
        self.invoiced.cancel_with_reversal(self.cancel_reason)
        # Terminated through a request and its approval.
        self.terminated = self.confirmed_order()
        self.termination = self.request(self.terminated)
        self.termination.with_user(self.warehouse_approver).action_approve()
        self.assertEqual(self.termination.state, "done")
        self.orders = self.twice | self.revoked | self.invoiced | self.terminated
        self.env.flush_all()

    def rows(self, user=None, domain=None):
        Analysis = self.env["sale.cancellation.analysis"]
        if user:
            Analysis = Analysis.with_user(user)
        return Analysis.search([("order_id", "in", self.orders.ids), *(domain or [])])

    def orders_counted(self, domain, user=None):
        Analysis = self.env["sale.cancellation.analysis"].with_user(user or self.env.user)
        groups = Analysis.read_group(
            [("order_id", "in", self.orders.ids), *domain], ["order_count:sum"], []
        )
        return groups[0]["order_count"] or 0

    def test_each_order_once_revoked_left_out_by_default(self):
        default = [("revoked", "=", False)]  # the action's default filter "In Force"
        self.assertEqual(
            self.rows(domain=default).order_id,
            self.twice | self.invoiced | self.terminated,
            msg="revoked cancellations are left out",
        )
        self.assertEqual(self.orders_counted(default), 3, msg="each order counted once")
        self.assertEqual(len(self.rows()), 5, msg="every cancellation record is a row")
        self.assertEqual(
            self.orders_counted([]), 4, msg="without the filter, still each order once"
        )
        by_order = self.env["sale.cancellation.analysis"].read_group(
            [("order_id", "in", self.orders.ids)], ["order_count:sum"], ["order_id"]
        )
        self.assertEqual(
            {group["order_count"] for group in by_order}, {1}, msg="no order counts twice"
        )

    def test_revoke_rate(self):
        groups = self.env["sale.cancellation.analysis"].read_group(
            [("order_id", "in", (self.twice | self.revoked).ids)], ["revoke_rate:avg"], []
        )
        self.assertAlmostEqual(
            groups[0]["revoke_rate"], 200.0 / 3, msg="two of the three cancellations revoked"
        )

    def test_amounts_and_kinds(self):
        row = self.rows(domain=[("order_id", "=", self.invoiced.id)])
        credit_notes = self.invoiced.cancellation_ids.credit_note_ids
        self.assertEqual(len(credit_notes), 1, msg="the posted invoice was credited")
        self.assertRecordValues(
            row,
            [
                {
                    "kind": "cancellation",
                    "cancel_reason_id": self.cancel_reason.id,
                    "amount_total": 600.0,
                    "amount_reversed": 600.0,
                    "user_id": self.requester.id,
                    "revoked": False,
                }
            ],
        )
        row = self.rows(domain=[("order_id", "=", self.terminated.id)])
        self.assertRecordValues(
            row,
            [
                {
                    "kind": "termination",
                    "termination_request_id": self.termination.id,
                    "termination_reason_id": self.reason.id,
                    "origin": "internal",
                    "amount_reversed": 0.0,
                }
            ],
        )
        self.assertGreaterEqual(row.decision_days, 0.0, msg="the time to decision is kept")

    def test_one_reason_axis_for_cancellations_and_terminations(self):
        """The graph's reason: a termination's own reason, a cancellation's reason otherwise,
        in the reader's language (no "None" bar for plain cancellations)."""
        self.env["res.lang"]._activate_lang("zh_CN")
        self.cancel_reason.with_context(lang="zh_CN").name = "客户要求"
        rows = self.rows(domain=[("order_id", "in", (self.invoiced | self.terminated).ids)])
        self.assertEqual(
            {row.order_id: row.reason for row in rows},
            {self.invoiced: self.cancel_reason.name, self.terminated: self.reason.name},
        )
        groups = (
            self.env["sale.cancellation.analysis"]
            .with_context(lang="zh_CN")
            .read_group([("id", "in", rows.ids)], ["order_count:sum"], ["reason"])
        )
        self.assertIn("客户要求", [group["reason"] for group in groups])

    def test_fees_kept_until_revoked(self):
        fee_reason = self.env["sale.order.cancel.reason"].create(
            {"name": "Late cancellation", "fee_type": "fixed", "fee_value": 40.0}
        )
        kept = self.confirmed_order()
        kept.cancel_with_reversal(fee_reason)
        given_back = self.confirmed_order()
        given_back.cancel_with_reversal(fee_reason)
        given_back.revoke_cancel("The fee was waived after all.")
        self.orders |= kept | given_back
        self.env.flush_all()

        self.assertEqual(
            self.rows(domain=[("order_id", "=", kept.id)]).fee_kept, 40.0, msg="fee billed"
        )
        self.assertEqual(
            self.rows(domain=[("order_id", "=", given_back.id)]).fee_kept,
            0.0,
            msg="revoke credited the fee",
        )
        total = self.env["sale.cancellation.analysis"].read_group(
            [("order_id", "in", self.orders.ids)], ["fee_kept:sum"], []
        )[0]["fee_kept"]
        self.assertEqual(total, 40.0, msg="the report sums the fees kept")

    def test_decision_time_per_step(self):
        approval = self.termination.approval_ids
        self.assertEqual(approval.step_id, self.step_wh)
        self.assertTrue(approval.pending_date, msg="when the step opened")
        self.assertGreaterEqual(approval.decision_days, 0.0)
        groups = (
            self.env["sale.termination.approval"]
            .with_user(self.manager)
            .read_group(
                [("request_id", "=", self.termination.id)],
                ["decision_days:avg"],
                ["step_id"],
            )
        )
        self.assertEqual([g["step_id"][0] for g in groups], self.step_wh.ids, msg="per step")

    def test_salesman_sees_only_his_orders(self):
        self.twice.user_id = self.alice
        self.invoiced.user_id = self.bob
        self.env.flush_all()
        alice_sees = self.rows(user=self.alice).order_id
        self.assertIn(self.twice, alice_sees, msg="his own order")
        self.assertNotIn(self.invoiced, alice_sees, msg="not another salesman's order")
        self.assertNotIn(self.terminated, alice_sees, msg="nor the requester's orders")
        self.assertEqual(
            self.orders_counted([("revoked", "=", False)], user=self.alice),
            1,
            msg="his totals count his orders only",
        )
        self.assertEqual(
            self.rows(user=self.dave).order_id,
            self.orders,
            msg="an all-documents salesman sees every order",
        )

    def test_other_company_is_hidden(self):
        other = self.env["res.company"].create({"name": "Analysis other company"})
        self.dave.company_ids = [Command.link(other.id)]
        self.assertFalse(
            self.env["sale.cancellation.analysis"]
            .with_user(self.dave)
            .with_context(allowed_company_ids=other.ids)
            .search([("order_id", "in", self.orders.ids)]),
            msg="another company's cancellations are hidden",
        )


@tagged("post_install", "-at_install")
class TestCancellationAnalysisLines(TerminationCase):
    """A cancellation of lines is a row of its own, with the amount it cancelled."""

    def test_line_cancellation_counts_with_its_amount(self):
        order = self.confirmed_order(10)
        reason = self.env.ref("order_revoke_cancel.cancel_reason_customer_request")
        order.cancel_lines({order.order_line.id: 4}, reason)
        Analysis = self.env["sale.cancellation.analysis"]
        Analysis.invalidate_model()
        row = Analysis.search([("order_id", "=", order.id)])
        self.assertEqual(row.scope, "lines")
        self.assertEqual(row.amount_cancelled, 400)
        self.assertEqual(row.amount_total, order.amount_total)
        self.assertEqual(row.order_count, 1)
