"""Contract v2 trust rules of the execution: all or nothing, never more than the requester, in
the name of whoever triggered it."""

from unittest.mock import patch

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import TerminationCase


@tagged("post_install", "-at_install")
class TestTrustExecution(TerminationCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # One warehouse approval step for every order.
        cls.step_fin.active = False
        cls.root = cls.env.ref("base.user_root")
        cls.mto_route = cls.env.ref("stock.route_warehouse0_mto")
        cls.mto_route.active = True
        cls.mto_route.rule_ids.procure_method = "make_to_order"
        cls.vendor = cls.env["res.partner"].create({"name": "Trust Vendor"})
        cls.mto_product = cls.env["product.product"].create(
            {
                "name": "Made-to-order desk",
                "type": "consu",
                "is_storable": True,
                "invoice_policy": "order",
                "taxes_id": [Command.clear()],
                "route_ids": [
                    Command.set(
                        (cls.mto_route | cls.env.ref("purchase_stock.route_warehouse0_buy")).ids
                    )
                ],
                "seller_ids": [Command.create({"partner_id": cls.vendor.id, "price": 40.0})],
            }
        )

    # ---- helpers -------------------------------------------------------------------------------
    def paid_delivered_request(self):
        """A settled order (delivered, invoiced, paid) and a manager's request asking to receive
        the returns at once and refund the payment: every stage of the execution runs."""
        order = self.settled_order()
        request = self.request(order, user=self.manager, receive_returns=True, refund_payments=True)
        return order, request

    def snapshot(self, order, request):
        """What a failed execution must leave exactly as it was."""
        self.env.invalidate_all()
        return {
            "order_state": order.state,
            "termination_state": order.termination_state,
            "locked": order.locked,
            "pickings": [(p.id, p.state) for p in order.picking_ids],
            "invoices": [(m.id, m.state, m.payment_state) for m in order.invoice_ids],
            "quantities": self.quantities(order),
            "receivable": self.receivable(),
            "cancellations": order.cancellation_ids.ids,
            "payments": self.env["account.payment"].search_count([]),
            "purchases": [(p.id, p.state) for p in order.sudo()._get_purchase_orders()],
            "request_state": request.state,
            "cancellation_id": request.cancellation_id.id,
            "effects": request.purchase_effect_ids.ids,
        }

    def assertFailedCleanly(self, order, request, before, error):
        self.assertEqual(
            self.snapshot(order, request), before, msg="the order and request are as before"
        )
        self.assertIn(error, request.execution_error or "", msg="the failure is on the request")
        self.assertTrue(
            any(error in body for body in request.message_ids.mapped("body")),
            msg="the failure is written in the request's chatter",
        )
        todo = self.env.ref("mail.mail_activity_data_todo")
        managers = request.activity_ids.filtered(lambda a: a.activity_type_id == todo).user_id
        self.assertIn(self.manager, managers, msg="termination managers get an activity")

    def approve_with_fault(self, request, model, method, error):
        with patch.object(type(self.env[model]), method, side_effect=UserError(error)):
            request.with_user(self.warehouse_approver).action_approve()

    # ---- all or nothing: a fault at each stage -------------------------------------------------
    def test_fault_in_returns_changes_nothing(self):
        order, request = self.paid_delivered_request()
        before = self.snapshot(order, request)
        self.approve_with_fault(request, "sale.order", "_create_cancel_returns", "no returns")
        self.assertFailedCleanly(order, request, before, "no returns")

    def test_failure_to_do_is_in_the_managers_language(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.manager.lang = "zh_CN"
        order, request = self.paid_delivered_request()
        self.approve_with_fault(request, "sale.order", "_create_cancel_returns", "no returns")
        todo = request.activity_ids.filtered(lambda a: a.user_id == self.manager)
        expected = request.with_context(lang="zh_CN").env._("Termination of %s failed", order.name)
        self.assertEqual(todo.summary, expected)
        self.assertNotIn("failed", todo.summary, msg="in Chinese, not the approver's English")

    def test_fault_in_receiving_returns_changes_nothing(self):
        order, request = self.paid_delivered_request()
        before = self.snapshot(order, request)
        self.approve_with_fault(request, "sale.order", "_receive_returns", "dock closed")
        self.assertFailedCleanly(order, request, before, "dock closed")

    def test_fault_in_credit_notes_changes_nothing(self):
        order, request = self.paid_delivered_request()
        before = self.snapshot(order, request)
        self.approve_with_fault(request, "sale.order", "_credit_invoices", "no credit")
        self.assertFailedCleanly(order, request, before, "no credit")

    def test_fault_in_refunds_changes_nothing(self):
        order, request = self.paid_delivered_request()
        before = self.snapshot(order, request)
        self.approve_with_fault(request, "sale.order", "_refund_credit_note", "bank down")
        self.assertFailedCleanly(order, request, before, "bank down")

    def test_fault_in_posting_changes_nothing(self):
        order, request = self.paid_delivered_request()
        before = self.snapshot(order, request)
        self.approve_with_fault(request, "account.move", "_post", "period locked")
        self.assertFailedCleanly(order, request, before, "period locked")

    def test_fault_in_purchase_cascade_changes_nothing(self):
        order = self.confirmed_order(qty=3, product=self.mto_product)
        request = self.request(order)
        before = self.snapshot(order, request)
        self.assertTrue(before["purchases"], msg="the order has a purchase to cancel")
        self.approve_with_fault(
            request, "sale.termination.purchase.effect", "_purchase_cancel", "vendor locked"
        )
        self.assertFailedCleanly(order, request, before, "vendor locked")

    def test_manager_executes_again_after_the_fault_is_gone(self):
        order, request = self.paid_delivered_request()
        self.approve_with_fault(request, "sale.order", "_refund_credit_note", "bank down")
        with self.assertRaises(AccessError, msg="a salesman may not execute"):
            request.with_user(self.requester).action_execute()
        request.with_user(self.manager).action_execute()
        self.assertEqual(request.state, "done", msg="the second attempt terminates the order")
        self.assertFalse(request.execution_error, msg="the failure is cleared")
        self.assertEqual(order.state, "cancel", msg="the order is cancelled")
        self.assertEqual(request.executed_by_id, self.manager, msg="executed by the manager")

    # ---- in the name of whoever triggered it ---------------------------------------------------
    def test_documents_are_made_in_the_last_approvers_name(self):
        order, request = self.paid_delivered_request()
        request.with_user(self.warehouse_approver).action_approve()
        cancellation = request.cancellation_id
        self.assertEqual(request.state, "done", msg="the approval executes the request")
        self.assertEqual(request.executed_by_id, self.warehouse_approver, msg="executed by them")
        self.assertEqual(cancellation.user_id, self.warehouse_approver, msg="cancelled by them")
        for documents in (
            cancellation.credit_note_ids,
            cancellation.return_picking_ids,
            cancellation.refund_payment_ids,
        ):
            self.assertTrue(documents, msg=f"the execution made {documents._name}")
            self.assertEqual(
                documents.create_uid,
                self.warehouse_approver,
                msg=f"{documents._name} is made in the approver's name",
            )
        authors = order.message_ids.filtered(lambda m: "terminated" in (m.body or "")).author_id
        self.assertNotIn(self.root.partner_id, authors, msg="nothing is signed by OdooBot")
        self.assertEqual(order.cancel_user_id, self.warehouse_approver, msg="order says who")

    def test_customer_answer_executes_in_the_requesters_name(self):
        (self.step_wh | self.step_fin).active = False
        order = self.confirmed_order()
        request = self.request(order, reason=self.reason_confirm)
        self.customer_answer(request, True, "Agreed.")
        self.assertEqual(request.state, "done", msg="the confirmation executes it")
        self.assertEqual(request.executed_by_id, self.requester, msg="in the requester's name")
        self.assertEqual(
            request.cancellation_id.user_id, self.requester, msg="cancelled by the requester"
        )

    def test_manager_records_the_customers_answer(self):
        (self.step_wh | self.step_fin).active = False
        order = self.confirmed_order()
        request = self.request(order, reason=self.reason_confirm)
        with self.assertRaises(AccessError, msg="a salesman may not record the answer"):
            request.with_user(self.requester).action_record_customer_answer(True, "Phoned.")
        with self.assertRaises(UserError, msg="the manager says how the customer answered"):
            request.with_user(self.manager).action_record_customer_answer(True, " ")
        request.with_user(self.manager).action_record_customer_answer(True, "Phoned on Monday.")
        self.assertEqual(request.customer_response, "confirmed", msg="the answer is recorded")
        self.assertEqual(request.state, "done", msg="the confirmation executes it")
        self.assertEqual(request.executed_by_id, self.manager, msg="executed by the manager")
        message = request.message_ids.filtered(lambda m: "Phoned on Monday." in (m.body or ""))
        self.assertEqual(
            message.author_id, self.manager.partner_id, msg="the manager is the answer's author"
        )

    def test_failed_customer_confirmation_keeps_the_answer(self):
        (self.step_wh | self.step_fin).active = False
        order = self.delivered_and_invoiced()
        request = self.request(order, user=self.manager, reason=self.reason_confirm)
        with patch.object(
            type(self.env["sale.order"]),
            "_credit_invoices",
            side_effect=UserError("no credit"),
        ):
            executed = self.customer_answer(request, True)
        self.assertFalse(executed, msg="the execution failed")
        self.assertEqual(request.state, "to_confirm", msg="the request is as before")
        self.assertEqual(request.customer_response, "confirmed", msg="the answer is kept")
        self.assertEqual(order.state, "sale", msg="the order is as before")
        with self.assertRaises(UserError, msg="the customer answers only once"):
            self.customer_answer(request, False)

    # ---- never more than the requester ---------------------------------------------------------
    def test_salesman_may_not_ask_for_returns_received_or_refunds(self):
        (self.step_wh | self.step_fin).active = False
        order = self.settled_order()
        for options in ({"receive_returns": True}, {"refund_payments": True}):
            with self.assertRaises(AccessError, msg=f"{options} needs the reversal right"):
                self.request(order, **options)
        self.assertFalse(order.termination_request_ids, msg="no request is left behind")
        self.assertEqual(order.state, "sale", msg="the order goes on")

    def test_without_step_the_execution_keeps_the_requesters_rights(self):
        (self.step_wh | self.step_fin).active = False
        order = self.settled_order()
        payments = self.env["account.payment"].search_count([])
        with self.assertRaisesRegex(AccessError, order.name):
            self.request(order)
        self.assertFalse(order.termination_request_ids, msg="no request is left behind")
        self.assertEqual(order.state, "sale", msg="the order goes on")
        self.assertEqual(
            self.env["account.payment"].search_count([]), payments, msg="no money moved"
        )

    def test_without_step_the_requester_terminates_what_they_may_cancel(self):
        (self.step_wh | self.step_fin).active = False
        order = self.confirmed_order()
        request = self.request(order)
        self.assertEqual(request.state, "done", msg="nothing to reverse: terminated at once")
        self.assertEqual(request.cancellation_id.user_id, self.requester, msg="in their name")

    def test_without_step_the_lock_rules_hold(self):
        (self.step_wh | self.step_fin).active = False
        order = self.confirmed_order()
        order.action_lock()
        with self.assertRaisesRegex(UserError, order.name):
            self.request(order)
        self.assertEqual(order.state, "sale", msg="the locked order goes on")

    # ---- approval bookkeeping ------------------------------------------------------------------
    def test_withdrawn_request_has_no_pending_approval(self):
        request = self.request(self.confirmed_order())
        request.with_user(self.requester).action_withdraw()
        self.assertEqual(
            set(request.approval_ids.mapped("state")),
            {"cancelled"},
            msg="the open approval lines are closed with the request",
        )

    def test_reject_comment_is_on_the_order(self):
        order = self.confirmed_order()
        request = self.request(order)
        request.with_user(self.warehouse_approver).action_reject("Goods already packed.")
        self.assertTrue(
            any("Goods already packed." in (m.body or "") for m in order.message_ids),
            msg="the order says why the termination was rejected",
        )

    def test_request_only_its_requester_may_approve_is_said_out_loud(self):
        group = self.env["res.groups"].create({"name": "Lonely approvers"})
        self.requester.groups_id = [Command.link(group.id)]
        self.step_wh.group_id = group
        request = self.request(self.confirmed_order())
        self.assertTrue(
            any("Nobody but its requester" in (m.body or "") for m in request.message_ids),
            msg="the request says that nobody may approve it",
        )
        todo = self.env.ref("mail.mail_activity_data_todo")
        managers = request.activity_ids.filtered(lambda a: a.activity_type_id == todo).user_id
        self.assertIn(self.manager, managers, msg="termination managers are asked to act")

    def test_answer_wizard_records_the_customers_refusal(self):
        (self.step_wh | self.step_fin).active = False
        order = self.confirmed_order()
        request = self.request(order, reason=self.reason_confirm)
        action = request.with_user(self.manager).action_open_answer_wizard()
        wizard = (
            self.env[action["res_model"]]
            .with_user(self.manager)
            .with_context(**action["context"])
            .create({"answer": "decline", "comment": "Mail of Tuesday: keep the order."})
        )
        wizard.action_record()
        self.assertEqual(request.state, "rejected", msg="the customer's refusal rejects it")
        self.assertEqual(request.customer_response, "declined", msg="the refusal is recorded")
        self.assertEqual(order.state, "sale", msg="the order goes on")
