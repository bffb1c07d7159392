from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import TerminationCase


@tagged("post_install", "-at_install")
class TestShortCloseMultiStep(TerminationCase):
    """A short close of a two- or three-step delivery (found by the soak): what was picked or
    packed and not shipped goes back to stock, through the same returns of the done steps as a
    cancellation makes; reopen plans the whole chain again from stock."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.close_reason = cls.env.ref("order_termination.close_reason_short_close")

    def picked_order(self, steps="pick_ship", qty=10, picked=10, shipped=0, pack=False):
        """`qty` chairs invoiced on order, `picked` of them picked (and packed), `shipped`
        of those shipped."""
        self.warehouse.delivery_steps = steps
        order = self.confirmed_order(qty=qty)
        self.invoice(order)
        self.validate(self.open_picking(order, self.warehouse.pick_type_id), qty=picked)
        if pack:
            self.validate(self.open_picking(order, self.warehouse.pack_type_id))
        if shipped:
            self.validate(self.open_picking(order, self.warehouse.out_type_id), qty=shipped)
        return order

    def short_close(self, order, user=None):
        order.with_user(user or self.manager).close(
            reason=self.close_reason, note="Customer takes no more.", force=True
        )

    def assertStock(self, expected, msg):
        self.assertEqual(self.stock_by_location(), expected, msg=msg)

    def open_moves(self, order):
        return order.order_line.move_ids.filtered(lambda m: m.state not in ("done", "cancel"))

    # ---- close ----------------------------------------------------------------------------------
    def test_short_close_returns_picked_goods_to_stock(self):
        order = self.picked_order(picked=10, shipped=4)
        self.assertStock(
            {"stock": 990, "packing": 0, "output": 6, "customers": 4}, msg="6 wait in Output"
        )

        self.short_close(order)

        self.assertTrue(order.is_closed, msg="closed")
        returns = order.close_return_picking_ids
        self.assertEqual(returns.state, "done", msg="the return of the pick is received")
        self.assertEqual(returns.return_id.picking_type_id, self.warehouse.pick_type_id, msg="pick")
        self.assertEqual(returns.move_ids.quantity, 6, msg="the 6 not shipped")
        self.assertStock(
            {"stock": 996, "packing": 0, "output": 0, "customers": 4},
            msg="nothing stranded in Output",
        )
        self.assertFalse(self.open_moves(order), msg="no open transfer left")
        self.assertEqual(order.order_line.qty_delivered, 4, msg="4 delivered")
        self.assertEqual(order.order_line.qty_invoiced, 4, msg="settled at what was delivered")
        self.assertAlmostEqual(self.receivable(), 400.0, msg="the customer owes the 4")

    def test_short_close_returns_packed_and_picked_goods(self):
        order = self.picked_order("pick_pack_ship", picked=10, pack=True, shipped=0)

        self.short_close(order)

        self.assertStock(
            {"stock": 1000, "packing": 0, "output": 0, "customers": 0},
            msg="nothing left in Output or Packing",
        )
        self.assertEqual(
            set(order.close_return_picking_ids.mapped("state")), {"done"}, msg="received"
        )
        self.assertEqual(order.order_line.qty_invoiced, 0, msg="nothing delivered, all credited")

    def test_short_close_of_a_partly_picked_order(self):
        order = self.picked_order("pick_pack_ship", picked=3)
        self.validate(self.open_picking(order, self.warehouse.pack_type_id), qty=2)

        self.short_close(order)

        self.assertStock(
            {"stock": 1000, "packing": 0, "output": 0, "customers": 0}, msg="all back in stock"
        )
        self.assertFalse(self.open_moves(order), msg="no open transfer left")

    def test_short_close_is_refused_to_a_salesman_and_moves_nothing(self):
        order = self.picked_order(picked=10, shipped=4)

        with self.assertRaises(AccessError):
            self.short_close(order, user=self.requester)

        self.assertFalse(order.is_closed, msg="the order stays open")
        self.assertFalse(order.close_return_picking_ids, msg="no return")
        self.assertStock(
            {"stock": 990, "packing": 0, "output": 6, "customers": 4}, msg="nothing moved"
        )

    # ---- reopen ---------------------------------------------------------------------------------
    def test_reopen_plans_the_chain_again_from_stock(self):
        order = self.picked_order(picked=10, shipped=4)
        self.short_close(order)

        order.with_user(self.manager).reopen("The customer wants the rest after all.")

        pick = self.open_picking(order, self.warehouse.pick_type_id)
        self.assertEqual(pick.move_ids.product_uom_qty, 6, msg="the 6 are picked again")
        self.assertEqual(order.order_line.qty_invoiced, 10, msg="invoiced as before the close")
        self.validate(pick)
        self.validate(self.open_picking(order, self.warehouse.out_type_id))
        self.assertEqual(order.order_line.qty_delivered, 10, msg="all delivered in the end")
        self.assertStock(
            {"stock": 990, "packing": 0, "output": 0, "customers": 10}, msg="delivered once"
        )
        self.assertEqual(order.close_return_picking_ids.state, "done", msg="the record stays")

    def test_close_reopen_cancel_revoke_plans_once(self):
        """The returns of the close keep counting after the reopen: a revoke of a later
        cancellation plans the missing goods once, not short of them."""
        order = self.picked_order(picked=10, shipped=4)
        self.short_close(order)
        order.with_user(self.manager).reopen("Delivering the rest.")
        as_manager = order.with_user(self.manager)
        cancel_reason = self.env.ref("order_revoke_cancel.cancel_reason_customer_request")
        as_manager.cancel_with_reversal(cancel_reason, receive_returns=True)

        as_manager.revoke_cancel(note="Back on")

        planned = sum(
            m.product_uom_qty
            for m in self.open_moves(order)
            if (m.location_final_id or m.location_dest_id).usage == "customer"
        )
        self.assertEqual(order.order_line.qty_delivered + planned, 10, msg="planned once")
