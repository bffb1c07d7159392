from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from .common import TerminationCase


@tagged("post_install", "-at_install")
class TestReportsEvidence(TerminationCase):
    """What the evidence screens and the reports show: a cancellation named in the reader's
    language and date format, closed orders with their close data, decision times in hours,
    terminations filed under their termination reason, a cancelled purchase's quantities, the
    approve wizard's comment and steps, and who will approve before a request is made."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.step_fin.active = False
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.env["ir.module.module"].search(
            [("name", "in", ("order_revoke_cancel", "order_termination"))]
        )._update_translations(["zh_CN"])

    def approve(self, request, user, comment=None):
        action = request.with_user(user).action_open_approve_wizard()
        wizard = (
            self.env[action["res_model"]]
            .with_user(user)
            .with_context(**action["context"])
            .create({"comment": comment})
        )
        summary = wizard.steps_summary
        wizard.action_approve()
        return summary

    def test_cancellation_name_in_the_readers_language(self):
        order = self.confirmed_order()
        cancellation = order.with_user(self.manager).cancel_with_reversal(
            self.env.ref("order_revoke_cancel.cancel_reason_customer_request")
        )
        # The ledger is read-only for users: the test moves its date as superuser.
        cancellation.sudo().date = fields.Datetime.to_datetime("2026-03-04 10:00:00")
        english = cancellation.with_user(self.manager).with_context(lang="en_US", tz="UTC")
        self.assertEqual(english.name, f"{order.name} cancelled on 03/04/2026")
        chinese = cancellation.with_user(self.manager).with_context(lang="zh_CN", tz="UTC")
        self.assertNotIn("cancelled on", chinese.name, msg="the sentence is translated")
        self.assertIn(order.name, chinese.name)
        self.assertNotIn("2026-03-04", english.name, msg="no ISO date for the reader")
        self.assertEqual(
            self.env["sale.order.cancellation"].search([("name", "ilike", order.name)]),
            cancellation,
            msg="a cancellation is found by its order's reference",
        )

    def test_cancel_wizard_title_is_one_translated_sentence(self):
        order = self.confirmed_order()
        action = order.with_user(self.requester).with_context(lang="zh_CN").action_cancel()
        self.assertEqual(action["res_model"], "sale.order.cancel")
        self.assertEqual(action["name"], "取消销售订单", msg="no English leftover in Chinese")

    def test_activities_in_the_language_of_whom_they_are_for(self):
        """Regression: the approver's and the salesperson's to-dos (stored summaries) were in
        the requester's language."""
        self.warehouse_approver.lang = "zh_CN"
        self.requester.lang = "zh_CN"
        order = self.confirmed_order()
        request = self.request(order.with_context(lang="en_US"))
        activity = request.activity_ids.filtered(lambda a: a.user_id == self.warehouse_approver)
        left, right = "\N{FULLWIDTH LEFT PARENTHESIS}", "\N{FULLWIDTH RIGHT PARENTHESIS}"
        self.assertEqual(
            activity.summary, f"批准 {order.name} 的终止{left}{self.step_wh.name}{right}"
        )

        held = self.confirmed_order()
        held.with_user(self.manager).with_context(lang="en_US").place_hold(
            self.env.ref("order_termination.hold_reason_customer_dispute")
        )
        hold_activity = held.activity_ids.filtered(lambda a: a.user_id == self.requester)
        self.assertTrue(
            hold_activity.summary.startswith("已暂停\N{FULLWIDTH COLON}"),
            msg="the salesperson's to-do in Chinese",
        )

    def test_approval_decision_time_in_hours(self):
        order = self.confirmed_order()
        request = self.request(order)
        line = request.approval_ids
        line.sudo().pending_date = fields.Datetime.now() - timedelta(minutes=90)
        self.approve(request, self.warehouse_approver)
        self.assertAlmostEqual(line.decision_hours, 1.5, places=1, msg="90 minutes: 1.5 hours")
        groups = (
            self.env["sale.termination.approval"]
            .with_user(self.manager)
            .read_group([("id", "=", line.id)], ["decision_hours:avg"], ["step_id"])
        )
        self.assertAlmostEqual(groups[0]["decision_hours"], 1.5, places=1)

    def test_approve_wizard_takes_a_comment_and_names_the_steps(self):
        both = self.company_user(
            "term_both_approver",
            "base.group_user,stock.group_stock_manager,account.group_account_manager",
        )
        self.step_fin.active = True
        order = self.confirmed_order(qty=20, price=100.0)
        self.step_fin.sequence = 10
        request = self.request(order)
        self.assertEqual(len(request.approval_ids.filtered(lambda a: a.state == "pending")), 2)
        summary = self.approve(request, both, "Checked stock and credit.")
        self.assertIn("Warehouse", summary, msg="the wizard names each step it decides")
        self.assertIn("Finance", summary)
        self.assertEqual(request.state, "done", msg="both steps decided, the order terminated")
        self.assertEqual(set(request.approval_ids.mapped("comment")), {"Checked stock and credit."})
        self.assertEqual(request.approval_ids.reviewer_id, both)

    def test_line_approve_decides_that_step_only(self):
        both = self.company_user(
            "term_line_approver",
            "base.group_user,stock.group_stock_manager,account.group_account_manager",
        )
        self.step_fin.active = True
        self.step_fin.sequence = 10
        request = self.request(self.confirmed_order(qty=20, price=100.0))
        line_wh = request.approval_ids.filtered(lambda a: a.step_id == self.step_wh)
        action = line_wh.with_user(both).action_open_approve_wizard()
        wizard = (
            self.env[action["res_model"]]
            .with_user(both)
            .with_context(**action["context"])
            .create({"comment": "Stock checked."})
        )
        self.assertIn("Warehouse", wizard.steps_summary)
        self.assertNotIn("Finance", wizard.steps_summary)
        wizard.action_approve()
        self.assertEqual(line_wh.state, "approved")
        self.assertEqual(line_wh.comment, "Stock checked.")
        self.assertEqual(request.state, "to_approve", msg="the finance step still waits")

    def test_request_wizard_says_who_approves(self):
        order = self.confirmed_order()
        wizard = (
            self.env["sale.termination.request.wizard"]
            .with_user(self.requester)
            .create({"order_id": order.id, "reason_id": self.reason.id, "description": "x"})
        )
        self.assertIn("Warehouse", wizard.approvers_html, msg="the step")
        self.assertIn(self.approver_group_wh.name, wizard.approvers_html, msg="its group")
        self.assertIn(self.warehouse_approver.name, wizard.approvers_html, msg="its members")
        self.assertNotIn(self.requester.name, wizard.approvers_html)

    def test_analysis_files_terminations_under_their_reason(self):
        order = self.confirmed_order()
        request = self.request(order)
        self.approve(request, self.warehouse_approver)
        Analysis = self.env["sale.cancellation.analysis"].with_user(self.manager)
        groups = Analysis.read_group(
            [("order_id", "=", order.id)],
            ["order_count:sum"],
            ["kind", "termination_reason_id"],
            lazy=False,
        )
        self.assertEqual(len(groups), 1)
        self.assertEqual(groups[0]["kind"], "termination")
        self.assertEqual(groups[0]["termination_reason_id"][0], self.reason.id)
        arch = Analysis.get_views([(False, "pivot")])["views"]["pivot"]["arch"]
        self.assertIn('name="termination_reason_id" type="row"', arch)
        row = Analysis.search([("order_id", "=", order.id)])
        self.assertAlmostEqual(row.decision_hours, row.decision_days * 24.0, places=4)

    def test_closed_orders_report_shows_close_data(self):
        order = self.settled_order()
        order.with_user(self.manager).close(
            self.env.ref("order_termination.close_reason_completed")
        )
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "order_termination.action_sale_order_closed_report"
        )
        list_view = next(v for v, mode in action["views"] if mode == "list")
        arch = (
            self.env["sale.order"]
            .with_user(self.manager)
            .get_views([(list_view, "list")])["views"]["list"]["arch"]
        )
        for name in ("close_date", "close_reason_id", "close_user_id"):
            self.assertIn(f'name="{name}"', arch, msg=f"the report lists {name}")
        self.assertEqual(order.close_user_id, self.manager)
        self.assertTrue(order.close_date)


