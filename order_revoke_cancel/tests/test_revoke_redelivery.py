from odoo import Command
from odoo.tests import tagged, users

from .common import OrderEndOfLifeCase


@tagged("post_install", "-at_install")
class TestRevokeRedelivery(OrderEndOfLifeCase):
    """Delivered, invoiced, paid, cancelled with returns received, revoked: while the revoke's
    delivery is on its way the order invites neither an invoice nor a credit note."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.on_delivery = cls.env["product.product"].create(
            {
                "name": "Desk (invoiced on delivery)",
                "type": "consu",
                "is_storable": True,
                "invoice_policy": "delivery",
                "list_price": 100.0,
                "taxes_id": [Command.clear()],
            }
        )
        cls.env["stock.quant"]._update_available_quantity(cls.on_delivery, cls.stock_location, 100)

    def revoked_order(self, steps="ship_only"):
        self.warehouse.delivery_steps = steps
        order = self.confirmed_order([(self.on_delivery, 10)])
        while order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel")):
            self.deliver(order)
        self.pay(self.invoice(order))
        order = order.with_user(self.env.user)
        order.cancel_with_reversal(self.reason, receive_returns=True)
        self.assertEqual(order.order_line.qty_delivered, 0)
        wizard = (
            self.env["sale.order.revoke.cancel"]
            .with_context(default_order_id=order.id)
            .create({"note": "Customer wants it after all."})
        )
        uom = order.order_line.product_uom
        digits = len(f"{uom.rounding:.10f}".rstrip("0").split(".")[1])
        self.assertIn(
            f"{10:.{digits}f} {uom.name} to deliver again",
            wizard.redelivery_summary,
            msg="the wizard says what to deliver, in the unit's precision",
        )
        self.assertIn(self.on_delivery.name, wizard.redelivery_summary)
        self.assertTrue(wizard.rebills, msg="its invoices come back: the wizard says so")
        wizard.action_revoke()
        return order

    def assertNothingToBill(self, order, msg):
        line = order.order_line
        self.assertEqual(line.qty_to_invoice, 0, msg=msg)
        self.assertNotEqual(order.invoice_status, "to invoice", msg=msg)

    @users("orc_sales_manager")
    def test_revoked_order_invites_no_credit_note_while_redelivering(self):
        order = self.revoked_order()
        line = order.order_line
        self.assertEqual((line.qty_delivered, line.qty_invoiced), (0, 10), msg="billed again")
        self.assertNothingToBill(order, msg="no credit note for goods on their way")
        self.assertEqual(order.invoice_status, "invoiced")

        self.deliver(order)

        self.assertEqual((line.qty_delivered, line.qty_invoiced), (10, 10))
        self.assertNothingToBill(order, msg="delivered: all normal")
        self.assertEqual(
            self.on_hand(self.env.ref("stock.stock_location_customers"), self.on_delivery), 10
        )

    @users("orc_sales_manager")
    def test_partly_redelivered_keeps_the_rest_quiet(self):
        order = self.revoked_order()
        self.deliver(order, qty=4)
        self.assertEqual(order.order_line.qty_delivered, 4)
        self.assertNothingToBill(order, msg="the backorder is on its way")

    @users("orc_sales_manager")
    def test_multistep_redelivery_stays_quiet_until_shipped(self):
        order = self.revoked_order(steps="pick_ship")
        self.assertNothingToBill(order, msg="picking")
        self.validate(self.open_picking(order, self.warehouse.pick_type_id))
        self.assertNothingToBill(order, msg="in Output, not shipped")
        self.validate(self.open_picking(order, self.warehouse.out_type_id))
        self.assertEqual(order.order_line.qty_delivered, 10)
        self.assertNothingToBill(order, msg="shipped")

    @users("orc_sales_manager")
    def test_cancelled_redelivery_shows_the_credit_to_make(self):
        order = self.revoked_order()
        order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel")).action_cancel()
        self.assertEqual(order.order_line.qty_to_invoice, -10, msg="Odoo's rule again")

    @users("plain_salesman")
    def test_salesman_reads_the_invoice_status(self):
        order = (
            self.env["sale.order"]
            .sudo()
            .create(
                {
                    "partner_id": self.partner_a.id,
                    "order_line": [Command.create({"product_id": self.on_delivery.id})],
                }
            )
        )
        self.assertEqual(order.with_user(self.env.user).invoice_status, "no")

    @users("orc_sales_manager")
    def test_revoke_wizard_of_an_unbilled_order_promises_no_invoice(self):
        """Regression: the wizard said "The invoices come back at once" for an order that had
        none."""
        order = self.confirmed_order([(self.on_delivery, 3)])
        order = order.with_user(self.env.user)
        order.cancel_with_reversal(self.reason)
        wizard = (
            self.env["sale.order.revoke.cancel"].with_context(default_order_id=order.id).create({})
        )
        self.assertFalse(wizard.rebills, msg="nothing was credited: no sentence on invoices")
        self.assertEqual(
            wizard.redelivery_summary,
            f"{self.on_delivery.display_name}: {self.qty_text(order, 3)} to deliver",
            msg="never delivered: to deliver, not to deliver again",
        )

    def qty_text(self, order, qty):
        uom = order.order_line.product_uom
        digits = len(f"{uom.rounding:.10f}".rstrip("0").split(".")[1])
        return f"{qty:.{digits}f} {uom.name}"

    @users("orc_sales_manager")
    def test_revoke_wizard_tells_what_came_back_from_what_never_left(self):
        """Regression: "to deliver again" also for the goods never delivered."""
        order = self.confirmed_order([(self.on_delivery, 10)])
        self.deliver(order, qty=4)
        order = order.with_user(self.env.user)
        order.cancel_with_reversal(self.reason, receive_returns=True)
        wizard = (
            self.env["sale.order.revoke.cancel"].with_context(default_order_id=order.id).create({})
        )
        self.assertEqual(
            wizard.redelivery_summary,
            f"{self.on_delivery.display_name}: {self.qty_text(order, 4)} to deliver again, "
            f"{self.qty_text(order, 6)} to deliver",
        )
