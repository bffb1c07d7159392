from odoo import Command
from odoo.tests import tagged, users

from .common import OrderEndOfLifeCase


@tagged("post_install", "-at_install")
class TestSoakFindings(OrderEndOfLifeCase):
    """Histories the property-based soak (tests/test_invariants.py, bin/run-soak) found wrong,
    replayed step by step: multi-step warehouses, lot-tracked goods, edited credit notes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lot_product = cls.env["product.product"].create(
            {
                "name": "Paint (lot)",
                "type": "consu",
                "is_storable": True,
                "tracking": "lot",
                "invoice_policy": "delivery",
                "list_price": 30.0,
                "taxes_id": [Command.clear()],
            }
        )
        for name in ("SOAK-A", "SOAK-B"):
            lot = cls.env["stock.lot"].create(
                {"name": name, "product_id": cls.lot_product.id, "company_id": cls.company.id}
            )
            cls.env["stock.quant"]._update_available_quantity(
                cls.lot_product, cls.stock_location, 300, lot_id=lot
            )
        # The lots are shown (and entered) only with the lots group.
        cls.sales_manager.groups_id = [Command.link(cls.env.ref("stock.group_production_lot").id)]
        cls.salesman.groups_id = [Command.link(cls.env.ref("stock.group_production_lot").id)]

    def planned(self, line):
        """Delivered, plus what live moves bring to the customer (the pick of a two-step
        delivery included: its chain ends there)."""
        open_demand = sum(
            move.product_uom_qty
            for move in line.move_ids
            if move.state not in ("done", "cancel")
            and (move.location_final_id or move.location_dest_id).usage == "customer"
        )
        return line.qty_delivered + open_demand

    def assertStock(self, expected, product, msg):
        self.assertEqual(self.stock_by_location(product), expected, msg=msg)

    def ship_part(self, order, quantities):
        """Validate the order's open ship for `quantities` per product, keeping a backorder."""
        ship = self.open_picking(order, self.warehouse.out_type_id)
        for move in ship.move_ids:
            move.quantity = quantities[move.product_id]
            move.picked = True
        res = ship.button_validate()
        if isinstance(res, dict) and res.get("res_model") == "stock.backorder.confirmation":
            wizard = self.env["stock.backorder.confirmation"].with_context(**res["context"])
            wizard.create({}).process()

    # ---- revoke plans the chain again, lot-tracked lines included ------------------------------
    def cancelled_partly_shipped_order(self):
        """pick_ship: paint (lot) 2 and chairs 7 picked, 1 and 5 shipped, invoiced, then
        cancelled by a sales manager with every option."""
        self.warehouse.delivery_steps = "pick_ship"
        order = self.confirmed_order([(self.lot_product, 2), (self.storable, 7)])
        self.validate(self.open_picking(order, self.warehouse.pick_type_id))
        self.ship_part(order, {self.lot_product: 1, self.storable: 5})
        self.invoice(order)
        order.with_user(self.sales_manager).cancel_with_reversal(
            self.reason, receive_returns=True, refund_payments=True
        )
        return order

    @users("orc_sales_manager")
    def test_revoke_after_partial_ship_delivers_lot_line_again(self):
        """pick done, ship in part, invoiced, cancelled with every option, revoked: both
        lines go through pick and ship again, the lots reserved by the normal reservation."""
        order = self.cancelled_partly_shipped_order().with_user(self.env.user)
        self.assertStock(
            {"stock": 600, "packing": 0, "output": 0, "customers": 0},
            self.lot_product,
            msg="the lots are back in stock",
        )

        order.revoke_cancel(note="Customer changed his mind")

        lot_line, chair_line = order.order_line
        self.assertEqual(self.planned(lot_line), 2, msg="the lot-tracked line is planned again")
        self.assertEqual(self.planned(chair_line), 7, msg="the chairs are planned again")
        pick = self.open_picking(order, self.warehouse.pick_type_id)
        self.assertEqual(pick.state, "assigned", msg="reserved, lots included")
        self.assertEqual(len(pick.move_line_ids.filtered("lot_id")), 1, msg="a lot is reserved")
        self.validate(pick)
        self.validate(self.open_picking(order, self.warehouse.out_type_id))
        self.assertEqual(
            self.quantities(order),
            [(2, 1), (7, 7)],
            msg="delivered again; the paint is billed on delivery, 1 was billed before",
        )
        self.assertStock(
            {"stock": 598, "packing": 0, "output": 0, "customers": 2},
            self.lot_product,
            msg="delivered once",
        )

    @users("plain_salesman")
    def test_salesman_sees_the_revoke_deliver_lot_line_again(self):
        order = self.cancelled_partly_shipped_order().with_user(self.env.user)

        impact = order.get_revoke_impact()

        deliveries = [line for line in impact if line["action"] == "new_delivery"]
        self.assertEqual(
            [line["quantity"] for line in deliveries], [9], msg="2 paint and 7 chairs again"
        )
        self.assertEqual(order.state, "cancel", msg="a preview changes nothing")
