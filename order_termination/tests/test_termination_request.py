from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged, users

from .common import TerminationCase


@tagged("post_install", "-at_install")
class TestTerminationRequest(TerminationCase):
    def _activity_users(self, request):
        approval_type = self.env.ref("order_termination.mail_activity_termination_approval")
        return request.activity_ids.filtered(lambda a: a.activity_type_id == approval_type).user_id

    @users("term_requester")
    def test_request_builds_applicable_steps(self):
        small = self.confirmed_order(qty=2).with_user(self.env.user)
        request = small.request_termination(self.reason, "Not needed any more.")
        self.assertEqual(request.state, "to_approve")
        self.assertEqual(request.user_id, self.requester)
        self.assertTrue(request.name.startswith("TERM/"))
        # 200 < 1000: the finance step does not apply.
        self.assertEqual(request.approval_ids.step_id, self.step_wh)
        self.assertEqual(request.approval_ids.state, "pending")
        self.assertEqual(small.termination_state, "pending")
        self.assertEqual(small.pending_termination_id, request)

        big = self.confirmed_order(qty=20).with_user(self.env.user)
        request = big.request_termination(self.reason, "Not needed any more.")
        self.assertEqual(
            request.approval_ids.mapped(lambda a: (a.step_id, a.state)),
            [(self.step_wh, "pending"), (self.step_fin, "waiting")],
        )
        self.assertIn(self.warehouse_approver, self._activity_users(request.sudo()))
        self.assertNotIn(self.finance_approver, self._activity_users(request.sudo()))

    def test_min_amount_in_company_currency(self):
        """The order total is converted to the company currency before the threshold."""
        other = self.setup_other_currency("EUR")  # 1 company unit = 2 units of `other`
        order = self.env["sale.order"].create(
            {
                "partner_id": self.partner_a.id,
                "user_id": self.requester.id,
                "pricelist_id": self.env["product.pricelist"]
                .create({"name": "Other currency", "currency_id": other.id})
                .id,
                "order_line": [
                    (
                        0,
                        0,
                        {
                            "product_id": self.storable.id,
                            "product_uom_qty": 15,
                            "price_unit": 100.0,
                        },
                    )
                ],
            }
        )
        order.action_confirm()
        # 1500 in the foreign currency is 750 in company currency: below 1000.
        request = self.request(order)
        self.assertEqual(request.approval_ids.step_id, self.step_wh)

    def test_two_groups_approve_then_executed(self):
        order = self.confirmed_order(qty=20)
        request = self.request(order)
        self.assertTrue(order.with_user(self.warehouse_approver).termination_can_review)
        self.assertFalse(order.with_user(self.requester).termination_can_review)
        request.with_user(self.warehouse_approver).action_approve("Stock is fine.")
        wh_line = request.approval_ids.filtered(lambda a: a.step_id == self.step_wh)
        fin_line = request.approval_ids - wh_line
        self.assertEqual(wh_line.state, "approved")
        self.assertEqual(wh_line.reviewer_id, self.warehouse_approver)
        self.assertEqual(wh_line.comment, "Stock is fine.")
        self.assertEqual(fin_line.state, "pending")
        told = request.message_ids.filtered(lambda m: self.requester.partner_id in m.partner_ids)
        self.assertIn("Stock is fine.", told[0].body)
        self.assertNotIn(self.warehouse_approver, self._activity_users(request))
        self.assertIn(self.finance_approver, self._activity_users(request))
        self.assertEqual(order.state, "sale")
        # The finance approver has no sales or cancellation rights: the approvals are the
        # authority, the termination executes anyway.
        self.assertFalse(self.finance_approver.has_group("sales_team.group_sale_salesman"))
        # ...yet opens the request form that their activity links to.
        form = Form(request.with_user(self.finance_approver))
        self.assertEqual(form.order_name, order.name)
        request.with_user(self.finance_approver).action_approve()
        self.assertEqual(request.state, "done")
        self.assertEqual(fin_line.reviewer_id, self.finance_approver)
        self.assertEqual(request.executed_by_id, self.finance_approver)
        self.assertEqual(order.state, "cancel")
        self.assertEqual(order.termination_state, "terminated")
        self.assertEqual(
            order.cancel_reason_id,
            self.env.ref("order_termination.cancel_reason_order_terminated"),
        )
        self.assertEqual(request.cancellation_id.order_id, order)
        self.assertFalse(self._activity_users(request))
        self.assertTrue(all(p.state == "cancel" for p in order.picking_ids))

    def test_parallel_steps_need_both(self):
        self.step_fin.write({"sequence": 10, "min_amount": 0})
        order = self.confirmed_order()
        request = self.request(order)
        self.assertEqual(set(request.approval_ids.mapped("state")), {"pending"})
        request.with_user(self.finance_approver).action_approve()
        self.assertEqual(request.state, "to_approve")
        request.with_user(self.warehouse_approver).action_approve()
        self.assertEqual(request.state, "done")

    def test_outsider_and_wrong_group_cannot_decide(self):
        order = self.confirmed_order(qty=20)
        request = self.request(order)
        with self.assertRaises(AccessError):
            request.with_user(self.outsider).action_approve()
        # Finance's step is not open yet.
        with self.assertRaises(AccessError):
            request.with_user(self.finance_approver).action_approve()
        with self.assertRaises(AccessError):
            request.with_user(self.outsider).action_reject("No.")
        self.assertFalse(request.approval_ids.reviewer_id)

    def test_self_approval(self):
        self.requester.groups_id = [(4, self.approver_group_wh.id)]
        order = self.confirmed_order()
        request = self.request(order)
        with self.assertRaisesRegex(AccessError, "yourself"):
            request.with_user(self.requester).action_approve()
        self.assertNotIn(self.requester, self._activity_users(request))
        request.with_user(self.requester).action_withdraw()

        self.step_wh.allow_self_approval = True
        request = self.request(order)
        request.with_user(self.requester).action_approve()
        self.assertEqual(request.state, "done")

    def test_reject_needs_comment_and_keeps_order(self):
        order = self.confirmed_order()
        request = self.request(order)
        with self.assertRaises(UserError):
            request.with_user(self.warehouse_approver).action_reject("  ")
        request.with_user(self.warehouse_approver).action_reject("We can still deliver.")
        self.assertEqual(request.state, "rejected")
        self.assertEqual(request.approval_ids.state, "rejected")
        self.assertEqual(request.approval_ids.comment, "We can still deliver.")
        self.assertEqual(order.state, "sale")
        self.assertFalse(order.termination_state)
        self.assertFalse(self._activity_users(request))
        # The order carries on: it can be delivered again.
        self.deliver(order)
        self.assertEqual(order.order_line.qty_delivered, 5)

    def test_reject_from_order_wizard(self):
        order = self.confirmed_order()
        request = self.request(order)
        action = order.with_user(self.warehouse_approver).sudo(False).action_reject_termination()
        wizard = (
            self.env[action["res_model"]]
            .with_user(self.warehouse_approver)
            .with_context(**action["context"])
            .create({"comment": "Keep it."})
        )
        wizard.action_reject()
        self.assertEqual(request.state, "rejected")

    def test_withdraw(self):
        order = self.confirmed_order()
        request = self.request(order)
        with self.assertRaises(AccessError):
            request.with_user(self.outsider).action_withdraw()
        request.with_user(self.requester).action_withdraw()
        self.assertEqual(request.state, "withdrawn")
        self.assertFalse(order.termination_state)
        self.assertFalse(self._activity_users(request))
        with self.assertRaises(UserError):
            request.with_user(self.requester).action_withdraw()

    def test_request_refused(self):
        quotation = self.env["sale.order"].create(
            {"partner_id": self.partner_a.id, "user_id": self.requester.id}
        )
        with self.assertRaisesRegex(UserError, quotation.name):
            self.request(quotation)
        order = self.confirmed_order()
        with self.assertRaises(AccessError):
            self.request(order, user=self.outsider)
        with self.assertRaises(UserError):
            order.with_user(self.requester).request_termination(self.reason, " ")
        request = self.request(order)
        with self.assertRaisesRegex(UserError, request.name):
            self.request(order)

    def test_hold_while_pending(self):
        order = self.confirmed_order()
        invoice = self.invoice(order, post=False)
        request = self.request(order)
        picking = order.picking_ids
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
            move.picked = True
        with self.assertRaisesRegex(UserError, request.name):
            picking.button_validate()
        with self.assertRaisesRegex(UserError, request.name):
            picking._action_done()
        with self.assertRaisesRegex(UserError, request.name):
            invoice.action_post()
        with self.assertRaisesRegex(UserError, request.name):
            order.write({"note": "changed"})
        with self.assertRaisesRegex(UserError, request.name):
            order.order_line.product_uom_qty = 7
        with self.assertRaisesRegex(UserError, request.name):
            order._action_cancel()
        with self.assertRaisesRegex(UserError, request.name):
            order.close()
        self.assertEqual(picking.state, "assigned")
        self.assertEqual(invoice.state, "draft")
        self.assertEqual(order.order_line.product_uom_qty, 5)
        # Withdrawing lifts the hold.
        request.with_user(self.requester).action_withdraw()
        self.deliver(order)
        invoice.action_post()
        self.assertEqual(invoice.state, "posted")

    def test_no_step_executes_at_once(self):
        (self.step_wh | self.step_fin).active = False
        order = self.confirmed_order()
        request = self.request(order)
        self.assertEqual(request.state, "done")
        self.assertFalse(request.approval_ids)
        self.assertEqual(order.state, "cancel")

    def test_customer_confirmation_flow(self):
        (self.step_wh | self.step_fin).active = False
        order = self.confirmed_order()
        request = self.request(order, reason=self.reason_confirm)
        self.assertTrue(request.customer_confirmation)
        self.assertEqual(request.state, "to_confirm")
        self.assertTrue(request.access_token)
        mail = request.message_ids.filtered(lambda m: self.partner_a in m.partner_ids)
        self.assertTrue(mail)
        self.assertIn(f"/my/terminations/{request.id}", mail[0].body)
        self.assertEqual(order.termination_state, "pending")
        with self.assertRaises(UserError):
            request.action_execute()
        with self.assertRaises(AccessError):
            request.with_user(self.requester).customer_respond(True)
        self.assertEqual(request.state, "to_confirm")
        request.customer_respond(False, "Please deliver after all.")
        self.assertEqual(request.state, "rejected")
        self.assertEqual(request.customer_response, "declined")
        self.assertEqual(request.customer_comment, "Please deliver after all.")
        self.assertIn(
            "Please deliver after all.", order.message_ids[0].body + order.message_ids[1].body
        )
        self.assertEqual(order.state, "sale")
        with self.assertRaises(UserError):
            request.customer_respond(True)

        request = self.request(order, reason=self.reason_confirm)
        request.customer_respond(True)
        self.assertEqual(request.state, "done")
        self.assertEqual(order.state, "cancel")

    def test_customer_confirmation_overridden_per_request(self):
        (self.step_wh | self.step_fin).active = False
        order = self.confirmed_order()
        request = self.request(order, reason=self.reason_confirm, customer_confirmation=False)
        self.assertEqual(request.state, "done")

    def test_request_wizard(self):
        order = self.confirmed_order()
        action = order.with_user(self.requester).action_request_termination()
        Wizard = self.env[action["res_model"]].with_user(self.requester)
        wizard = Wizard.with_context(**action["context"]).create(
            {"reason_id": self.reason_confirm.id, "description": "Moved abroad."}
        )
        self.assertTrue(wizard.customer_confirmation)
        self.assertIn(order.picking_ids.name, wizard.impact_html)
        wizard.customer_confirmation = False
        result = wizard.action_confirm()
        request = self.env["sale.termination.request"].browse(result["res_id"])
        self.assertEqual(request.order_id, order)
        self.assertFalse(request.customer_confirmation)
        self.assertEqual(request.state, "to_approve")

    def test_multi_company_isolation(self):
        other = self.env["res.company"].create({"name": "Termination Other Co"})
        stranger = new_test_user(
            self.env,
            login="term_other_company",
            groups="sales_team.group_sale_manager",
            company_id=other.id,
            company_ids=[Command.set(other.ids)],
        )
        request = self.request(self.confirmed_order())
        Request = self.env["sale.termination.request"].with_user(stranger)
        self.assertFalse(Request.search([("id", "=", request.id)]))
        Step = self.env["sale.termination.approval.step"].with_user(stranger)
        self.assertFalse(Step.search([("id", "=", self.step_wh.id)]))
        Approval = self.env["sale.termination.approval"].with_user(stranger)
        self.assertFalse(Approval.search([("request_id", "=", request.id)]))
        # A step of the other company never applies to this company's orders.
        self.step_wh.company_id = other
        order = self.confirmed_order()
        self.assertEqual(self.request(order).state, "done")

    def test_requests_change_only_through_checked_methods(self):
        """Users read requests; a salesman cannot forge one past the approvals over RPC."""
        order = self.confirmed_order()
        Request = self.env["sale.termination.request"].with_user(self.requester)
        with self.assertRaises(AccessError):
            Request.create(
                {
                    "order_id": order.id,
                    "reason_id": self.reason.id,
                    "description": "Forged",
                    "state": "to_approve",
                }
            )
        request = self.request(order)
        with self.assertRaises(AccessError):
            request.with_user(self.requester).write({"state": "to_confirm"})
        with self.assertRaises(AccessError):
            request.approval_ids.with_user(self.requester).write({"state": "approved"})
        self.assertEqual(request.with_user(self.outsider).state, "to_approve")
