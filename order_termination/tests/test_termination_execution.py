from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import TerminationCase


@tagged("post_install", "-at_install")
class TestTerminationExecution(TerminationCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        (cls.step_wh | cls.step_fin).active = False
        cls.step_wh.active = True
        cls.mto_route = cls.env.ref("stock.route_warehouse0_mto")
        cls.mto_route.active = True
        cls.mto_route.rule_ids.procure_method = "make_to_order"
        cls.buy_route = cls.env.ref("purchase_stock.route_warehouse0_buy")
        cls.vendor = cls.env["res.partner"].create({"name": "Chair Vendor"})
        cls.buyer = cls.company_user("term_buyer", "purchase.group_purchase_user")
        cls.mto_product = cls.env["product.product"].create(
            {
                "name": "Custom chair",
                "type": "consu",
                "is_storable": True,
                "invoice_policy": "order",
                "taxes_id": [Command.clear()],
                "route_ids": [Command.set((cls.mto_route | cls.buy_route).ids)],
                "seller_ids": [Command.create({"partner_id": cls.vendor.id, "price": 40.0})],
            }
        )

    def approve(self, request):
        request.with_user(self.warehouse_approver).action_approve()
        self.assertEqual(request.state, "done", msg="the approved request is executed")

    def purchases(self, order):
        return order.sudo()._get_purchase_orders()

    def test_execution_reverses_through_the_engine(self):
        order = self.settled_order()
        receivable_lines = order.invoice_ids.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )
        self.assertTrue(receivable_lines.reconciled, msg="the settled invoice is paid")
        # Receiving returns at once and refunding need the right to cancel with reversal.
        request = self.request(order, user=self.manager, receive_returns=True, refund_payments=True)
        self.approve(request)
        cancellation = request.cancellation_id
        self.assertEqual(
            cancellation.order_id, order, msg="the termination creates a cancellation of the order"
        )
        self.assertEqual(
            cancellation.reason_id,
            order.cancel_reason_id,
            msg="the cancellation carries the order's cancel reason",
        )
        self.assertIn(
            request.name, cancellation.note, msg="the cancellation refers to the termination"
        )
        self.assertEqual(
            cancellation.return_picking_ids.state, "done", msg="the goods are received back"
        )
        self.assertEqual(
            order.order_line.qty_delivered, 0, msg="nothing counts as delivered any more"
        )
        credit_note = cancellation.credit_note_ids
        self.assertEqual(credit_note.state, "posted", msg="a credit note is posted")
        self.assertEqual(
            credit_note.amount_total, 500, msg="the credit note refunds the whole invoice"
        )
        self.assertTrue(cancellation.refund_payment_ids, msg="the payment is refunded")
        self.assertEqual(
            order.order_line.qty_invoiced, 0, msg="nothing counts as invoiced any more"
        )

    def test_notify_groups_get_activity(self):
        group = self.env.ref("account.group_account_manager")
        self.company.termination_notify_group_ids = [Command.set(group.ids)]
        order = self.confirmed_order()
        self.approve(self.request(order))
        activity_type = self.env.ref("order_termination.mail_activity_order_terminated")
        activities = order.activity_ids.filtered(lambda a: a.activity_type_id == activity_type)
        self.assertIn(
            self.finance_approver,
            activities.user_id,
            msg="members of the notified group get an 'order terminated' activity",
        )

    # ---- purchases bought for the order --------------------------------------------------------
    def test_purchase_only_for_this_order_is_cancelled(self):
        order = self.confirmed_order(qty=4, product=self.mto_product)
        purchase = self.purchases(order)
        self.assertEqual(len(purchase), 1, msg="the order triggers one purchase")
        self.assertEqual(purchase.state, "draft", msg="the purchase is still a request for quote")
        request = self.request(order)
        self.approve(request)
        self.assertEqual(purchase.state, "cancel", msg="the purchase is cancelled")
        self.assertEqual(
            request.purchase_effect_ids.action,
            "cancel",
            msg="the request records that it cancelled the purchase",
        )
        self.assertEqual(
            request.purchase_effect_ids.purchase_id,
            purchase,
            msg="the recorded effect points at the purchase",
        )

    def test_service_purchase_is_cancelled(self):
        service = self.env["product.product"].create(
            {
                "name": "Assembly by subcontractor",
                "type": "service",
                "service_to_purchase": True,
                "invoice_policy": "order",
                "seller_ids": [Command.create({"partner_id": self.vendor.id, "price": 20.0})],
            }
        )
        order = self.confirmed_order(qty=2, product=service)
        purchase = self.purchases(order)
        self.assertEqual(
            purchase.order_line.sale_line_id,
            order.order_line,
            msg="the service is bought from the subcontractor for this order",
        )
        request = self.request(order)
        self.approve(request)
        self.assertEqual(purchase.state, "cancel", msg="the service purchase is cancelled")
        self.assertEqual(
            request.purchase_effect_ids.action,
            "cancel",
            msg="the request records that it cancelled the purchase",
        )

    def test_merged_purchase_line_is_reduced_by_share(self):
        order_a = self.confirmed_order(qty=4, product=self.mto_product)
        order_b = self.confirmed_order(qty=3, product=self.mto_product)
        purchase = self.purchases(order_a)
        self.assertEqual(
            purchase, self.purchases(order_b), msg="both orders are bought on one purchase"
        )
        self.assertEqual(len(purchase.order_line), 1, msg="the needs are merged on one line")
        self.assertEqual(purchase.order_line.product_qty, 7, msg="the line buys for both orders")
        request = self.request(order_a)
        self.approve(request)
        self.assertEqual(purchase.state, "draft", msg="the shared purchase is kept")
        self.assertEqual(
            purchase.order_line.product_qty, 3, msg="the line keeps only the other order's share"
        )
        effect = request.purchase_effect_ids
        self.assertEqual(
            (effect.action, effect.previous_qty, effect.new_qty),
            ("reduce", 7.0, 3.0),
            msg="the request records the reduction from 7 to 3",
        )
        self.assertEqual(order_b.state, "sale", msg="the other order is untouched")

    def test_confirmed_shared_purchase_reduces_receipt(self):
        order_a = self.confirmed_order(qty=4, product=self.mto_product)
        order_b = self.confirmed_order(qty=3, product=self.mto_product)
        purchase = self.purchases(order_a)
        purchase.button_confirm()
        request = self.request(order_a)
        self.approve(request)
        self.assertEqual(purchase.state, "purchase", msg="the confirmed purchase stays confirmed")
        self.assertEqual(
            purchase.order_line.product_qty, 3, msg="the line keeps only the other order's share"
        )
        receipt_qty = sum(
            purchase.picking_ids.move_ids.filtered(lambda m: m.state != "cancel").mapped(
                "product_uom_qty"
            )
        )
        self.assertEqual(receipt_qty, 3, msg="the receipt expects only the other order's share")
        self.assertEqual(order_b.state, "sale", msg="the other order is untouched")

    def test_received_purchase_is_left_and_buyer_notified(self):
        order = self.confirmed_order(qty=4, product=self.mto_product)
        purchase = self.purchases(order)
        purchase.user_id = self.buyer
        purchase.button_confirm()
        receipt = purchase.picking_ids
        self.pick_all(receipt).button_validate()
        request = self.request(order)
        self.approve(request)
        self.assertEqual(purchase.state, "purchase", msg="the received purchase is kept")
        self.assertEqual(
            purchase.order_line.product_qty, 4, msg="the received quantity is not reduced"
        )
        effect = request.purchase_effect_ids
        self.assertEqual(
            effect.action, "notify", msg="the request records that it only notified the buyer"
        )
        activity = purchase.activity_ids.filtered(lambda a: a.user_id == self.buyer)
        self.assertTrue(activity, msg="the buyer gets an activity on the purchase")
        self.assertIn(order.name, activity[0].note, msg="the activity names the terminated order")

    # ---- revoking a termination ----------------------------------------------------------------
    def terminated_mto_order(self):
        """An order of a made-to-order product, terminated: its purchase is cancelled."""
        order = self.confirmed_order(qty=4, product=self.mto_product)
        purchase = self.purchases(order)
        request = self.request(order)
        self.approve(request)
        self.assertEqual(purchase.state, "cancel", msg="terminating cancels the purchase")
        return order, request, purchase

    def test_revoke_terminated_order_is_for_managers(self):
        order, _request, _purchase = self.terminated_mto_order()
        revoker = self.company_user(
            "term_revoker",
            "sales_team.group_sale_salesman,order_revoke_cancel.group_revoke_cancel",
        )
        with self.assertRaisesRegex(AccessError, order.name):
            order.with_user(revoker).revoke_cancel("Customer changed their mind.")
        self.assertEqual(
            order.state, "cancel", msg="a plain revoker cannot revive a terminated order"
        )

    def test_revoke_restores_order_but_not_purchase(self):
        order, request, purchase = self.terminated_mto_order()
        order.with_user(self.manager).revoke_cancel("Customer changed their mind.")
        self.assertEqual(order.state, "sale", msg="the manager revives the order")
        self.assertFalse(order.termination_state, msg="the order is no longer marked terminated")
        self.assertEqual(request.state, "revoked", msg="the request says it was revoked")
        self.assertEqual(purchase.state, "cancel", msg="the cancelled purchase is not resurrected")

    def test_approve_from_the_order(self):
        order = self.confirmed_order()
        request = self.request(order)
        action = order.with_user(self.warehouse_approver).action_approve_termination()
        self.assertEqual(
            action["res_model"], "sale.termination.approve.wizard", msg="a comment box first"
        )
        wizard = (
            self.env[action["res_model"]]
            .with_user(self.warehouse_approver)
            .with_context(**action["context"])
            .create({"comment": "Fine by the warehouse."})
        )
        wizard.action_approve()
        self.assertEqual(request.state, "done", msg="approving from the order executes it")
        self.assertEqual(request.approval_ids.comment, "Fine by the warehouse.")
        self.assertEqual(
            request.approval_ids.reviewer_id,
            self.warehouse_approver,
            msg="the approval is recorded under the approver",
        )