@tagged("post_install", "-at_install")
class TestPortalAnswerAuthor(TerminationCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        (cls.step_wh | cls.step_fin).active = False

    def test_portal_confirmation_is_the_customers(self):
        order = self.confirmed_order()
        request = self.request(order, reason=self.reason_confirm)
        self.assertEqual(request.state, "to_confirm")
        # What the portal route does for an anonymous visitor with the link.
        public = self.env.ref("base.public_user").sudo()
        public_partner = public.partner_id
        # The shared test case turns tracking off; the portal has it on.
        tracked = request.with_context(tracking_disable=False, mail_notrack=False)
        tracked.with_user(public).customer_respond(
            True, "Fine by us.", access_token=request.sudo().access_token
        )
        self.env.flush_all()
        self.env.cr.precommit.run()
        self.env.invalidate_all()
        self.assertEqual(request.state, "done")
        messages = request.sudo().message_ids | order.sudo().message_ids
        self.assertFalse(
            messages.filtered(lambda m: m.author_id == public_partner),
            msg="nothing is logged in the name of the public user",
        )
        answer = request.sudo().message_ids.filtered(
            lambda m: "customer_response" in m.tracking_value_ids.field_id.mapped("name")
        )
        self.assertTrue(answer, msg="the answer's tracked values are logged")
        self.assertEqual(answer.author_id, self.partner_a, msg="... in the customer's name")
        execution = request.sudo().message_ids.filtered(
            lambda m: "state" in m.tracking_value_ids.field_id.mapped("name")
        )
        self.assertEqual(
            execution.author_id,
            self.requester.partner_id,
            msg="the execution is tracked in the name of its executor, the requester",
        )


@tagged("post_install", "-at_install")
class TestPurchaseEffectQuantities(TerminationCase):
    def test_cancelled_purchase_shows_its_quantities(self):
        mto = self.env.ref("stock.route_warehouse0_mto")
        mto.active = True
        mto.rule_ids.procure_method = "make_to_order"
        vendor = self.env["res.partner"].create({"name": "Desk Vendor"})
        product = self.env["product.product"].create(
            {
                "name": "Custom desk",
                "type": "consu",
                "is_storable": True,
                "route_ids": [
                    (6, 0, (mto | self.env.ref("purchase_stock.route_warehouse0_buy")).ids)
                ],
                "seller_ids": [(0, 0, {"partner_id": vendor.id, "price": 40.0})],
            }
        )
        self.step_fin.active = False
        order = self.confirmed_order(qty=4, product=product)
        request = self.request(order)
        request.with_user(self.warehouse_approver).action_approve()
        effect = request.purchase_effect_ids
        self.assertEqual(effect.action, "cancel")
        self.assertEqual(effect.purchase_id.state, "cancel")
        self.assertEqual(effect.previous_qty, 4.0, msg="the quantity the purchase had")
        self.assertEqual(effect.new_qty, 0.0)
        self.assertEqual(effect.product_id, product)
