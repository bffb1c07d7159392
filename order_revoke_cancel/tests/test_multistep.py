from odoo.exceptions import AccessError
from odoo.tests import tagged, users

from .common import OrderEndOfLifeCase


@tagged("post_install", "-at_install")
class TestMultiStepDelivery(OrderEndOfLifeCase):
    """Two- and three-step deliveries: what was picked or packed goes back to stock, what was
    shipped comes back from the customer, and revoke plans the chain again from where the
    goods are."""

    def picked_order(self, steps, qty=10, pack=False):
        """An order of `qty` chairs from a warehouse in `steps`, picked (and packed)."""
        self.warehouse.delivery_steps = steps
        order = self.confirmed_order([(self.storable, qty)])
        self.validate(self.open_picking(order, self.warehouse.pick_type_id))
        if pack:
            self.validate(self.open_picking(order, self.warehouse.pack_type_id))
        return order

    def assertStock(self, expected, msg):
        self.assertEqual(self.stock_by_location(), expected, msg=msg)

    # ---- cancel ------------------------------------------------------------------------------
    @users("orc_sales_manager")
    def test_cancel_picked_order_returns_output_to_stock(self):
        order = self.picked_order("pick_ship").with_user(self.env.user)
        ship = self.open_picking(order, self.warehouse.out_type_id)
        self.assertStock(
            {"stock": 990, "packing": 0, "output": 10, "customers": 0}, msg="picked, not shipped"
        )

        cancellation = order.cancel_with_reversal(self.reason)

        returns = cancellation.return_picking_ids
        self.assertEqual(ship.state, "cancel", msg="the ship step is cancelled")
        self.assertEqual(len(returns), 1, msg="one return, of the pick")
        self.assertEqual(returns.location_id, self.warehouse.wh_output_stock_loc_id, msg="from")
        self.assertEqual(returns.location_dest_id, self.warehouse.lot_stock_id, msg="to stock")
        self.assertEqual(returns.state, "assigned", msg="ready for the warehouse")
        self.assertEqual(returns.move_ids.product_uom_qty, 10, msg="all that was picked")
        self.assertEqual(order.order_line.qty_delivered, 0, msg="nothing was delivered")
        self.receive(returns)
        self.assertStock(
            {"stock": 1000, "packing": 0, "output": 0, "customers": 0}, msg="back in stock"
        )

    @users("orc_sales_manager")
    def test_cancel_picked_order_with_receive_returns_leaves_nothing_in_output(self):
        order = self.picked_order("pick_ship").with_user(self.env.user)

        cancellation = order.cancel_with_reversal(self.reason, receive_returns=True)

        self.assertEqual(cancellation.return_picking_ids.state, "done", msg="received")
        self.assertStock(
            {"stock": 1000, "packing": 0, "output": 0, "customers": 0}, msg="nothing stranded"
        )
        self.assertEqual(order.order_line.qty_delivered, 0, msg="nothing was delivered")

    @users("orc_sales_manager")
    def test_cancel_packed_order_returns_pack_then_pick(self):
        order = self.picked_order("pick_pack_ship", pack=True).with_user(self.env.user)
        self.assertStock(
            {"stock": 990, "packing": 0, "output": 10, "customers": 0}, msg="packed, not shipped"
        )

        cancellation = order.cancel_with_reversal(self.reason, receive_returns=True)

        returns = cancellation.return_picking_ids.sorted("id")
        self.assertEqual(
            returns.mapped("return_id.picking_type_id"),
            self.warehouse.pack_type_id | self.warehouse.pick_type_id,
            msg="the pack is returned first, then the pick",
        )
        self.assertEqual(set(returns.mapped("state")), {"done"}, msg="both received")
        self.assertStock(
            {"stock": 1000, "packing": 0, "output": 0, "customers": 0},
            msg="nothing left in Output or Packing",
        )

    @users("orc_sales_manager")
    def test_cancel_packed_order_returns_wait_for_each_other(self):
        order = self.picked_order("pick_pack_ship", pack=True).with_user(self.env.user)

        cancellation = order.cancel_with_reversal(self.reason)

        pack_return, pick_return = cancellation.return_picking_ids.sorted("id")
        self.assertEqual(pack_return.state, "assigned", msg="the pack return can go")
        self.assertEqual(pick_return.state, "waiting", msg="the pick return waits for it")
        self.receive(pack_return)
        self.assertEqual(pick_return.state, "assigned", msg="then the pick return can go")
        self.receive(pick_return)
        self.assertStock(
            {"stock": 1000, "packing": 0, "output": 0, "customers": 0}, msg="back in stock"
        )

    @users("orc_sales_manager")
    def test_cancel_picked_order_in_three_steps_returns_packing_to_stock(self):
        order = self.picked_order("pick_pack_ship").with_user(self.env.user)
        pack = self.open_picking(order, self.warehouse.pack_type_id)

        cancellation = order.cancel_with_reversal(self.reason, receive_returns=True)

        self.assertEqual(pack.state, "cancel", msg="the pack step is cancelled")
        self.assertEqual(
            cancellation.return_picking_ids.location_id,
            self.warehouse.wh_pack_stock_loc_id,
            msg="the pick is returned from Packing",
        )
        self.assertStock(
            {"stock": 1000, "packing": 0, "output": 0, "customers": 0}, msg="back in stock"
        )

    @users("orc_sales_manager")
    def test_cancel_shipped_order_returns_from_customer_only(self):
        order = self.picked_order("pick_ship").with_user(self.env.user)
        self.validate(self.open_picking(order, self.warehouse.out_type_id))
        self.assertEqual(order.order_line.qty_delivered, 10, msg="shipped")

        cancellation = order.cancel_with_reversal(self.reason, receive_returns=True)

        self.assertEqual(
            cancellation.return_picking_ids.return_id.picking_type_id,
            self.warehouse.out_type_id,
            msg="only the customer delivery is returned",
        )
        self.assertStock(
            {"stock": 1000, "packing": 0, "output": 0, "customers": 0}, msg="back in stock"
        )
        self.assertEqual(order.order_line.qty_delivered, 0, msg="no longer delivered")

    @users("orc_sales_manager")
    def test_cancel_partly_shipped_order_returns_both_parts(self):
        order = self.picked_order("pick_pack_ship", pack=True).with_user(self.env.user)
        self.validate(self.open_picking(order, self.warehouse.out_type_id), qty=6)
        self.assertStock(
            {"stock": 990, "packing": 0, "output": 4, "customers": 6}, msg="6 shipped, 4 wait"
        )

        cancellation = order.cancel_with_reversal(self.reason, receive_returns=True)

        returned = {
            picking.return_id.picking_type_id: picking.move_ids.quantity
            for picking in cancellation.return_picking_ids
        }
        self.assertEqual(
            returned,
            {
                self.warehouse.out_type_id: 6,
                self.warehouse.pack_type_id: 4,
                self.warehouse.pick_type_id: 4,
            },
            msg="6 from the customer, 4 through Packing back to stock",
        )
        self.assertStock(
            {"stock": 1000, "packing": 0, "output": 0, "customers": 0}, msg="all back in stock"
        )
        self.assertEqual(order.order_line.qty_delivered, 0, msg="no longer delivered")

    @users("plain_salesman")
    def test_salesman_preview_lists_return_of_pick(self):
        order = self.picked_order("pick_ship").with_user(self.env.user)
        pick = order.picking_ids.filtered(lambda p: p.state == "done")

        impact = order.get_cancel_impact()

        returns = [line for line in impact if line["action"] == "return_picking"]
        self.assertEqual(
            [(line["res_id"], line["quantity"]) for line in returns],
            [(pick.id, 10)],
            msg="the preview lists the return of the pick",
        )
        self.assertEqual(order.state, "sale", msg="a preview changes nothing")

    @users("plain_salesman")
    def test_salesman_may_not_return_picked_goods(self):
        order = self.picked_order("pick_ship").with_user(self.env.user)

        with self.assertRaisesRegex(AccessError, order.name):
            order.cancel_with_reversal(self.reason)
        self.assertEqual(order.state, "sale", msg="not cancelled")
        self.assertStock(
            {"stock": 990, "packing": 0, "output": 10, "customers": 0}, msg="nothing moved"
        )

    @users("plain_salesman")
    def test_salesman_cancels_order_not_picked_yet(self):
        self.warehouse.delivery_steps = "pick_pack_ship"
        order = self.confirmed_order([(self.storable, 10)]).with_user(self.env.user)

        cancellation = order.cancel_with_reversal(self.reason)

        self.assertEqual(order.state, "cancel", msg="cancelled")
        self.assertFalse(cancellation.return_picking_ids, msg="nothing to return")
        self.assertEqual(
            set(order.picking_ids.mapped("state")), {"cancel"}, msg="the pick is cancelled"
        )
        self.assertStock(
            {"stock": 1000, "packing": 0, "output": 0, "customers": 0}, msg="nothing moved"
        )

    # ---- revoke ------------------------------------------------------------------------------
    @users("orc_sales_manager")
    def test_revoke_after_received_return_picks_again(self):
        order = self.picked_order("pick_ship").with_user(self.env.user)
        cancellation = order.cancel_with_reversal(self.reason, receive_returns=True)
        self.assertEqual(
            cancellation._get_qty_to_redeliver(), {order.order_line: 10}, msg="preview"
        )

        order.revoke_cancel()

        new_pick = self.open_picking(order, self.warehouse.pick_type_id)
        self.assertEqual(new_pick.move_ids.product_uom_qty, 10, msg="picked again from stock")
        self.assertEqual(new_pick.state, "assigned", msg="reserved")
        self.assertEqual(cancellation.revoke_picking_ids, new_pick, msg="recorded")
        self.validate(new_pick)
        self.validate(self.open_picking(order, self.warehouse.out_type_id))
        self.assertStock(
            {"stock": 990, "packing": 0, "output": 0, "customers": 10}, msg="delivered once"
        )
        self.assertEqual(order.order_line.qty_delivered, 10, msg="delivered")

    @users("orc_sales_manager")
    def test_revoke_before_return_is_received_ships_from_output(self):
        order = self.picked_order("pick_ship").with_user(self.env.user)
        cancellation = order.cancel_with_reversal(self.reason)
        impact = [
            (line["action"], line["res_id"], line["quantity"])
            for line in order.get_revoke_impact()
            if line["action"] in ("cancel_return", "new_delivery")
        ]
        self.assertEqual(
            impact,
            [
                ("cancel_return", cancellation.return_picking_ids.id, 10),
                ("new_delivery", order.id, 10),
            ],
            msg="the preview calls off the return of the pick and ships the 10 again",
        )

        order.revoke_cancel()

        self.assertEqual(
            cancellation.return_picking_ids.state, "cancel", msg="the return is called off"
        )
        self.assertFalse(
            self.open_picking(order, self.warehouse.pick_type_id), msg="no second pick"
        )
        ship = self.open_picking(order, self.warehouse.out_type_id)
        self.assertEqual(ship.move_ids.product_uom_qty, 10, msg="ships what waits in Output")
        self.assertEqual(ship.state, "assigned", msg="reserved in Output")
        self.validate(ship)
        self.assertStock(
            {"stock": 990, "packing": 0, "output": 0, "customers": 10}, msg="nothing stranded"
        )
        self.assertEqual(order.order_line.qty_delivered, 10, msg="delivered")

    @users("orc_sales_manager")
    def test_revoke_between_pack_return_and_pick_return_packs_again(self):
        order = self.picked_order("pick_pack_ship", pack=True).with_user(self.env.user)
        cancellation = order.cancel_with_reversal(self.reason)
        pack_return, pick_return = cancellation.return_picking_ids.sorted("id")
        self.receive(pack_return)

        order.revoke_cancel()

        self.assertEqual(pick_return.state, "cancel", msg="the pick return is called off")
        self.assertFalse(self.open_picking(order, self.warehouse.pick_type_id), msg="no pick")
        pack = self.open_picking(order, self.warehouse.pack_type_id)
        self.assertEqual(pack.move_ids.product_uom_qty, 10, msg="packs what waits in Packing")
        self.validate(pack)
        self.validate(self.open_picking(order, self.warehouse.out_type_id))
        self.assertStock(
            {"stock": 990, "packing": 0, "output": 0, "customers": 10}, msg="nothing stranded"
        )
        self.assertEqual(order.order_line.qty_delivered, 10, msg="delivered")

    @users("orc_sales_manager")
    def test_revoke_partly_shipped_order(self):
        order = self.picked_order("pick_pack_ship", pack=True).with_user(self.env.user)
        self.validate(self.open_picking(order, self.warehouse.out_type_id), qty=6)
        cancellation = order.cancel_with_reversal(self.reason, receive_returns=True)

        order.revoke_cancel()

        self.assertEqual(
            sum(cancellation.revoke_picking_ids.move_ids.mapped("product_uom_qty")),
            10,
            msg="all 10 are delivered again, from stock",
        )
        self.validate(self.open_picking(order, self.warehouse.pick_type_id))
        self.validate(self.open_picking(order, self.warehouse.pack_type_id))
        self.validate(self.open_picking(order, self.warehouse.out_type_id))
        self.assertStock(
            {"stock": 990, "packing": 0, "output": 0, "customers": 10}, msg="delivered once"
        )
        self.assertEqual(order.order_line.qty_delivered, 10, msg="delivered")
        self.assertFalse(
            order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel")),
            msg="nothing left to do",
        )

    @users("orc_sales_manager")
    def test_cancel_revoke_cycles_in_two_steps(self):
        order = self.picked_order("pick_ship").with_user(self.env.user)
        for cycle in range(3):
            order.cancel_with_reversal(self.reason, receive_returns=bool(cycle % 2))
            order.revoke_cancel()
            pick = self.open_picking(order, self.warehouse.pick_type_id)
            if pick:
                self.validate(pick)
            self.assertStock(
                {"stock": 990, "packing": 0, "output": 10, "customers": 0},
                msg=f"cycle {cycle}: picked once",
            )
        self.validate(self.open_picking(order, self.warehouse.out_type_id))
        self.assertStock(
            {"stock": 990, "packing": 0, "output": 0, "customers": 10}, msg="delivered once"
        )
        self.assertEqual(order.order_line.qty_delivered, 10, msg="delivered")

    @users("orc_sales_manager")
    def test_return_of_pick_by_hand_keeps_native_procurement(self):
        order = self.picked_order("pick_ship").with_user(self.env.user)
        pick = order.picking_ids.filtered(lambda p: p.state == "done")
        wizard = self.env["stock.return.picking"].create({"picking_id": pick.id})
        wizard.product_return_moves.quantity = 10
        self.receive(wizard._create_return())

        order.order_line.product_uom_qty = 12

        new_pick = self.open_picking(order, self.warehouse.pick_type_id)
        self.assertEqual(
            new_pick.move_ids.product_uom_qty,
            2,
            msg="only a cancellation's returns are picked again; the ship still waits",
        )

    @users("orc_sales_manager")
    def test_order_sold_by_the_dozen_returns_every_unit(self):
        self.warehouse.delivery_steps = "pick_ship"
        order = self.create_order([(self.storable, 1)]).with_user(self.env.user)
        order.order_line.product_uom = self.env.ref("uom.product_uom_dozen")
        order.action_confirm()
        self.validate(self.open_picking(order, self.warehouse.pick_type_id))
        ship = self.open_picking(order, self.warehouse.out_type_id)
        self.validate(ship, qty=ship.move_ids.product_uom_qty / 2)  # half a dozen

        cancellation = order.cancel_with_reversal(self.reason, receive_returns=True)

        self.assertEqual(
            sorted(cancellation.return_picking_ids.move_ids.mapped("product_uom_qty")),
            [6, 6],
            msg="6 units from the customer, 6 from Output, in units",
        )
        self.assertStock({"stock": 1000, "packing": 0, "output": 0, "customers": 0}, msg="all back")
        self.assertEqual(order.order_line.qty_delivered, 0, msg="no dozen delivered")
