from odoo import Command
from odoo.tests import tagged, users

from .common import OrderEndOfLifeCase


@tagged("post_install", "-at_install")
class TestReturnsCustomerHolds(OrderEndOfLifeCase):
    """Goods that came back through Odoo's own Return without "update quantities on SO"
    (sent in for a repair) are in stock, not at the customer: a cancellation takes back only
    what the customer still holds, the cancelled order reads that as delivered, and revoke
    brings back Odoo's count."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.serial_product = cls.env["product.product"].create(
            {
                "name": "Laptop (serial)",
                "type": "consu",
                "is_storable": True,
                "tracking": "serial",
                "invoice_policy": "order",
                "list_price": 100.0,
                "taxes_id": [Command.clear()],
            }
        )
        cls.serials = cls.env["stock.lot"]
        for name in ("SN-1", "SN-2", "SN-3"):
            lot = cls.env["stock.lot"].create(
                {"name": name, "product_id": cls.serial_product.id, "company_id": cls.company.id}
            )
            cls.env["stock.quant"]._update_available_quantity(
                cls.serial_product, cls.stock_location, 1, lot_id=lot
            )
            cls.serials |= lot

    def return_for_repair(self, picking, qty, lots=None):
        """Odoo's Return of `qty` units of `picking`, "update quantities on SO" unticked,
        received (the serial numbers `lots` for tracked goods)."""
        wizard = self.env["stock.return.picking"].create({"picking_id": picking.id})
        wizard.product_return_moves.write({"quantity": qty, "to_refund": False})
        repair = wizard._create_return()
        if lots:
            repair.move_ids.move_line_ids.unlink()
            for lot in lots:
                self.env["stock.move.line"].create(
                    {
                        "move_id": repair.move_ids.id,
                        "picking_id": repair.id,
                        "product_id": repair.move_ids.product_id.id,
                        "lot_id": lot.id,
                        "quantity": 1,
                        "location_id": repair.location_id.id,
                        "location_dest_id": repair.location_dest_id.id,
                    }
                )
            repair.move_ids.picked = True
            repair.with_context(skip_backorder=True).button_validate()
        else:
            self.receive(repair)
        self.assertEqual(repair.state, "done", msg="the repair return is received")
        return repair

    def repaired_order(self, qty=10, back=2):
        """`qty` chairs delivered and invoiced, `back` of them returned for a repair."""
        order = self.confirmed_order([(self.storable, qty)])
        delivery = self.deliver(order)
        self.invoice(order)
        self.return_for_repair(delivery, back)
        self.assertEqual(order.order_line.qty_delivered, qty, msg="Odoo still counts them")
        return order

    @users("orc_sales_manager")
    def test_cancel_receives_only_what_the_customer_holds(self):
        order = self.repaired_order().with_user(self.env.user)
        self.assertEqual(
            self.stock_by_location(),
            {"stock": 992, "packing": 0, "output": 0, "customers": 8},
            msg="8 at the customer, 2 in our stock for the repair",
        )
        impact = order.get_cancel_impact(receive_returns=True)
        returns_preview = [i for i in impact if i["action"] == "return_picking"]
        self.assertEqual(returns_preview[0]["quantity"], 8, msg="the preview returns 8")

        cancellation = order.cancel_with_reversal(self.reason, receive_returns=True)

        returns = cancellation.return_picking_ids
        self.assertEqual(returns.move_ids.quantity, 8, msg="8 received, not 10")
        self.assertTrue(returns.move_ids.to_refund, msg="updates the order")
        self.assertEqual(
            self.stock_by_location(),
            {"stock": 1000, "packing": 0, "output": 0, "customers": 0},
            msg="no unit appears from nowhere",
        )
        line = order.order_line
        self.assertEqual(line.qty_delivered, 0, msg="the customer holds nothing")
        self.assertEqual(line.qty_invoiced, 0, msg="everything credited")
        self.assertEqual(cancellation.credit_note_ids.amount_total, 1000, msg="all 10 credited")
        self.assertEqual(line.invoice_status, "no", msg="nothing to invoice or credit")

    @users("orc_sales_manager")
    def test_cancel_without_receiving_counts_what_the_customer_holds(self):
        order = self.repaired_order().with_user(self.env.user)

        cancellation = order.cancel_with_reversal(self.reason)

        self.assertEqual(cancellation.return_picking_ids.move_ids.product_uom_qty, 8, msg="8")
        self.assertEqual(order.order_line.qty_delivered, 8, msg="still at the customer")
        self.receive(cancellation.return_picking_ids)
        self.assertEqual(order.order_line.qty_delivered, 0, msg="all back")
        self.assertEqual(self.on_hand(self.env.ref("stock.stock_location_customers")), 0)

    @users("orc_sales_manager")
    def test_revoke_restores_odoo_count_and_delivers_what_came_back(self):
        order = self.repaired_order().with_user(self.env.user)
        order.cancel_with_reversal(self.reason, receive_returns=True)
        redeliver = [i for i in order.get_revoke_impact() if i["action"] == "new_delivery"]
        self.assertEqual(redeliver[0]["quantity"], 8, msg="the preview delivers 8 again")

        cancellation = order.revoke_cancel()

        line = order.order_line
        self.assertEqual(cancellation.revoke_picking_ids.move_ids.product_uom_qty, 8, msg="8")
        self.assertEqual(line.qty_delivered, 2, msg="Odoo's count: the repair units")
        self.assertEqual(line.qty_invoiced, 10, msg="billed again")
        self.validate(cancellation.revoke_picking_ids)
        self.assertEqual(line.qty_delivered, 10, msg="as before the cancellation")
        self.assertEqual(
            self.stock_by_location(),
            {"stock": 992, "packing": 0, "output": 0, "customers": 8},
            msg="as before: 8 at the customer, 2 in repair",
        )
        self.assertEqual(line.invoice_status, "invoiced", msg="nothing to invoice or credit")

    @users("orc_sales_manager")
    def test_repaired_units_sent_back_are_returned_too(self):
        order = self.confirmed_order([(self.storable, 10)]).with_user(self.env.user)
        delivery = self.deliver(order)
        repair = self.return_for_repair(delivery, 2)
        # The repaired units go back to the customer: Odoo's Return of the return.
        wizard = self.env["stock.return.picking"].create({"picking_id": repair.id})
        wizard.product_return_moves.write({"quantity": 2, "to_refund": False})
        self.receive(wizard._create_return())
        self.assertEqual(self.on_hand(self.env.ref("stock.stock_location_customers")), 10)

        order.cancel_with_reversal(self.reason, receive_returns=True)

        self.assertEqual(
            self.stock_by_location(),
            {"stock": 1000, "packing": 0, "output": 0, "customers": 0},
            msg="all 10 back",
        )
        self.assertEqual(order.order_line.qty_delivered, 0, msg="nothing held")

    @users("orc_sales_manager")
    def test_serials_in_repair_are_not_returned(self):
        order = self.confirmed_order([(self.serial_product, 3)]).with_user(self.env.user)
        delivery = self.deliver(order)
        sn_3 = self.serials[2]
        self.return_for_repair(delivery, 1, lots=sn_3)

        cancellation = order.cancel_with_reversal(self.reason, receive_returns=True)

        returns = cancellation.return_picking_ids
        self.assertEqual(returns.state, "done", msg="received at once, no backorder")
        self.assertEqual(set(returns.move_line_ids.lot_id), set(self.serials[:2]), msg="held")
        self.assertEqual(
            self.stock_by_location(self.serial_product),
            {"stock": 3, "packing": 0, "output": 0, "customers": 0},
            msg="each serial once in stock",
        )
        self.assertEqual(order.order_line.qty_delivered, 0, msg="nothing held")

    @users("orc_sales_manager")
    def test_multistep_returns_only_what_the_customer_holds(self):
        self.warehouse.delivery_steps = "pick_ship"
        order = self.confirmed_order([(self.storable, 10)]).with_user(self.env.user)
        self.validate(self.open_picking(order, self.warehouse.pick_type_id))
        ship = self.validate(self.open_picking(order, self.warehouse.out_type_id))
        self.return_for_repair(ship, 2)

        cancellation = order.cancel_with_reversal(self.reason, receive_returns=True)

        self.assertEqual(cancellation.return_picking_ids.move_ids.quantity, 8, msg="8 back")
        self.assertEqual(
            self.stock_by_location(),
            {"stock": 1000, "packing": 0, "output": 0, "customers": 0},
            msg="nothing from nowhere, nothing stranded",
        )
        self.assertEqual(order.order_line.qty_delivered, 0, msg="nothing held")

    @users("plain_salesman")
    def test_salesman_sees_the_customer_holdings(self):
        order = self.repaired_order().with_user(self.env.user)
        self.assertTrue(order.order_line.read(["qty_delivered"]), msg="readable")
        self.assertEqual(order.order_line.qty_delivered, 10, msg="live order: Odoo's count")
