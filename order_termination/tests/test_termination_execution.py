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
        cls.buyer = cls._user("term_buyer", "purchase.group_purchase_user")
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
        self.assertEqual(request.state, "done")

    def purchases(self, order):
        return order.sudo()._get_purchase_orders()

    def test_execution_reverses_through_the_engine(self):
        order = self.settled_order()
        receivable_lines = order.invoice_ids.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )
        self.assertTrue(receivable_lines.reconciled)
        request = self.request(order, receive_returns=True, refund_payments=True)
        self.approve(request)
        cancellation = request.cancellation_id
        self.assertEqual(cancellation.order_id, order)
        self.assertEqual(cancellation.reason_id, order.cancel_reason_id)
        self.assertIn(request.name, cancellation.note)
        self.assertEqual(cancellation.return_picking_ids.state, "done")
        self.assertEqual(order.order_line.qty_delivered, 0)
        credit_note = cancellation.credit_note_ids
        self.assertEqual(credit_note.state, "posted")
        self.assertEqual(credit_note.amount_total, 500)
        self.assertTrue(cancellation.refund_payment_ids)
        self.assertEqual(order.order_line.qty_invoiced, 0)

    def test_notify_groups_get_activity(self):
        group = self.env.ref("account.group_account_manager")
        self.company.termination_notify_group_ids = [Command.set(group.ids)]
        order = self.confirmed_order()
        self.approve(self.request(order))
        activity_type = self.env.ref("order_termination.mail_activity_order_terminated")
        activities = order.activity_ids.filtered(lambda a: a.activity_type_id == activity_type)
        self.assertIn(self.finance_approver, activities.user_id)

    def test_purchase_only_for_this_order_is_cancelled(self):
        order = self.confirmed_order(qty=4, product=self.mto_product)
        purchase = self.purchases(order)
        self.assertEqual(len(purchase), 1)
        self.assertEqual(purchase.state, "draft")
        request = self.request(order)
        self.approve(request)
        self.assertEqual(purchase.state, "cancel")
        self.assertEqual(request.purchase_effect_ids.action, "cancel")
        self.assertEqual(request.purchase_effect_ids.purchase_id, purchase)

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
        self.assertEqual(purchase.order_line.sale_line_id, order.order_line)
        request = self.request(order)
        self.approve(request)
        self.assertEqual(purchase.state, "cancel")
        self.assertEqual(request.purchase_effect_ids.action, "cancel")

    def test_merged_purchase_line_is_reduced_by_share(self):
        order_a = self.confirmed_order(qty=4, product=self.mto_product)
        order_b = self.confirmed_order(qty=3, product=self.mto_product)
        purchase = self.purchases(order_a)
        self.assertEqual(purchase, self.purchases(order_b))
        self.assertEqual(len(purchase.order_line), 1)
        self.assertEqual(purchase.order_line.product_qty, 7)
        request = self.request(order_a)
        self.approve(request)
        self.assertEqual(purchase.state, "draft")
        self.assertEqual(purchase.order_line.product_qty, 3)
        effect = request.purchase_effect_ids
        self.assertEqual((effect.action, effect.previous_qty, effect.new_qty), ("reduce", 7.0, 3.0))
        self.assertEqual(order_b.state, "sale")

    def test_confirmed_shared_purchase_reduces_receipt(self):
        order_a = self.confirmed_order(qty=4, product=self.mto_product)
        order_b = self.confirmed_order(qty=3, product=self.mto_product)
        purchase = self.purchases(order_a)
        purchase.button_confirm()
        request = self.request(order_a)
        self.approve(request)
        self.assertEqual(purchase.state, "purchase")
        self.assertEqual(purchase.order_line.product_qty, 3)
        receipt_qty = sum(
            purchase.picking_ids.move_ids.filtered(lambda m: m.state != "cancel").mapped(
                "product_uom_qty"
            )
        )
        self.assertEqual(receipt_qty, 3)
        self.assertEqual(order_b.state, "sale")

    def test_received_purchase_is_left_and_buyer_notified(self):
        order = self.confirmed_order(qty=4, product=self.mto_product)
        purchase = self.purchases(order)
        purchase.user_id = self.buyer
        purchase.button_confirm()
        receipt = purchase.picking_ids
        for move in receipt.move_ids:
            move.quantity = move.product_uom_qty
            move.picked = True
        receipt.button_validate()
        request = self.request(order)
        self.approve(request)
        self.assertEqual(purchase.state, "purchase")
        self.assertEqual(purchase.order_line.product_qty, 4)
        effect = request.purchase_effect_ids
        self.assertEqual(effect.action, "notify")
        activity = purchase.activity_ids.filtered(lambda a: a.user_id == self.buyer)
        self.assertTrue(activity)
        self.assertIn(order.name, activity[0].note)

    def test_revoke_terminated_order_is_for_managers(self):
        order = self.confirmed_order(qty=4, product=self.mto_product)
        purchase = self.purchases(order)
        request = self.request(order)
        self.approve(request)
        self.assertEqual(purchase.state, "cancel")
        revoker = self._user(
            "term_revoker",
            "sales_team.group_sale_salesman,order_revoke_cancel.group_revoke_cancel",
        )
        with self.assertRaisesRegex(AccessError, order.name):
            order.with_user(revoker).revoke_cancel("Customer changed their mind.")
        self.assertEqual(order.state, "cancel")
        order.with_user(self.manager).revoke_cancel("Customer changed their mind.")
        self.assertEqual(order.state, "sale")
        self.assertFalse(order.termination_state)
        self.assertEqual(request.state, "done")
        # The cancelled purchase is not resurrected.
        self.assertEqual(purchase.state, "cancel")

    def test_approve_from_the_order(self):
        order = self.confirmed_order()
        request = self.request(order)
        order.with_user(self.warehouse_approver).action_approve_termination()
        self.assertEqual(request.state, "done")
        self.assertEqual(request.approval_ids.reviewer_id, self.warehouse_approver)
