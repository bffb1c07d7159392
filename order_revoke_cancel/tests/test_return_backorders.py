from odoo.exceptions import AccessError
from odoo.tests import tagged, users

from .common import OrderEndOfLifeCase


@tagged("post_install", "-at_install")
class TestReturnBackorders(OrderEndOfLifeCase):
    """A return received in parts: revoke cancels every open part and delivers again exactly
    what came back."""

    def cancelled_with_return(self, qty=5):
        """An order delivered and cancelled by the sales manager, its return not received."""
        order = self.confirmed_order([(self.storable, qty)])
        self.deliver(order)
        cancellation = order.with_user(self.sales_manager).cancel_with_reversal(self.reason)
        return order, cancellation.with_env(self.env)

    def open_returns(self, cancellation):
        return cancellation._get_return_pickings().filtered(
            lambda p: p.state not in ("done", "cancel")
        )

    @users("orc_sales_manager")
    def test_revoke_cancels_backorder_of_return(self):
        order, cancellation = self.cancelled_with_return()
        order = order.with_user(self.env.user)
        self.validate(cancellation.return_picking_ids, qty=2)
        backorder = self.open_returns(cancellation)
        self.assertEqual(backorder.backorder_id, cancellation.return_picking_ids, msg="split")
        self.assertEqual(backorder.move_ids.product_uom_qty, 3, msg="3 still to come")

        order.revoke_cancel()

        self.assertEqual(backorder.state, "cancel", msg="the open part is cancelled")
        self.assertIn(backorder, cancellation.revoke_cancelled_return_ids, msg="and recorded")
        self.assertEqual(
            cancellation.revoke_picking_ids.move_ids.product_uom_qty, 2, msg="what came back"
        )
        self.assertEqual(order.order_line.qty_delivered, 3, msg="3 stayed with the customer")
        self.deliver(order)
        self.assertEqual(order.order_line.qty_delivered, 5, msg="delivered again")
        self.assertEqual(
            self.stock_by_location(),
            {"stock": 995, "packing": 0, "output": 0, "customers": 5},
            msg="delivered once",
        )

    @users("orc_sales_manager")
    def test_revoke_cancels_backorder_of_backorder(self):
        order, cancellation = self.cancelled_with_return()
        order = order.with_user(self.env.user)
        self.validate(cancellation.return_picking_ids, qty=1)
        self.validate(self.open_returns(cancellation), qty=1)
        last = self.open_returns(cancellation)
        self.assertEqual(last.move_ids.product_uom_qty, 3, msg="3 still to come")

        impact = order.get_revoke_impact()

        self.assertIn(
            ("cancel_return", last.id, 3),
            [(line["action"], line["res_id"], line["quantity"]) for line in impact],
            msg="the preview shows the open part",
        )
        self.assertIn(
            ("new_delivery", order.id, 2),
            [(line["action"], line["res_id"], line["quantity"]) for line in impact],
            msg="and what is delivered again",
        )
        order.revoke_cancel()
        self.assertEqual(last.state, "cancel", msg="the last part is cancelled")
        self.assertFalse(self.open_returns(cancellation), msg="nothing of the return is open")
        self.assertEqual(
            cancellation.revoke_picking_ids.move_ids.product_uom_qty, 2, msg="re-deliver 2"
        )

    @users("orc_sales_manager")
    def test_revoke_multi_step_with_partly_received_return_of_pick(self):
        self.warehouse.delivery_steps = "pick_ship"
        order = self.confirmed_order([(self.storable, 10)]).with_user(self.env.user)
        self.validate(self.open_picking(order, self.warehouse.pick_type_id))
        cancellation = order.cancel_with_reversal(self.reason)
        self.validate(cancellation.return_picking_ids, qty=4)
        self.assertEqual(
            self.stock_by_location(),
            {"stock": 994, "packing": 0, "output": 6, "customers": 0},
            msg="4 back in stock, 6 still in Output",
        )

        order.revoke_cancel()

        self.assertFalse(self.open_returns(cancellation), msg="the open part is cancelled")
        pick = self.open_picking(order, self.warehouse.pick_type_id)
        self.assertEqual(pick.move_ids.product_uom_qty, 4, msg="pick again what came back")
        self.validate(pick)
        ship = self.open_picking(order, self.warehouse.out_type_id)
        self.assertEqual(sum(ship.move_ids.mapped("product_uom_qty")), 10, msg="ship all 10")
        self.validate(ship)
        self.assertEqual(
            self.stock_by_location(),
            {"stock": 990, "packing": 0, "output": 0, "customers": 10},
            msg="nothing stranded, nothing picked twice",
        )
        self.assertEqual(order.order_line.qty_delivered, 10, msg="delivered")

    @users("plain_salesman")
    def test_salesman_receives_part_and_sees_what_revoke_will_do(self):
        order, cancellation = self.cancelled_with_return()
        order = order.with_user(self.env.user)
        returns = cancellation.return_picking_ids.with_user(self.env.user)
        self.validate(returns, qty=2)

        actions = [(line["action"], line["quantity"]) for line in order.get_revoke_impact()]

        self.assertIn(("cancel_return", 3), actions, msg="the open part will be cancelled")
        self.assertIn(("new_delivery", 2), actions, msg="2 will be delivered again")
        with self.assertRaisesRegex(AccessError, order.name):
            order.revoke_cancel()
        self.assertEqual(order.state, "cancel", msg="still cancelled")
        self.assertEqual(order.order_line.qty_delivered, 3, msg="2 came back")
