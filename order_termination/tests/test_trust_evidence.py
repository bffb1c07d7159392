"""Contract v2 trust rules: immutable evidence, no context key grants anything, nothing
internal reaches the customer."""

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import TerminationCase


@tagged("post_install", "-at_install")
class TestTrustEvidence(TerminationCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.step_fin.active = False
        cls.portal_user = cls.portal_customer("trust_portal_customer")

    def terminated_request(self):
        """An executed request on a delivered and invoiced order."""
        order = self.delivered_and_invoiced()
        request = self.request(order)
        request.with_user(self.warehouse_approver).action_approve()
        self.assertEqual(request.state, "done", msg="the request is executed")
        return order, request

    # ---- immutable evidence --------------------------------------------------------------------
    def test_nobody_writes_the_evidence_directly(self):
        _order, request = self.terminated_request()
        cancellation = request.cancellation_id
        records = {
            "cancellation": cancellation,
            "cancellation line": cancellation.line_ids[:1],
            "request": request,
            "approval": request.approval_ids[:1],
        }
        for user in (self.requester, self.manager):
            for label, record in records.items():
                with self.assertRaises(AccessError, msg=f"{user.login} cannot write a {label}"):
                    record.with_user(user).write({"create_date": "2000-01-01"})
                with self.assertRaises(AccessError, msg=f"{user.login} cannot delete a {label}"):
                    record.with_user(user).unlink()
                with self.assertRaises(AccessError, msg=f"{user.login} cannot create a {label}"):
                    record.with_user(user).copy()
        for user in (self.requester, self.manager):
            with self.assertRaises(AccessError, msg=f"{user.login} cannot forge an approval"):
                request.approval_ids.with_user(user).write({"state": "approved"})
            with self.assertRaises(AccessError, msg=f"{user.login} cannot move the date"):
                cancellation.with_user(user).write({"date": "2000-01-01 00:00:00"})
        Effect = self.env["sale.termination.purchase.effect"].with_user(self.manager)
        with self.assertRaises(AccessError, msg="a manager cannot forge a purchase effect"):
            Effect.create({"request_id": request.id, "purchase_id": 1, "action": "notify"})

    def test_chatter_of_the_evidence_still_works(self):
        _order, request = self.terminated_request()
        request.with_user(self.requester).message_post(body="Customer called back.")
        request.cancellation_id.with_user(self.requester).message_post(body="Checked.")
        self.assertIn(
            "Customer called back.", request.message_ids[0].body, msg="a salesman may comment"
        )

    def test_configuration_stays_editable_by_managers(self):
        self.reason.with_user(self.manager).name = "Customer moved"
        self.step_wh.with_user(self.manager).min_amount = 10.0
        self.assertEqual(self.step_wh.min_amount, 10.0, msg="managers configure the steps")

    def test_orders_with_evidence_cannot_be_deleted(self):
        order, _request = self.terminated_request()
        with self.assertRaisesRegex(UserError, order.name):
            order.with_user(self.manager).unlink()
        cancelled = self.delivered_and_invoiced()
        cancelled.cancel_with_reversal(
            self.env.ref("order_revoke_cancel.cancel_reason_other"), note="Duplicate"
        )
        with self.assertRaisesRegex(UserError, cancelled.name):
            cancelled.unlink()
        self.assertTrue(order.exists() and cancelled.exists(), msg="both orders are kept")

    # ---- no context key grants anything --------------------------------------------------------
    def test_closing_context_key_does_not_reopen(self):
        order = self.settled_order()
        order.close()
        with self.assertRaisesRegex(UserError, order.name):
            order.with_user(self.requester).with_context(order_termination_closing=True).write(
                {"is_closed": False, "locked": False}
            )
        self.assertTrue(order.is_closed, msg="the order stays closed")

    def test_executing_context_key_does_not_lift_the_hold(self):
        order = self.confirmed_order()
        request = self.request(order)
        picking = self.pick_all(order.picking_ids)
        with self.assertRaisesRegex(UserError, request.name):
            picking.with_context(order_termination_executing=request.id).button_validate()
        self.assertEqual(picking.state, "assigned", msg="the delivery is not validated")

    def test_cancel_options_do_not_travel_in_the_context(self):
        order = self.delivered_and_invoiced()
        self.pay(order.invoice_ids)
        payments = self.env["account.payment"].search_count([])
        order.with_user(self.manager).with_context(
            order_cancel_options={"receive_returns": True, "refund_payments": True},
            disable_cancel_warning=True,
        ).action_cancel()
        cancellation = order.cancellation_ids
        self.assertEqual(order.state, "cancel", msg="the order is cancelled")
        self.assertNotEqual(
            cancellation.return_picking_ids.state, "done", msg="the return is not received"
        )
        self.assertFalse(cancellation.refund_payment_ids, msg="nothing is refunded")
        self.assertEqual(
            self.env["account.payment"].search_count([]), payments, msg="no money moved"
        )

    def test_one_sentence_per_refused_action(self):
        order = self.confirmed_order()
        request = self.request(order)
        messages = {
            action: order._get_hold_message(action)
            for action in ("modify", "confirm", "cancel", "invoice", "post_invoice", "deliver")
        }
        self.assertEqual(
            len(set(messages.values())), len(messages), msg="each action has its own sentence"
        )
        for action, message in messages.items():
            self.assertIn(order.name, message, msg=f"{action}: names the order")
            self.assertIn(request.name, message, msg=f"{action}: names the request")
        with self.assertRaisesRegex(UserError, "cannot be modified"):
            order.with_user(self.requester).write({"note": "changed"})

    # ---- nothing internal reaches the customer -------------------------------------------------
    def test_customer_follower_is_not_notified_of_the_request(self):
        order = self.confirmed_order()
        order.message_subscribe(partner_ids=self.partner_a.ids)
        request = self.request(order)
        request.with_user(self.warehouse_approver).action_reject("Packed already.")
        for xmlid in (
            "order_termination.mt_order_termination_requested",
            "order_termination.mt_order_termination_decided",
        ):
            subtype = self.env.ref(xmlid)
            self.assertTrue(subtype.internal, msg=f"{xmlid} is internal")
            messages = order.message_ids.filtered(lambda m, s=subtype: m.subtype_id == s)
            self.assertTrue(messages, msg=f"{xmlid} is used on the order")
            self.assertNotIn(
                self.partner_a,
                messages.notification_ids.res_partner_id,
                msg=f"the customer is not notified ({xmlid})",
            )

    def test_email_shows_customer_message_not_description(self):
        (self.step_wh | self.step_fin).active = False
        order = self.confirmed_order()
        request = self.request(
            order, reason=self.reason_confirm, customer_message="We cannot source the chairs."
        )
        mail = request.message_ids.filtered(lambda m: self.partner_a in m.partner_ids)
        self.assertIn("We cannot source the chairs.", mail.body, msg="the customer message")
        self.assertNotIn("moved abroad", mail.body, msg="never the internal description")

    def test_portal_user_cannot_read_internal_notes(self):
        order = self.delivered_and_invoiced()
        order.cancel_with_reversal(
            self.env.ref("order_revoke_cancel.cancel_reason_other"), note="Internal: bad payer"
        )
        as_portal = order.with_user(self.portal_user)
        self.assertEqual(as_portal.name, order.name, msg="the customer reads their order")
        for field in ("cancel_note", "close_note"):
            with self.assertRaises(AccessError, msg=f"{field} is internal"):
                as_portal.read([field])
        for model in ("sale.termination.request", "sale.order.cancellation"):
            with self.assertRaises(AccessError, msg=f"{model} is internal"):
                self.env[model].with_user(self.portal_user).search([])

    def test_approvers_comments_stay_internal(self):
        order = self.confirmed_order(qty=20)
        self.step_fin.active = True
        order.message_subscribe(partner_ids=self.partner_a.ids)
        request = self.request(order)
        request.with_user(self.warehouse_approver).action_approve("Stock count is wrong.")
        message = request.message_ids.filtered(lambda m: "Stock count is wrong." in (m.body or ""))
        self.assertTrue(message.subtype_id.internal, msg="the approver's comment is a note")
        self.assertIn(self.requester.partner_id, message.partner_ids, msg="the requester is told")
        self.assertFalse(
            order.message_ids.filtered(lambda m: "Stock count is wrong." in (m.body or "")),
            msg="the comment is not on the customer's order",
        )
        self.assertEqual(
            request.approval_ids.filtered(lambda a: a.step_id == self.step_fin).state,
            "pending",
            msg="finance decides next",
        )
        self.assertFalse(self.partner_a in request.message_partner_ids, msg="no customer follows")
