"""Purchases on a plain cancel (issue 15.3): with the company's `cancel_purchase_effect` at
`apply`, every cancellation does to the purchases made for the order what a termination does,
previews it, records it on its ledger, and its revoke lets procurement buy again."""

from odoo import Command
from odoo.tests import Form, tagged

from .common import TerminationCase

PURCHASE_ACTIONS = ("cancel_purchase", "reduce_purchase", "notify_purchase")


@tagged("post_install", "-at_install")
class TestCancelPurchaseEffect(TerminationCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        (cls.step_wh | cls.step_fin).active = False
        cls.step_wh.active = True
        mto_route = cls.env.ref("stock.route_warehouse0_mto")
        mto_route.active = True
        mto_route.rule_ids.procure_method = "make_to_order"
        buy_route = cls.env.ref("purchase_stock.route_warehouse0_buy")
        cls.vendor = cls.env["res.partner"].create({"name": "Desk Vendor"})
        cls.buyer = cls.company_user("cpe_buyer", "purchase.group_purchase_user")
        seller = [Command.create({"partner_id": cls.vendor.id, "price": 40.0})]
        cls.mto_product = cls.env["product.product"].create(
            {
                "name": "Made-to-order desk",
                "type": "consu",
                "is_storable": True,
                "invoice_policy": "order",
                "taxes_id": [Command.clear()],
                "route_ids": [Command.set((mto_route | buy_route).ids)],
                "seller_ids": seller,
            }
        )
        # Dropship as stock_dropshipping ships it (not installed here): bought from the vendor
        # for the sale line, shipped by the vendor straight to the customer.
        customers = cls.env.ref("stock.stock_location_customers")
        dropship_type = cls.warehouse.in_type_id.copy(
            {
                "name": "Dropship (test)",
                "sequence_code": "DSX",
                "default_location_src_id": cls.env.ref("stock.stock_location_suppliers").id,
                "default_location_dest_id": customers.id,
            }
        )
        cls.dropship_route = cls.env["stock.route"].create(
            {
                "name": "Dropship (test)",
                "sale_selectable": True,
                "company_id": cls.company.id,
                "rule_ids": [
                    Command.create(
                        {
                            "name": "Vendor to customer",
                            "action": "buy",
                            "location_src_id": dropship_type.default_location_src_id.id,
                            "location_dest_id": customers.id,
                            "picking_type_id": dropship_type.id,
                            "company_id": cls.company.id,
                        }
                    )
                ],
            }
        )
        cls.dropship_product = cls.env["product.product"].create(
            {
                "name": "Dropshipped lamp",
                "type": "consu",
                "invoice_policy": "order",
                "taxes_id": [Command.clear()],
                "seller_ids": [Command.create({"partner_id": cls.vendor.id, "price": 20.0})],
            }
        )
        cls.company.cancel_purchase_effect = "apply"
        # `reason` is a termination reason in these tests: cancellations take a cancel reason.
        cls.cancel_reason = cls.env.ref("order_revoke_cancel.cancel_reason_customer_request")

    # ---- helpers -------------------------------------------------------------------------------
    def order_for(self, user, qty, product=None, route=None):
        """A confirmed order of `user` (its salesperson) for `qty` units of `product`."""
        line = {"product_id": (product or self.mto_product).id, "product_uom_qty": qty}
        if route:
            line["route_id"] = route.id
        order = self.env["sale.order"].create(
            {
                "partner_id": self.partner_a.id,
                "user_id": user.id,
                "order_line": [Command.create({**line, "price_unit": 100.0})],
            }
        )
        order.action_confirm()
        return order

    def purchases(self, order):
        return order.sudo()._get_purchase_orders().with_env(self.env)

    def purchase_impact(self, order, user, **options):
        """The purchase lines of the cancel preview, as `user` sees them:
        {(action, purchase id): quantity}."""
        impact = order.with_user(user).get_cancel_impact(**options)
        previewed = {}
        for item in impact:
            if item["action"] in PURCHASE_ACTIONS:
                self.assertEqual(item["model"], "purchase.order", msg="the line opens a purchase")
                key = (item["action"], item["res_id"])
                previewed[key] = previewed.get(key, 0.0) + (item["quantity"] or 0.0)
        return previewed

    def assertPreviewWasDone(self, previewed, cancellation):
        """What the preview listed for the purchases is what the cancellation's ledger says."""
        actions = {"cancel": "cancel_purchase", "reduce": "reduce_purchase"}
        made = {}
        for effect in cancellation.sudo().purchase_effect_ids:
            key = (actions.get(effect.action, "notify_purchase"), effect.purchase_id.id)
            qty = effect.previous_qty - effect.new_qty if effect.action != "notify" else 0.0
            made[key] = made.get(key, 0.0) + qty
        self.assertEqual(previewed, made, msg="the preview lists exactly what was done")

    def cancel_in_wizard(self, order, user):
        action = order.with_user(user).action_cancel()
        wizard = Form.from_action(self.env(user=user), action)
        wizard.cancel_reason_id = self.cancel_reason
        wizard.save().action_cancel()
        return order.cancellation_ids[:1]

    # ---- apply ---------------------------------------------------------------------------------
    def test_salesman_cancel_cancels_the_rfq(self):
        order = self.order_for(self.salesman, 4)
        purchase = self.purchases(order)
        self.assertEqual(purchase.state, "draft", msg="the order made a request for quotation")
        previewed = self.purchase_impact(order, self.salesman)
        self.assertEqual(
            previewed,
            {("cancel_purchase", purchase.id): 4.0},
            msg="the salesman's preview says the RFQ of 4 units is cancelled",
        )

        cancellation = self.cancel_in_wizard(order, self.salesman)

        self.assertEqual(order.state, "cancel")
        self.assertEqual(purchase.state, "cancel", msg="the RFQ is cancelled")
        effects = cancellation.with_user(self.salesman).purchase_effect_ids
        self.assertEqual(
            [(e.action, e.purchase_name, e.previous_qty, e.new_qty) for e in effects],
            [("cancel", purchase.name, 4.0, 0.0)],
            msg="the salesman reads on the ledger what was done to the purchase",
        )
        self.assertFalse(effects.request_id, msg="a cancellation, no termination")
        self.assertPreviewWasDone(previewed, cancellation)

    def test_manager_cancel_reduces_a_shared_rfq(self):
        order_a = self.order_for(self.sales_manager, 4)
        order_b = self.order_for(self.sales_manager, 3)
        purchase = self.purchases(order_a)
        self.assertEqual(purchase, self.purchases(order_b), msg="one RFQ buys for both orders")
        self.assertEqual(purchase.order_line.product_qty, 7)
        previewed = self.purchase_impact(order_a, self.sales_manager)
        self.assertEqual(previewed, {("reduce_purchase", purchase.id): 4.0})

        cancellation = order_a.with_user(self.sales_manager).cancel_with_reversal(
            self.cancel_reason
        )

        self.assertEqual(purchase.state, "draft", msg="the shared RFQ is kept")
        self.assertEqual(purchase.order_line.product_qty, 3, msg="only order B's share is left")
        effect = cancellation.purchase_effect_ids
        self.assertEqual((effect.action, effect.previous_qty, effect.new_qty), ("reduce", 7, 3))
        self.assertEqual(order_b.state, "sale", msg="the other order is untouched")
        self.assertPreviewWasDone(previewed, cancellation)

    def test_mass_cancel_reduces_a_confirmed_shared_purchase(self):
        order_a = self.order_for(self.salesman, 4)
        order_b = self.order_for(self.salesman, 3)
        purchase = self.purchases(order_a)
        purchase.button_confirm()
        previewed = self.purchase_impact(order_a, self.salesman)
        wizard = (
            self.env["sale.mass.cancel.orders"]
            .with_user(self.salesman)
            .with_context(active_model="sale.order", active_ids=order_a.ids)
            .create({"cancel_reason_id": self.cancel_reason.id})
        )

        wizard.action_mass_cancel()

        self.assertEqual(order_a.state, "cancel")
        self.assertEqual(purchase.state, "purchase", msg="the confirmed purchase stays")
        self.assertEqual(purchase.order_line.product_qty, 3, msg="order A's 4 units are removed")
        receipt_qty = sum(
            purchase.picking_ids.move_ids.filtered(lambda m: m.state != "cancel").mapped(
                "product_uom_qty"
            )
        )
        self.assertEqual(receipt_qty, 3, msg="the receipt expects only order B's share")
        self.assertEqual(order_b.state, "sale")
        result = wizard.result_line_ids.filtered(lambda r: r.action == "reduce_purchase")
        self.assertEqual(
            (result.res_id, result.quantity),
            (purchase.id, 4.0),
            msg="the mass cancel's result lists the reduction",
        )
        self.assertPreviewWasDone(previewed, order_a.cancellation_ids)

    def test_partly_shared_purchase_line_is_reduced_by_the_share(self):
        """A purchase line bought for this order and a stock need (a larger quantity typed in
        by the buyer) keeps what does not serve this order."""
        order = self.order_for(self.salesman, 4)
        purchase = self.purchases(order)
        purchase.order_line.product_qty = 10
        previewed = self.purchase_impact(order, self.salesman)
        self.assertEqual(previewed, {("reduce_purchase", purchase.id): 4.0})

        cancellation = order.with_user(self.salesman).cancel_with_reversal(self.cancel_reason)

        self.assertEqual(purchase.state, "draft")
        self.assertEqual(purchase.order_line.product_qty, 6, msg="the 6 units for stock stay")
        self.assertPreviewWasDone(previewed, cancellation)

    def test_received_purchase_is_kept_and_its_buyer_notified(self):
        order = self.order_for(self.salesman, 4)
        purchase = self.purchases(order)
        purchase.user_id = self.buyer
        purchase.button_confirm()
        self.pick_all(purchase.picking_ids).button_validate()
        previewed = self.purchase_impact(order, self.salesman)
        self.assertEqual(previewed, {("notify_purchase", purchase.id): 0.0})

        cancellation = order.with_user(self.salesman).cancel_with_reversal(self.cancel_reason)

        self.assertEqual(purchase.state, "purchase", msg="the received purchase is kept")
        self.assertEqual(purchase.order_line.product_qty, 4, msg="its quantity is unchanged")
        self.assertEqual(cancellation.purchase_effect_ids.action, "notify")
        activity = purchase.activity_ids.filtered(
            lambda a: a.user_id == self.buyer and order.name in (a.summary or "")
        )
        self.assertEqual(len(activity), 1, msg="the buyer is asked to act, once")
        self.assertIn("cancelled", activity.note, msg="the buyer reads that it was cancelled")
        self.assertPreviewWasDone(previewed, cancellation)

    def test_partly_received_purchase_loses_what_is_still_to_come(self):
        """7 bought, 2 received, the order cancelled: the 5 still to come are removed (a
        cancelled order waits for nothing), the buyer decides about the 2 received."""
        order = self.order_for(self.salesman, 7)
        purchase = self.purchases(order)
        purchase.user_id = self.buyer
        purchase.button_confirm()
        self.validate(purchase.picking_ids, qty=2)
        previewed = self.purchase_impact(order, self.salesman)
        self.assertEqual(
            previewed,
            {("reduce_purchase", purchase.id): 5.0, ("notify_purchase", purchase.id): 0.0},
        )

        cancellation = order.with_user(self.salesman).cancel_with_reversal(self.cancel_reason)

        self.assertEqual(purchase.state, "purchase", msg="the received purchase is kept")
        self.assertEqual(purchase.order_line.product_qty, 2, msg="only what came stays")
        self.assertEqual(self.receipt_qty(purchase), 2, msg="nothing more to receive")
        activity = purchase.activity_ids.filtered(lambda a: a.user_id == self.buyer)
        self.assertEqual(len(activity), 1, msg="the buyer is asked about the 2 received")
        self.assertIn("already received", activity.note)
        self.assertPreviewWasDone(previewed, cancellation)

    def test_dropship_purchase_is_cancelled(self):
        order = self.order_for(
            self.salesman, 2, product=self.dropship_product, route=self.dropship_route
        )
        purchase = self.purchases(order)
        self.assertEqual(
            purchase.order_line.sale_line_id, order.order_line, msg="bought for the sale line"
        )
        purchase.button_confirm()
        self.assertEqual(
            purchase.picking_ids.location_dest_id,
            self.env.ref("stock.stock_location_customers"),
            msg="the vendor ships to the customer",
        )
        previewed = self.purchase_impact(order, self.salesman)
        self.assertEqual(previewed, {("cancel_purchase", purchase.id): 2.0})

        cancellation = self.cancel_in_wizard(order, self.salesman)

        self.assertEqual(purchase.state, "cancel", msg="the dropship purchase is cancelled")
        self.assertEqual(purchase.picking_ids.mapped("state"), ["cancel"])
        self.assertPreviewWasDone(previewed, cancellation)

    # ---- notify --------------------------------------------------------------------------------
    def test_notify_setting_leaves_the_purchase(self):
        self.company.cancel_purchase_effect = "notify"
        order = self.order_for(self.salesman, 4)
        purchase = self.purchases(order)
        impact = order.with_user(self.salesman).get_cancel_impact()
        self.assertEqual(
            [(i["action"], i["res_id"]) for i in impact if i["action"] in PURCHASE_ACTIONS],
            [("notify_purchase", purchase.id)],
            msg="the buyer hears of it, nothing more",
        )

        cancellation = order.with_user(self.salesman).cancel_with_reversal(self.cancel_reason)

        self.assertEqual(purchase.state, "draft", msg="the RFQ stays as Odoo leaves it")
        self.assertEqual(purchase.order_line.product_qty, 4)
        self.assertFalse(cancellation.purchase_effect_ids)

    def test_termination_applies_whatever_the_setting(self):
        self.company.cancel_purchase_effect = "notify"
        order = self.confirmed_order(qty=4, product=self.mto_product)
        purchase = self.purchases(order)
        request = self.request(order)
        lines = order.with_user(self.requester)._get_termination_impact_lines(
            reason=request.reason_id
        )
        self.assertIn(
            f"Purchase {purchase.name}: {self.mto_product.display_name} is cancelled (4",
            " ".join(lines),
            msg="the termination's preview names the purchase it cancels",
        )
        request.with_user(self.warehouse_approver).action_approve()
        self.assertEqual(request.state, "done")
        self.assertEqual(purchase.state, "cancel", msg="terminating cancels the purchase")
        effect = request.purchase_effect_ids
        self.assertEqual(effect.action, "cancel")
        self.assertEqual(
            effect.cancellation_id, request.cancellation_id, msg="on the cancellation's ledger too"
        )
        customer_lines = order._get_termination_impact_lines(
            customer=True, reason=request.reason_id
        )
        self.assertFalse(
            [line for line in customer_lines if purchase.name in line],
            msg="the customer reads nothing of the purchase",
        )

    # ---- revoke --------------------------------------------------------------------------------
    def test_revoke_buys_again_with_a_new_rfq(self):
        order = self.order_for(self.salesman, 4)
        purchase = self.purchases(order)
        order.with_user(self.salesman).cancel_with_reversal(self.cancel_reason)
        self.assertEqual(purchase.state, "cancel")

        order.with_user(self.sales_manager).revoke_cancel("The customer wants the desk after all.")

        self.assertEqual(order.state, "sale")
        again = self.purchases(order).filtered(lambda p: p.state != "cancel")
        self.assertEqual(len(again), 1, msg="procurement buys again")
        self.assertNotEqual(again, purchase, msg="on a new RFQ")
        self.assertEqual((again.state, again.order_line.product_qty), ("draft", 4))

    def test_revoke_restores_the_reduced_rfq_line(self):
        order_a = self.order_for(self.salesman, 4)
        self.order_for(self.salesman, 3)
        purchase = self.purchases(order_a)
        order_a.with_user(self.salesman).cancel_with_reversal(self.cancel_reason)
        self.assertEqual(purchase.order_line.product_qty, 3)

        order_a.with_user(self.sales_manager).revoke_cancel()

        self.assertEqual(
            self.purchases(order_a).filtered(lambda p: p.state != "cancel"),
            purchase,
            msg="the order is bought on the same RFQ again",
        )
        self.assertEqual(purchase.order_line.product_qty, 7, msg="the reduced line is restored")

    def test_revoke_after_a_confirmed_reduction_buys_on_a_new_rfq(self):
        order_a = self.order_for(self.salesman, 4)
        self.order_for(self.salesman, 3)
        purchase = self.purchases(order_a)
        purchase.button_confirm()
        order_a.with_user(self.salesman).cancel_with_reversal(self.cancel_reason)

        order_a.with_user(self.sales_manager).revoke_cancel()

        self.assertEqual(purchase.order_line.product_qty, 3, msg="the confirmed one is as left")
        new = self.purchases(order_a) - purchase
        self.assertEqual(
            (new.state, new.order_line.product_qty),
            ("draft", 4),
            msg="a confirmed purchase is not changed by procurement: a new RFQ buys order A's 4",
        )

    # ---- cancelling lines ----------------------------------------------------------------------
    def order_of_lines(self, user, qty, product=None, route=None):
        """A confirmed order of `user` with a line of `qty` units of `product` (made to order
        by default) and a second line from stock, so that cancelling the first is a
        cancellation of lines."""
        order = self.order_for(user, qty, product=product, route=route)
        order.order_line = [
            Command.create(
                {"product_id": self.storable.id, "product_uom_qty": 2, "price_unit": 10.0}
            )
        ]
        return order, order.order_line[0]

    def line_purchase_impact(self, order, user, quantities, **options):
        """The purchase lines of the preview of cancelling `quantities`, as `user` sees them:
        {(action, purchase id): quantity}."""
        previewed = {}
        for item in order.with_user(user).get_line_cancel_impact(quantities, **options):
            if item["action"] in PURCHASE_ACTIONS:
                self.assertEqual(item["model"], "purchase.order", msg="the line opens a purchase")
                key = (item["action"], item["res_id"])
                previewed[key] = previewed.get(key, 0.0) + (item["quantity"] or 0.0)
        return previewed

    def open_vendor_shipments(self, purchase):
        """The purchase's dropship transfers still to be shipped to the customer."""
        return purchase.picking_ids.filtered(
            lambda p: p.state not in ("done", "cancel") and p.location_dest_id.usage == "customer"
        )

    def receipt_qty(self, purchase):
        moves = purchase.sudo().picking_ids.move_ids.filtered(lambda m: m.state != "cancel")
        return sum(moves.mapped("product_uom_qty"))

    def test_salesman_line_cancel_reduces_the_confirmed_purchase_and_its_receipt(self):
        order, line = self.order_of_lines(self.salesman, 4)
        purchase = self.purchases(order)
        purchase.button_confirm()
        other = self.order_for(self.salesman, 3)
        other_rfq = self.purchases(other)
        self.assertNotEqual(other_rfq, purchase, msg="the other order is bought on a new RFQ")
        previewed = self.line_purchase_impact(order, self.salesman, {line.id: 1})
        self.assertEqual(previewed, {("reduce_purchase", purchase.id): 1.0})

        cancellation = order.with_user(self.salesman).cancel_lines({line.id: 1}, self.cancel_reason)

        self.assertEqual((cancellation.scope, order.state), ("lines", "sale"))
        self.assertEqual(purchase.order_line.product_qty, 3, msg="the cancelled unit is removed")
        self.assertEqual(self.receipt_qty(purchase), 3, msg="the receipt expects 3")
        self.assertEqual(
            other_rfq.order_line.product_qty,
            3,
            msg="the other order's RFQ keeps its 3 (Odoo's negative procurement would lower it)",
        )
        effects = cancellation.with_user(self.salesman).purchase_effect_ids
        self.assertEqual(
            [(e.action, e.purchase_name, e.previous_qty, e.new_qty) for e in effects],
            [("reduce", purchase.name, 4.0, 3.0)],
            msg="the salesman reads on the ledger what was done to the purchase",
        )
        self.assertPreviewWasDone(previewed, cancellation)

    def test_manager_line_cancelled_in_full_cancels_its_rfq(self):
        order, line = self.order_of_lines(self.sales_manager, 4)
        purchase = self.purchases(order)
        self.assertEqual(purchase.state, "draft")
        previewed = self.line_purchase_impact(order, self.sales_manager, {line.id: 4})
        self.assertEqual(previewed, {("cancel_purchase", purchase.id): 4.0})

        cancellation = order.with_user(self.sales_manager).cancel_lines(
            {line.id: 4}, self.cancel_reason
        )

        self.assertEqual(order.state, "sale", msg="the other line carries on")
        self.assertEqual(purchase.state, "cancel", msg="the RFQ served only that line")
        self.assertEqual(
            [(e.action, e.previous_qty, e.new_qty) for e in cancellation.purchase_effect_ids],
            [("cancel", 4.0, 0.0)],
        )
        self.assertPreviewWasDone(previewed, cancellation)

        cancellation.with_user(self.sales_manager).revoke("The customer wants the desks.")

        again = self.purchases(order).filtered(lambda p: p.state != "cancel")
        self.assertEqual(len(again), 1, msg="procurement buys again")
        self.assertNotEqual(again, purchase, msg="on a new RFQ")
        self.assertEqual((again.state, again.order_line.product_qty), ("draft", 4))

    def test_line_cancel_of_a_draft_rfq_is_removed_once_and_restored_by_revoke(self):
        order, line = self.order_of_lines(self.salesman, 4)
        purchase = self.purchases(order)
        previewed = self.line_purchase_impact(order, self.salesman, {line.id: 1})
        self.assertEqual(previewed, {("reduce_purchase", purchase.id): 1.0})

        cancellation = order.with_user(self.salesman).cancel_lines({line.id: 1}, self.cancel_reason)

        self.assertEqual(purchase.order_line.product_qty, 3, msg="removed once, not twice")
        self.assertPreviewWasDone(previewed, cancellation)

        cancellation.with_user(self.sales_manager).revoke()

        self.assertEqual(self.purchases(order).filtered(lambda p: p.state != "cancel"), purchase)
        self.assertEqual(purchase.order_line.product_qty, 4, msg="the reduced line is restored")

    def test_revoke_after_a_confirmed_reduction_buys_again(self):
        order, line = self.order_of_lines(self.salesman, 4)
        purchase = self.purchases(order)
        purchase.button_confirm()
        cancellation = order.with_user(self.salesman).cancel_lines({line.id: 1}, self.cancel_reason)

        cancellation.with_user(self.sales_manager).revoke()

        self.assertEqual(purchase.order_line.product_qty, 3, msg="the confirmed one is as left")
        new = self.purchases(order).filtered(lambda p: p.state != "cancel") - purchase
        self.assertEqual(
            (new.state, new.order_line.product_qty),
            ("draft", 1),
            msg="procurement buys the revoked unit again, on a new RFQ",
        )
        moves = line.move_ids.filtered(lambda m: m.state not in ("done", "cancel"))
        self.assertEqual(sum(moves.mapped("product_uom_qty")), 4, msg="4 are to deliver again")

    def test_line_cancel_of_received_goods_notifies_the_buyer(self):
        order, line = self.order_of_lines(self.salesman, 4)
        purchase = self.purchases(order)
        purchase.user_id = self.buyer
        purchase.button_confirm()
        self.pick_all(purchase.picking_ids).button_validate()
        previewed = self.line_purchase_impact(order, self.salesman, {line.id: 1})
        self.assertEqual(previewed, {("notify_purchase", purchase.id): 0.0})

        cancellation = order.with_user(self.salesman).cancel_lines({line.id: 1}, self.cancel_reason)

        self.assertEqual(purchase.order_line.product_qty, 4, msg="the received purchase is kept")
        self.assertEqual(cancellation.purchase_effect_ids.action, "notify")
        activity = purchase.activity_ids.filtered(
            lambda a: a.user_id == self.buyer and order.name in (a.summary or "")
        )
        self.assertEqual(len(activity), 1, msg="the buyer is asked to act, once")
        self.assertIn("were cancelled", activity.note)
        self.assertPreviewWasDone(previewed, cancellation)

    def test_dropship_line_cancel_reduces_the_purchase(self):
        order, line = self.order_of_lines(
            self.salesman, 4, product=self.dropship_product, route=self.dropship_route
        )
        purchase = self.purchases(order)
        purchase.button_confirm()
        previewed = self.line_purchase_impact(order, self.salesman, {line.id: 1})
        self.assertEqual(previewed, {("reduce_purchase", purchase.id): 1.0})

        cancellation = order.with_user(self.salesman).cancel_lines({line.id: 1}, self.cancel_reason)

        self.assertEqual(purchase.order_line.product_qty, 3)
        self.assertEqual(self.receipt_qty(purchase), 3, msg="the vendor ships 3")
        self.assertPreviewWasDone(previewed, cancellation)

    def test_notify_setting_leaves_the_purchases_of_a_line_cancel(self):
        self.company.cancel_purchase_effect = "notify"
        order, line = self.order_of_lines(self.salesman, 4)
        purchase = self.purchases(order)
        purchase.button_confirm()
        self.assertFalse(self.line_purchase_impact(order, self.salesman, {line.id: 1}))

        cancellation = order.with_user(self.salesman).cancel_lines({line.id: 1}, self.cancel_reason)

        self.assertEqual(purchase.order_line.product_qty, 4, msg="as Odoo leaves it")
        self.assertEqual(self.receipt_qty(purchase), 4)
        self.assertFalse(cancellation.purchase_effect_ids)

    def test_termination_of_lines_applies_whatever_the_setting(self):
        self.company.cancel_purchase_effect = "notify"
        order, line = self.order_of_lines(self.requester, 4)
        purchase = self.purchases(order)
        purchase.button_confirm()
        request = self.request(order, quantities={line.id: 1})
        request.with_user(self.warehouse_approver).action_approve()

        self.assertEqual(request.state, "done")
        self.assertEqual(request.cancellation_id.scope, "lines")
        self.assertEqual(purchase.order_line.product_qty, 3, msg="the terminated unit is removed")
        self.assertEqual(self.receipt_qty(purchase), 3)
        effect = request.purchase_effect_ids
        self.assertEqual((effect.action, effect.previous_qty, effect.new_qty), ("reduce", 4, 3))
        self.assertEqual(effect.cancellation_id, request.cancellation_id)

    def test_manager_line_cancel_removes_what_is_unreceived_and_notifies_the_rest(self):
        """4 bought, 2 received: cancelling 3 removes the 2 still to receive and asks the buyer
        about the third, received already."""
        order, line = self.order_of_lines(self.sales_manager, 4)
        purchase = self.purchases(order)
        purchase.user_id = self.buyer
        purchase.button_confirm()
        self.validate(purchase.picking_ids, qty=2)
        self.assertEqual(purchase.order_line.qty_received, 2)
        previewed = self.line_purchase_impact(order, self.sales_manager, {line.id: 3})
        self.assertEqual(
            previewed,
            {("reduce_purchase", purchase.id): 2.0, ("notify_purchase", purchase.id): 0.0},
        )

        cancellation = order.with_user(self.sales_manager).cancel_lines(
            {line.id: 3}, self.cancel_reason
        )

        self.assertEqual(purchase.order_line.product_qty, 2, msg="what was received stays")
        self.assertEqual(self.receipt_qty(purchase), 2, msg="nothing more to receive")
        self.assertEqual(
            sorted(cancellation.purchase_effect_ids.mapped("action")), ["notify", "reduce"]
        )
        activity = purchase.activity_ids.filtered(lambda a: a.user_id == self.buyer)
        self.assertEqual(len(activity), 1)
        self.assertIn("bought for them were already received", activity.note)
        moves = line.move_ids.filtered(lambda m: m.state not in ("done", "cancel"))
        self.assertEqual(sum(moves.mapped("product_uom_qty")), 1, msg="1 left to deliver")
        self.assertPreviewWasDone(previewed, cancellation)

    # ---- short close ------------------------------------------------------------------------
    def test_short_close_stops_buying_what_will_not_be_delivered_and_reopen_buys_again(self):
        """A forced close settles the order at what was delivered (nothing): its request for
        quotation is cancelled as previewed; the reopen plans the 4 again and they are bought
        again, once."""
        order = self.order_for(self.sales_manager, 4)
        purchase = self.purchases(order)
        self.assertEqual(purchase.state, "draft")
        reason = self.env.ref("order_termination.close_reason_short_close")
        plan = order._prepare_short_close_plan()
        previewed = {
            (item["action"], item["res_id"]): item["quantity"]
            for item in order._get_short_close_impact(plan)
            if item["action"] in PURCHASE_ACTIONS
        }
        self.assertEqual(previewed, {("cancel_purchase", purchase.id): 4.0})

        order.with_user(self.sales_manager).close(reason, "Not needed.", force=True)

        self.assertTrue(order.is_closed)
        self.assertEqual(purchase.state, "cancel", msg="nothing is bought for a closed order")
        effects = self.env["sale.termination.purchase.effect"].search([("order_id", "=", order.id)])
        self.assertEqual(effects.mapped("action"), ["cancel"])

        order.with_user(self.sales_manager).reopen("Needed after all.")

        bought = self.purchases(order).filtered(lambda p: p.state != "cancel")
        self.assertEqual(sum(bought.order_line.mapped("product_qty")), 4, msg="bought again")

    def test_close_of_a_line_reduces_its_confirmed_purchase(self):
        order, line = self.order_of_lines(self.sales_manager, 4)
        purchase = self.purchases(order)
        purchase.button_confirm()
        reason = self.env.ref("order_termination.close_reason_short_close")

        order.with_user(self.sales_manager).close_lines(line.ids, reason, note="Enough.")

        self.assertTrue(line.is_closed)
        self.assertEqual(purchase.state, "cancel", msg="it bought only for the closed line")
        self.assertEqual(self.receipt_qty(purchase), 0, msg="nothing to receive")

        order.with_user(self.sales_manager).reopen_lines(line.ids, "Needed after all.")

        bought = self.purchases(order).filtered(lambda p: p.state != "cancel")
        self.assertEqual(sum(bought.order_line.mapped("product_qty")), 4, msg="bought again")

    # ---- delivered dropshipped goods going back to the vendor ----------------------------------
    def dropshipped_seven_of_ten(self):
        """10 lamps dropshipped, the purchase confirmed, 7 shipped by the vendor to the
        customer (soak seed 23)."""
        order, line = self.order_of_lines(
            self.sales_manager, 10, product=self.dropship_product, route=self.dropship_route
        )
        purchase = self.purchases(order)
        purchase.user_id = self.buyer
        purchase.button_confirm()
        self.validate(purchase.picking_ids, qty=7)
        self.assertEqual((line.qty_delivered, purchase.order_line.qty_received), (7, 7))
        return order, line, purchase

    def test_returned_dropshipped_goods_are_taken_off_the_purchase(self):
        """Cancelling 6 of 10 with 7 delivered: 3 are not shipped yet, 3 go back from the
        customer to the vendor (a purchase return): the purchase keeps only the 4 the customer
        keeps, so that the vendor ships nothing more."""
        order, line, purchase = self.dropshipped_seven_of_ten()
        quantities = {line.id: 6}
        previewed = self.line_purchase_impact(
            order, self.sales_manager, quantities, receive_returns=True
        )
        self.assertEqual(previewed, {("reduce_purchase", purchase.id): 6.0})

        cancellation = order.with_user(self.sales_manager).cancel_lines(
            quantities, self.cancel_reason, receive_returns=True
        )

        pline = purchase.order_line
        self.assertEqual((pline.product_qty, pline.qty_received), (4, 4))
        self.assertFalse(self.open_vendor_shipments(purchase), msg="the vendor ships nothing more")
        self.assertEqual(line.qty_delivered, 4)
        self.assertEqual(
            [(e.action, e.previous_qty, e.new_qty) for e in cancellation.purchase_effect_ids],
            [("reduce", 10.0, 4.0)],
        )
        self.assertPreviewWasDone(previewed, cancellation)

    def test_returned_dropshipped_goods_waiting_notify_the_buyer(self):
        """The same without receiving the returns at once: the purchase cannot go below what
        is received yet, so the 3 not shipped are removed and the buyer is told about the
        rest."""
        order, line, purchase = self.dropshipped_seven_of_ten()
        previewed = self.line_purchase_impact(order, self.sales_manager, {line.id: 6})
        self.assertEqual(
            previewed,
            {("reduce_purchase", purchase.id): 3.0, ("notify_purchase", purchase.id): 0.0},
        )

        cancellation = order.with_user(self.sales_manager).cancel_lines(
            {line.id: 6}, self.cancel_reason
        )

        self.assertEqual(purchase.order_line.product_qty, 7)
        self.assertEqual(
            sorted(cancellation.purchase_effect_ids.mapped("action")), ["notify", "reduce"]
        )
        self.assertPreviewWasDone(previewed, cancellation)

    def test_returned_dropshipped_goods_billed_notify_the_buyer(self):
        """Billed goods stay on the purchase (the vendor's credit note is the buyer's call)."""
        order, line, purchase = self.dropshipped_seven_of_ten()
        purchase.action_create_invoice()
        bill = purchase.invoice_ids
        bill.invoice_date = bill.date
        bill.action_post()
        self.assertEqual(purchase.order_line.qty_invoiced, 7)

        cancellation = order.with_user(self.sales_manager).cancel_lines(
            {line.id: 6}, self.cancel_reason, receive_returns=True
        )

        self.assertEqual(purchase.order_line.product_qty, 7, msg="not below what is billed")
        self.assertEqual(
            sorted(cancellation.purchase_effect_ids.mapped("action")), ["notify", "reduce"]
        )

    def test_whole_cancel_takes_returned_dropshipped_goods_off_the_purchase(self):
        """The order cancelled with its returns received at once: the 3 not shipped and the 7
        going back to the vendor are all taken off the purchase, so the vendor ships nothing
        more; without receiving the returns at once, only the 3 and the buyer is told."""
        order, _line, purchase = self.dropshipped_seven_of_ten()
        previewed = self.purchase_impact(order, self.sales_manager, receive_returns=True)
        self.assertEqual(previewed, {("reduce_purchase", purchase.id): 10.0})
        waiting = self.purchase_impact(order, self.sales_manager)
        self.assertEqual(
            waiting,
            {("reduce_purchase", purchase.id): 3.0, ("notify_purchase", purchase.id): 0.0},
            msg="returns not received yet: what came stays for the buyer to decide",
        )

        cancellation = order.with_user(self.sales_manager).cancel_with_reversal(
            self.cancel_reason, receive_returns=True
        )

        pline = purchase.order_line
        self.assertEqual((pline.product_qty, pline.qty_received), (0, 0))
        self.assertFalse(self.open_vendor_shipments(purchase), msg="the vendor ships nothing more")
        self.assertPreviewWasDone(previewed, cancellation)
