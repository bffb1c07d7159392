from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged, users

from .common import TerminationCase


@tagged("post_install", "-at_install")
class TestTerminationRequest(TerminationCase):
    def _activity_users(self, request):
        approval_type = self.env.ref("order_termination.mail_activity_termination_approval")
        return request.activity_ids.filtered(lambda a: a.activity_type_id == approval_type).user_id

    def approved_by_warehouse(self, order, comment="Stock is fine."):
        """A request on a big order (warehouse then finance), approved by the warehouse."""
        request = self.request(order)
        request.with_user(self.warehouse_approver).action_approve(comment)
        return request

    def declined_by_customer(self, order):
        """A request needing the customer's confirmation, which the customer declined."""
        request = self.request(order, reason=self.reason_confirm)
        self.customer_answer(request, False, "Please deliver after all.")
        return request

    # ---- which steps a request needs -----------------------------------------------------------
    @users("term_requester")
    def test_small_order_needs_only_warehouse_step(self):
        small = self.confirmed_order(qty=2).with_user(self.env.user)
        request = small.request_termination(self.reason, "Not needed any more.")
        self.assertEqual(request.state, "to_approve", msg="the request waits for approval")
        self.assertEqual(request.user_id, self.requester, msg="the salesman is the requester")
        self.assertTrue(
            request.name.startswith("TERM/"), msg="the request is numbered in the TERM sequence"
        )
        # 200 < 1000: the finance step does not apply.
        self.assertEqual(
            request.approval_ids.step_id,
            self.step_wh,
            msg="below the finance threshold only the warehouse approves",
        )
        self.assertEqual(
            request.approval_ids.state, "pending", msg="the warehouse step is open at once"
        )
        self.assertEqual(
            small.termination_state, "pending", msg="the order shows a pending termination"
        )
        self.assertEqual(
            small.pending_termination_id, request, msg="the order links the pending request"
        )

    @users("term_requester")
    def test_big_order_adds_finance_step_after_warehouse(self):
        big = self.confirmed_order(qty=20).with_user(self.env.user)
        request = big.request_termination(self.reason, "Not needed any more.")
        self.assertEqual(
            request.approval_ids.mapped(lambda a: (a.step_id, a.state)),
            [(self.step_wh, "pending"), (self.step_fin, "waiting")],
            msg="above the threshold finance approves too, after the warehouse",
        )
        self.assertIn(
            self.warehouse_approver,
            self._activity_users(request.sudo()),
            msg="the warehouse approver gets an approval activity",
        )
        self.assertNotIn(
            self.finance_approver,
            self._activity_users(request.sudo()),
            msg="the finance approver gets no activity before their step opens",
        )

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
                    Command.create(
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
        self.assertEqual(
            request.approval_ids.step_id,
            self.step_wh,
            msg="750 in company currency stays below the finance threshold",
        )

    # ---- approving in two steps ----------------------------------------------------------------
    def test_only_the_open_step_approver_can_review(self):
        order = self.confirmed_order(qty=20)
        self.request(order)
        self.assertTrue(
            order.with_user(self.warehouse_approver).termination_can_review,
            msg="the warehouse approver may review the request",
        )
        self.assertFalse(
            order.with_user(self.requester).termination_can_review,
            msg="the requester may not review the request",
        )

    def test_first_approval_hands_over_to_the_next_step(self):
        order = self.confirmed_order(qty=20)
        request = self.approved_by_warehouse(order)
        wh_line = request.approval_ids.filtered(lambda a: a.step_id == self.step_wh)
        fin_line = request.approval_ids - wh_line
        self.assertEqual(wh_line.state, "approved", msg="the warehouse step is approved")
        self.assertEqual(
            wh_line.reviewer_id,
            self.warehouse_approver,
            msg="the warehouse approval is recorded under its approver",
        )
        self.assertEqual(
            wh_line.comment, "Stock is fine.", msg="the approver's comment is recorded"
        )
        self.assertEqual(fin_line.state, "pending", msg="the finance step opens next")
        told = request.message_ids.filtered(lambda m: self.requester.partner_id in m.partner_ids)
        self.assertIn(
            "Stock is fine.", told[0].body, msg="the requester is told of the approval comment"
        )
        self.assertNotIn(
            self.warehouse_approver,
            self._activity_users(request),
            msg="the warehouse approver's activity is done",
        )
        self.assertIn(
            self.finance_approver,
            self._activity_users(request),
            msg="the finance approver now gets an activity",
        )
        self.assertEqual(order.state, "sale", msg="the order goes on until all steps approve")

    def test_next_approver_opens_the_request_form(self):
        order = self.confirmed_order(qty=20)
        request = self.approved_by_warehouse(order)
        # The finance approver opens the request form that their activity links to.
        form = Form(request.with_user(self.finance_approver))
        self.assertEqual(
            form.order_name, order.name, msg="the finance approver sees which order it is"
        )

    def test_last_approval_executes_the_termination(self):
        order = self.confirmed_order(qty=20)
        request = self.approved_by_warehouse(order)
        fin_line = request.approval_ids.filtered(lambda a: a.step_id == self.step_fin)
        # The finance approver has no sales or cancellation rights: the approvals are the
        # authority, the termination executes anyway.
        self.assertFalse(
            self.finance_approver.has_group("sales_team.group_sale_salesman"),
            msg="the finance approver has no sales rights",
        )
        request.with_user(self.finance_approver).action_approve()
        self.assertEqual(request.state, "done", msg="the last approval executes the request")
        self.assertEqual(
            fin_line.reviewer_id,
            self.finance_approver,
            msg="the finance approval is recorded under its approver",
        )
        self.assertEqual(
            request.executed_by_id,
            self.finance_approver,
            msg="the last approver is recorded as executing the termination",
        )
        self.assertEqual(order.state, "cancel", msg="the order ends cancelled")
        self.assertEqual(
            order.termination_state, "terminated", msg="the order shows it was terminated"
        )
        self.assertEqual(
            order.cancel_reason_id,
            self.env.ref("order_termination.cancel_reason_order_terminated"),
            msg="the order is cancelled with the 'order terminated' reason",
        )
        self.assertEqual(
            request.cancellation_id.order_id,
            order,
            msg="the request links the cancellation of the order",
        )
        self.assertFalse(self._activity_users(request), msg="no approval activity is left behind")
        self.assertTrue(
            all(p.state == "cancel" for p in order.picking_ids),
            msg="the open deliveries are cancelled",
        )

    def test_parallel_steps_need_both(self):
        self.step_fin.write({"sequence": 10, "min_amount": 0})
        order = self.confirmed_order()
        request = self.request(order)
        self.assertEqual(
            set(request.approval_ids.mapped("state")),
            {"pending"},
            msg="steps of the same sequence open together",
        )
        request.with_user(self.finance_approver).action_approve()
        self.assertEqual(
            request.state, "to_approve", msg="one approval of two does not execute the request"
        )
        request.with_user(self.warehouse_approver).action_approve()
        self.assertEqual(request.state, "done", msg="both approvals execute the request")

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
        self.assertFalse(request.approval_ids.reviewer_id, msg="no refused decision is recorded")

    # ---- self approval -------------------------------------------------------------------------
    def test_self_approval_refused_by_default(self):
        self.requester.groups_id = [Command.link(self.approver_group_wh.id)]
        order = self.confirmed_order()
        request = self.request(order)
        with self.assertRaisesRegex(AccessError, "yourself"):
            request.with_user(self.requester).action_approve()
        self.assertNotIn(
            self.requester,
            self._activity_users(request),
            msg="the requester gets no activity to approve their own request",
        )

    def test_self_approval_allowed_by_the_step(self):
        self.requester.groups_id = [Command.link(self.approver_group_wh.id)]
        self.step_wh.allow_self_approval = True
        order = self.confirmed_order()
        request = self.request(order)
        request.with_user(self.requester).action_approve()
        self.assertEqual(
            request.state, "done", msg="the step lets the requester approve their own request"
        )

    # ---- rejecting and withdrawing -------------------------------------------------------------
    def test_reject_needs_a_comment(self):
        order = self.confirmed_order()
        request = self.request(order)
        with self.assertRaises(UserError):
            request.with_user(self.warehouse_approver).action_reject("  ")
        self.assertEqual(
            request.state, "to_approve", msg="a rejection without comment is not recorded"
        )

    def test_reject_keeps_the_order_going(self):
        order = self.confirmed_order()
        request = self.request(order)
        request.with_user(self.warehouse_approver).action_reject("We can still deliver.")
        self.assertEqual(request.state, "rejected", msg="the request is rejected")
        self.assertEqual(
            request.approval_ids.state, "rejected", msg="the warehouse step is rejected"
        )
        self.assertEqual(
            request.approval_ids.comment,
            "We can still deliver.",
            msg="the rejection comment is recorded",
        )
        self.assertEqual(order.state, "sale", msg="the order goes on")
        self.assertFalse(order.termination_state, msg="the order no longer shows a termination")
        self.assertFalse(self._activity_users(request), msg="no approval activity is left behind")
        # The order carries on: it can be delivered again.
        self.deliver(order)
        self.assertEqual(
            order.order_line.qty_delivered, 5, msg="the order can be delivered after all"
        )

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
        self.assertEqual(request.state, "rejected", msg="the wizard rejects the request")

    def test_withdraw_is_for_the_requester(self):
        order = self.confirmed_order()
        request = self.request(order)
        with self.assertRaises(AccessError):
            request.with_user(self.outsider).action_withdraw()
        self.assertEqual(request.state, "to_approve", msg="an outsider cannot withdraw")

    def test_withdraw_releases_the_order(self):
        order = self.confirmed_order()
        request = self.request(order)
        request.with_user(self.requester).action_withdraw()
        self.assertEqual(request.state, "withdrawn", msg="the request is withdrawn")
        self.assertFalse(order.termination_state, msg="the order no longer shows a termination")
        self.assertFalse(self._activity_users(request), msg="no approval activity is left behind")

    def test_withdrawn_request_cannot_be_withdrawn_again(self):
        order = self.confirmed_order()
        request = self.request(order)
        request.with_user(self.requester).action_withdraw()
        with self.assertRaises(UserError):
            request.with_user(self.requester).action_withdraw()

    # ---- requests that are refused -------------------------------------------------------------
    def test_quotation_cannot_be_terminated(self):
        quotation = self.env["sale.order"].create(
            {"partner_id": self.partner_a.id, "user_id": self.requester.id}
        )
        with self.assertRaisesRegex(UserError, quotation.name):
            self.request(quotation)

    def test_outsider_cannot_request(self):
        order = self.confirmed_order()
        with self.assertRaises(AccessError):
            self.request(order, user=self.outsider)
        self.assertFalse(order.termination_state, msg="no termination is requested")

    def test_request_needs_a_description(self):
        order = self.confirmed_order()
        with self.assertRaises(UserError):
            order.with_user(self.requester).request_termination(self.reason, " ")
        self.assertFalse(order.termination_state, msg="no termination is requested")

    def test_one_pending_request_per_order(self):
        order = self.confirmed_order()
        request = self.request(order)
        with self.assertRaisesRegex(UserError, request.name):
            self.request(order)

    # ---- the hold on a pending order -----------------------------------------------------------
    def test_pending_request_holds_the_order(self):
        order = self.confirmed_order()
        invoice = self.invoice(order, post=False)
        request = self.request(order)
        picking = self.pick_all(order.picking_ids)
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
        self.assertEqual(picking.state, "assigned", msg="the delivery is not validated")
        self.assertEqual(invoice.state, "draft", msg="the invoice is not posted")
        self.assertEqual(
            order.order_line.product_uom_qty, 5, msg="the ordered quantity is not changed"
        )

    def test_withdraw_lifts_the_hold(self):
        order = self.confirmed_order()
        invoice = self.invoice(order, post=False)
        request = self.request(order)
        request.with_user(self.requester).action_withdraw()
        picking = self.deliver(order)
        invoice.action_post()
        self.assertEqual(picking.state, "done", msg="the delivery can be validated again")
        self.assertEqual(invoice.state, "posted", msg="the invoice can be posted again")

    def test_no_step_executes_at_once(self):
        (self.step_wh | self.step_fin).active = False
        order = self.confirmed_order()
        request = self.request(order)
        self.assertEqual(
            request.state, "done", msg="without approval step the request executes at once"
        )
        self.assertFalse(request.approval_ids, msg="no approval is asked")
        self.assertEqual(order.state, "cancel", msg="the order ends cancelled")

    # ---- customer confirmation -----------------------------------------------------------------
    def test_customer_confirmation_waits_for_the_customer(self):
        (self.step_wh | self.step_fin).active = False
        order = self.confirmed_order()
        request = self.request(order, reason=self.reason_confirm)
        self.assertTrue(
            request.customer_confirmation, msg="the reason asks for the customer's confirmation"
        )
        self.assertEqual(request.state, "to_confirm", msg="the request waits for the customer")
        self.assertTrue(request.access_token, msg="the request has a token for the portal link")
        message = request.message_ids.filtered(lambda m: self.partner_a in m.partner_ids)
        self.assertTrue(message, msg="the customer is written to")
        # The link is the button of the customer's own email, never in the stored message.
        self.assertNotIn(f"/my/terminations/{request.id}", message[0].body)
        mail = (
            self.env["mail.mail"]
            .sudo()
            .search(
                [
                    ("mail_message_id", "in", message.ids),
                    ("recipient_ids", "in", self.partner_a.ids),
                ]
            )
        )
        self.assertIn(
            f"/my/terminations/{request.id}",
            mail.body_html,
            msg="the customer's email links the customer to the portal page",
        )
        self.assertEqual(
            order.termination_state, "pending", msg="the order shows a pending termination"
        )

    def test_customer_confirmation_cannot_be_bypassed(self):
        (self.step_wh | self.step_fin).active = False
        order = self.confirmed_order()
        request = self.request(order, reason=self.reason_confirm)
        with self.assertRaises(UserError):
            request.action_execute()
        with self.assertRaises(AccessError):
            request.with_user(self.requester).customer_respond(True)
        self.assertEqual(
            request.state, "to_confirm", msg="the request still waits for the customer"
        )

    def test_customer_decline_keeps_the_order(self):
        (self.step_wh | self.step_fin).active = False
        order = self.confirmed_order()
        request = self.declined_by_customer(order)
        self.assertEqual(request.state, "rejected", msg="the customer's refusal rejects it")
        self.assertEqual(
            request.customer_response, "declined", msg="the customer's refusal is recorded"
        )
        self.assertEqual(
            request.customer_comment,
            "Please deliver after all.",
            msg="the customer's comment is recorded",
        )
        self.assertIn(
            "Please deliver after all.",
            order.message_ids[0].body + order.message_ids[1].body,
            msg="the customer's comment is posted on the order",
        )
        self.assertEqual(order.state, "sale", msg="the order goes on")

    def test_customer_answers_only_once(self):
        (self.step_wh | self.step_fin).active = False
        request = self.declined_by_customer(self.confirmed_order())
        with self.assertRaises(UserError):
            self.customer_answer(request, True)

    def test_order_declined_by_customer_can_be_terminated_later(self):
        (self.step_wh | self.step_fin).active = False
        order = self.confirmed_order()
        self.declined_by_customer(order)
        request = self.request(order, reason=self.reason_confirm)
        self.customer_answer(request, True)
        self.assertEqual(request.state, "done", msg="the customer's confirmation executes it")
        self.assertEqual(order.state, "cancel", msg="the order ends cancelled")

    def test_customer_confirmation_overridden_per_request(self):
        (self.step_wh | self.step_fin).active = False
        order = self.confirmed_order()
        request = self.request(order, reason=self.reason_confirm, customer_confirmation=False)
        self.assertEqual(
            request.state, "done", msg="the request may skip the customer's confirmation"
        )

    # ---- wizard, companies and access ----------------------------------------------------------
    def test_request_wizard(self):
        order = self.confirmed_order()
        action = order.with_user(self.requester).action_request_termination()
        Wizard = self.env[action["res_model"]].with_user(self.requester)
        wizard = Wizard.with_context(**action["context"]).create(
            {"reason_id": self.reason_confirm.id, "description": "Moved abroad."}
        )
        self.assertTrue(
            wizard.customer_confirmation, msg="the wizard takes the reason's confirmation default"
        )
        self.assertIn(
            order.picking_ids.name,
            wizard.impact_html,
            msg="the wizard shows the delivery that will not be made",
        )
        wizard.customer_confirmation = False
        result = wizard.action_confirm()
        request = self.env["sale.termination.request"].browse(result["res_id"])
        self.assertEqual(request.order_id, order, msg="the wizard requests for this order")
        self.assertFalse(
            request.customer_confirmation, msg="the wizard's choice overrides the reason"
        )
        self.assertEqual(request.state, "to_approve", msg="the request waits for approval")

    def test_other_company_user_sees_nothing(self):
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
        self.assertFalse(
            Request.search([("id", "=", request.id)]),
            msg="another company's manager does not see the request",
        )
        Step = self.env["sale.termination.approval.step"].with_user(stranger)
        self.assertFalse(
            Step.search([("id", "=", self.step_wh.id)]),
            msg="another company's manager does not see the approval steps",
        )
        Approval = self.env["sale.termination.approval"].with_user(stranger)
        self.assertFalse(
            Approval.search([("request_id", "=", request.id)]),
            msg="another company's manager does not see the approvals",
        )

    def test_other_company_step_never_applies(self):
        other = self.env["res.company"].create({"name": "Termination Other Co"})
        self.step_wh.company_id = other
        order = self.confirmed_order()
        self.assertEqual(
            self.request(order).state,
            "done",
            msg="another company's step does not apply to this company's order",
        )

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
        self.assertEqual(
            request.with_user(self.outsider).state,
            "to_approve",
            msg="any user reads the request, still waiting for approval",
        )
