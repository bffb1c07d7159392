"""Cancellations of lines of dropshipped goods with Odoo's own Drop Shipping route: what was
cancelled is not bought again, the purchase effects of order_termination (`apply`) change the
purchase and its dropship transfer once, Odoo's own negative procurement does it with `notify`,
and a revoke buys again exactly once.

These tests drive order_termination's purchase effects: they run where it is installed next to
this addon (CI's test database has order_termination, stock_dropshipping and this glue)."""

from odoo import Command
from odoo.tests import tagged

from odoo.addons.order_termination.tests.common import TerminationCase


@tagged("post_install", "-at_install")
class TestDropshipLineCancel(TerminationCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.vendor = cls.env["res.partner"].create({"name": "Lamp Vendor"})
        cls.dropship_route = cls.env.ref("stock_dropshipping.route_drop_shipping")
        cls.dropship_route.company_id = False
        cls.lamp = cls.env["product.product"].create(
            {
                "name": "Dropshipped lamp",
                "type": "consu",
                "invoice_policy": "order",
                "taxes_id": [Command.clear()],
                "route_ids": [Command.set(cls.dropship_route.ids)],
                "seller_ids": [Command.create({"partner_id": cls.vendor.id, "price": 20.0})],
            }
        )
        cls.company.cancel_purchase_effect = "apply"
        cls.cancel_reason = cls.env.ref("order_revoke_cancel.cancel_reason_customer_request")

    # ---- helpers -------------------------------------------------------------------------------
    def lamp_order(self, qty, user=None):
        """A confirmed order of `qty` dropshipped lamps and 2 chairs from stock (so that
        cancelling lamps is a cancellation of lines); its lamp line."""
        order = self.env["sale.order"].create(
            {
                "partner_id": self.partner_a.id,
                "user_id": (user or self.salesman).id,
                "order_line": [
                    Command.create(
                        {"product_id": self.lamp.id, "product_uom_qty": qty, "price_unit": 50.0}
                    ),
                    Command.create(
                        {"product_id": self.storable.id, "product_uom_qty": 2, "price_unit": 10.0}
                    ),
                ],
            }
        )
        order.action_confirm()
        return order, order.order_line[0]

    def live_purchase_lines(self, line):
        return line.sudo().purchase_line_ids.filtered(lambda pl: pl.state != "cancel")

    def dropship_demand(self, purchase):
        moves = purchase.picking_ids.move_ids.filtered(lambda m: m.state not in ("done", "cancel"))
        return sum(moves.mapped("product_uom_qty"))

    def vendor_purchases(self):
        return self.env["purchase.order"].search(
            [("partner_id", "=", self.vendor.id), ("state", "!=", "cancel")]
        )

    def purchase_preview(self, order, quantities):
        previewed = {}
        for item in order.with_user(self.salesman).get_line_cancel_impact(quantities):
            if item["action"] in ("cancel_purchase", "reduce_purchase", "notify_purchase"):
                key = (item["action"], item["res_id"])
                previewed[key] = previewed.get(key, 0.0) + (item["quantity"] or 0.0)
        return previewed

    # ---- tests ---------------------------------------------------------------------------------
    def test_real_route_buys_for_the_sale_line(self):
        _order, line = self.lamp_order(4)
        purchase = self.live_purchase_lines(line).order_id
        self.assertEqual(purchase.order_line.sale_line_id, line, msg="a dropship purchase line")
        purchase.button_confirm()
        self.assertTrue(purchase.picking_ids.is_dropship, msg="the vendor ships to the customer")

    def test_apply_cancel_of_an_rfq_line_reduces_it_once(self):
        order, line = self.lamp_order(9)
        rfq = self.live_purchase_lines(line).order_id
        previewed = self.purchase_preview(order, {line.id: 6})
        self.assertEqual(previewed, {("reduce_purchase", rfq.id): 6.0})

        cancellation = order.with_user(self.salesman).cancel_lines({line.id: 6}, self.cancel_reason)

        self.assertEqual(self.live_purchase_lines(line).mapped("product_qty"), [3.0])
        self.assertEqual(self.vendor_purchases(), rfq, msg="nothing bought again")
        order.order_line._action_launch_stock_rule()
        self.assertEqual(self.live_purchase_lines(line).mapped("product_qty"), [3.0])
        self.assertEqual(
            [(e.action, e.previous_qty, e.new_qty) for e in cancellation.purchase_effect_ids],
            [("reduce", 9.0, 3.0)],
        )

        cancellation.with_user(self.sales_manager).revoke()

        self.assertEqual(self.vendor_purchases(), rfq, msg="the RFQ gets its quantity back")
        self.assertEqual(self.live_purchase_lines(line).mapped("product_qty"), [9.0])

    def test_apply_cancel_of_a_confirmed_purchase_reduces_it_and_its_dropship(self):
        order, line = self.lamp_order(9)
        purchase = self.live_purchase_lines(line).order_id
        purchase.button_confirm()

        cancellation = order.with_user(self.salesman).cancel_lines({line.id: 6}, self.cancel_reason)

        self.assertEqual(purchase.order_line.product_qty, 3)
        self.assertEqual(self.dropship_demand(purchase), 3, msg="the vendor ships 3")
        self.assertEqual(self.vendor_purchases(), purchase, msg="no new RFQ for the 6")
        order.order_line._action_launch_stock_rule()
        self.assertEqual(self.vendor_purchases(), purchase, msg="nor on a later procurement run")

        cancellation.with_user(self.sales_manager).revoke()

        new = self.vendor_purchases() - purchase
        self.assertEqual(purchase.order_line.product_qty, 3, msg="the confirmed one is as left")
        self.assertEqual(
            (new.state, new.order_line.product_qty, new.order_line.sale_line_id),
            ("draft", 6.0, line),
            msg="the revoked 6 are bought again, once",
        )
        order.order_line._action_launch_stock_rule()
        self.assertEqual(new.order_line.product_qty, 6, msg="and not once more")
        self.assertEqual(self.vendor_purchases(), purchase | new)

    def test_notify_cancel_of_an_rfq_is_lowered_by_odoo(self):
        self.company.cancel_purchase_effect = "notify"
        order, line = self.lamp_order(9)
        rfq = self.live_purchase_lines(line).order_id

        cancellation = order.with_user(self.salesman).cancel_lines({line.id: 6}, self.cancel_reason)

        self.assertFalse(cancellation.purchase_effect_ids)
        self.assertEqual(self.vendor_purchases(), rfq, msg="nothing bought again")
        self.assertEqual(
            rfq.order_line.product_qty, 3, msg="Odoo's negative procurement lowers the RFQ"
        )

        cancellation.with_user(self.sales_manager).revoke()

        self.assertEqual(self.vendor_purchases(), rfq)
        self.assertEqual(rfq.order_line.product_qty, 9, msg="bought again once, on the RFQ")

    def test_notify_cancel_of_a_confirmed_purchase_leaves_it(self):
        self.company.cancel_purchase_effect = "notify"
        order, line = self.lamp_order(9)
        purchase = self.live_purchase_lines(line).order_id
        purchase.button_confirm()

        cancellation = order.with_user(self.salesman).cancel_lines({line.id: 6}, self.cancel_reason)

        self.assertEqual(purchase.order_line.product_qty, 9, msg="as Odoo leaves it")
        self.assertEqual(self.dropship_demand(purchase), 9)
        self.assertEqual(self.vendor_purchases(), purchase, msg="no new RFQ for the 6")

        cancellation.with_user(self.sales_manager).revoke()

        self.assertEqual(self.vendor_purchases(), purchase, msg="nothing to buy again")
        self.assertEqual(purchase.order_line.product_qty, 9)

    def test_returned_dropshipped_goods_are_taken_off_the_purchase(self):
        """Soak seed 23 with the real route: 10 dropshipped, 7 shipped, 6 cancelled with the
        returns received: 3 not shipped and 3 sent back to the vendor come off the purchase;
        revoke buys the 6 again, once."""
        order, line = self.lamp_order(10)
        purchase = self.live_purchase_lines(line).order_id
        purchase.button_confirm()
        self.validate(purchase.picking_ids, qty=7)
        self.assertEqual((line.qty_delivered, purchase.order_line.qty_received), (7, 7))
        previewed = {}
        for item in order.with_user(self.sales_manager).get_line_cancel_impact(
            {line.id: 6}, receive_returns=True
        ):
            if item["action"] in ("cancel_purchase", "reduce_purchase", "notify_purchase"):
                previewed[(item["action"], item["res_id"])] = item["quantity"]
        self.assertEqual(previewed, {("reduce_purchase", purchase.id): 6.0})

        cancellation = order.with_user(self.sales_manager).cancel_lines(
            {line.id: 6}, self.cancel_reason, receive_returns=True
        )

        pline = purchase.order_line
        self.assertEqual((pline.product_qty, pline.qty_received, line.qty_delivered), (4, 4, 4))
        self.assertEqual(self.dropship_demand(purchase), 0, msg="the vendor ships nothing more")
        self.assertEqual(self.vendor_purchases(), purchase, msg="nothing bought again")
        self.assertEqual(
            [(e.action, e.previous_qty, e.new_qty) for e in cancellation.purchase_effect_ids],
            [("reduce", 10.0, 4.0)],
        )

        cancellation.with_user(self.sales_manager).revoke()

        new = self.vendor_purchases() - purchase
        self.assertEqual(
            (new.state, new.order_line.product_qty), ("draft", 6.0), msg="bought again once"
        )
