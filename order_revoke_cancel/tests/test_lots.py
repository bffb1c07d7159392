from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged, users

from .common import OrderEndOfLifeCase


@tagged("post_install", "-at_install")
class TestLotsAndSerials(OrderEndOfLifeCase):
    """Returns carry the lots and serial numbers that were delivered; revoke delivers again
    through normal reservation."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lot_product = cls._tracked_product("Paint (lot)", "lot")
        cls.lot_a, cls.lot_b = cls._stock_lots(cls.lot_product, {"LOT-A": 6, "LOT-B": 4})
        cls.serial_product = cls._tracked_product("Laptop (serial)", "serial")
        cls.serials = cls._stock_lots(cls.serial_product, {"SN-1": 1, "SN-2": 1, "SN-3": 1})

    @classmethod
    def _tracked_product(cls, name, tracking):
        return cls.env["product.product"].create(
            {
                "name": name,
                "type": "consu",
                "is_storable": True,
                "tracking": tracking,
                "invoice_policy": "order",
                "list_price": 100.0,
                "taxes_id": [Command.clear()],
            }
        )

    @classmethod
    def _stock_lots(cls, product, quantities):
        lots = cls.env["stock.lot"]
        for name, qty in quantities.items():
            lot = cls.env["stock.lot"].create(
                {"name": name, "product_id": product.id, "company_id": cls.company.id}
            )
            cls.env["stock.quant"]._update_available_quantity(
                product, cls.stock_location, qty, lot_id=lot
            )
            lots |= lot
        return lots

    def lots_of(self, pickings):
        """{lot: quantity} of the pickings' move lines."""
        result = {}
        for line in pickings.move_line_ids:
            result[line.lot_id] = result.get(line.lot_id, 0) + line.quantity
        return result

    def delivered_order(self, product, qty, steps="ship_only"):
        """An order of `qty` units of `product`, delivered to the customer through `steps`."""
        self.warehouse.delivery_steps = steps
        order = self.confirmed_order([(product, qty)])
        while order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel")):
            self.deliver(order)
        return order

    # ---- cancel ------------------------------------------------------------------------------
    @users("orc_sales_manager")
    def test_return_carries_delivered_lots(self):
        order = self.delivered_order(self.lot_product, 8).with_user(self.env.user)
        delivered = self.lots_of(order.picking_ids)
        self.assertEqual(sum(delivered.values()), 8, msg="8 delivered, from lots")

        cancellation = order.cancel_with_reversal(self.reason, receive_returns=True)

        returns = cancellation.return_picking_ids
        self.assertEqual(returns.state, "done", msg="received without asking for lots")
        self.assertEqual(self.lots_of(returns), delivered, msg="the lots that were delivered")
        for lot, qty in ((self.lot_a, 6), (self.lot_b, 4)):
            self.assertEqual(
                self.stock_by_location(self.lot_product, lot),
                {"stock": qty, "packing": 0, "output": 0, "customers": 0},
                msg=f"{lot.name} back in stock",
            )
        self.assertEqual(order.order_line.qty_delivered, 0, msg="no longer delivered")

    @users("orc_sales_manager")
    def test_return_reserves_delivered_serials(self):
        order = self.delivered_order(self.serial_product, 2).with_user(self.env.user)
        delivered = self.lots_of(order.picking_ids)

        cancellation = order.cancel_with_reversal(self.reason)

        returns = cancellation.return_picking_ids
        self.assertEqual(returns.state, "assigned", msg="ready for the warehouse")
        self.assertEqual(self.lots_of(returns), delivered, msg="the serials that were delivered")
        self.receive(returns)
        self.assertEqual(
            self.stock_by_location(self.serial_product),
            {"stock": 3, "packing": 0, "output": 0, "customers": 0},
            msg="all serials back in stock",
        )

    @users("orc_sales_manager")
    def test_return_of_pick_carries_lots(self):
        self.warehouse.delivery_steps = "pick_ship"
        order = self.confirmed_order([(self.lot_product, 8)]).with_user(self.env.user)
        pick = self.validate(self.open_picking(order, self.warehouse.pick_type_id))

        cancellation = order.cancel_with_reversal(self.reason, receive_returns=True)

        self.assertEqual(
            self.lots_of(cancellation.return_picking_ids),
            self.lots_of(pick),
            msg="the picked lots go back",
        )
        self.assertEqual(
            self.stock_by_location(self.lot_product),
            {"stock": 10, "packing": 0, "output": 0, "customers": 0},
            msg="nothing left in Output",
        )

    @users("orc_sales_manager")
    def test_returns_of_pick_and_pack_carry_serials(self):
        self.warehouse.delivery_steps = "pick_pack_ship"
        order = self.confirmed_order([(self.serial_product, 3)]).with_user(self.env.user)
        self.validate(self.open_picking(order, self.warehouse.pick_type_id))
        self.validate(self.open_picking(order, self.warehouse.pack_type_id))

        cancellation = order.cancel_with_reversal(self.reason, receive_returns=True)

        for picking in cancellation.return_picking_ids:
            self.assertEqual(
                set(picking.move_line_ids.lot_id), set(self.serials), msg="each serial"
            )
        self.assertEqual(
            self.stock_by_location(self.serial_product),
            {"stock": 3, "packing": 0, "output": 0, "customers": 0},
            msg="nothing left in Output or Packing",
        )

    # ---- revoke ------------------------------------------------------------------------------
    @users("orc_sales_manager")
    def test_revoke_redelivers_lots_through_reservation(self):
        order = self.delivered_order(self.lot_product, 8).with_user(self.env.user)
        cancellation = order.cancel_with_reversal(self.reason, receive_returns=True)

        order.revoke_cancel()

        delivery = cancellation.revoke_picking_ids
        self.assertEqual(delivery.state, "assigned", msg="reserved")
        self.assertEqual(sum(self.lots_of(delivery).values()), 8, msg="8 reserved")
        self.assertTrue(all(delivery.move_line_ids.lot_id), msg="each line from a lot")
        self.deliver(order)
        self.assertEqual(order.order_line.qty_delivered, 8, msg="delivered again")
        self.assertEqual(
            self.stock_by_location(self.lot_product),
            {"stock": 2, "packing": 0, "output": 0, "customers": 8},
            msg="delivered once",
        )

    @users("orc_sales_manager")
    def test_revoke_ships_serials_waiting_in_output(self):
        self.warehouse.delivery_steps = "pick_ship"
        order = self.confirmed_order([(self.serial_product, 2)]).with_user(self.env.user)
        pick = self.validate(self.open_picking(order, self.warehouse.pick_type_id))
        order.cancel_with_reversal(self.reason)

        order.revoke_cancel()

        ship = self.open_picking(order, self.warehouse.out_type_id)
        self.assertEqual(
            self.lots_of(ship), self.lots_of(pick), msg="the picked serials are shipped"
        )
        self.validate(ship)
        self.assertEqual(
            self.stock_by_location(self.serial_product),
            {"stock": 1, "packing": 0, "output": 0, "customers": 2},
            msg="nothing stranded",
        )
        self.assertEqual(order.order_line.qty_delivered, 2, msg="delivered")

    # ---- salesman ----------------------------------------------------------------------------
    @users("plain_salesman")
    def test_salesman_receives_return_without_entering_serials(self):
        order = self.delivered_order(self.serial_product, 2)
        cancellation = order.with_user(self.sales_manager).cancel_with_reversal(self.reason)
        returns = cancellation.return_picking_ids.with_user(self.env.user)

        self.receive(returns)

        self.assertEqual(returns.state, "done", msg="received")
        self.assertEqual(order.order_line.qty_delivered, 0, msg="no longer delivered")
        self.assertEqual(
            self.stock_by_location(self.serial_product),
            {"stock": 3, "packing": 0, "output": 0, "customers": 0},
            msg="serials back in stock",
        )

    @users("plain_salesman")
    def test_salesman_preview_and_refusal_for_lots(self):
        order = self.delivered_order(self.lot_product, 8).with_user(self.env.user)

        impact = order.get_cancel_impact()

        self.assertIn(
            ("return_picking", 8),
            [(line["action"], line["quantity"]) for line in impact],
            msg="the preview lists the return",
        )
        with self.assertRaisesRegex(AccessError, order.name):
            order.cancel_with_reversal(self.reason)
        self.assertEqual(order.order_line.qty_delivered, 8, msg="untouched")
