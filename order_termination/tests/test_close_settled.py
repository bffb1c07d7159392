from datetime import timedelta

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import TerminationCase


@tagged("post_install", "-at_install")
class TestCloseSettled(TerminationCase):
    """An order is settled only when what was ordered was delivered, invoiced and paid:
    services (manual quantities, invoiced on order or on delivery) included; nothing billed is
    not "fully invoiced" nor "paid"."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.close_reason = cls.env.ref("order_termination.close_reason_completed")
        cls.service_on_delivery = cls.env["product.product"].create(
            {
                "name": "Consulting (delivered hours)",
                "type": "service",
                "invoice_policy": "delivery",
                "list_price": 95.0,
                "taxes_id": [Command.clear()],
            }
        )

    def service_order(self):
        """Two service lines, $2,947.50, nothing delivered nor invoiced."""
        order = self.env["sale.order"].create(
            {
                "partner_id": self.partner_a.id,
                "user_id": self.requester.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": self.service_on_delivery.id,
                            "product_uom_qty": 25,
                            "price_unit": 95.0,
                        }
                    ),
                    Command.create(
                        {"product_id": self.service.id, "product_uom_qty": 10, "price_unit": 57.25}
                    ),
                    Command.create({"display_type": "line_note", "name": "Remote work"}),
                ],
            }
        )
        order.action_confirm()
        self.assertEqual(order.amount_total, 2947.50)
        return order

    def checks(self, order):
        return {c["code"]: (c["ok"], c["detail"]) for c in order.get_close_checklist()}

    def test_unbilled_service_order_is_not_settled(self):
        order = self.service_order().with_user(self.requester)
        checks = self.checks(order)
        self.assertFalse(checks["delivered"][0], msg="nothing of the services was delivered")
        self.assertFalse(checks["invoiced"][0], msg="nothing billed is not fully invoiced")
        self.assertFalse(checks["paid"][0], msg="no invoice is not paid")
        self.assertIn("Nothing was invoiced", checks["paid"][1])
        with self.assertRaises(UserError):
            order.close(reason=self.close_reason)
        self.assertFalse(order.is_closed)

    def test_mass_close_skips_unbilled_service_order(self):
        order = self.service_order()
        wizard = (
            self.env["sale.order.mass.close"]
            .with_user(self.requester)
            .with_context(active_model="sale.order", active_ids=order.ids)
            .create({"reason_id": self.close_reason.id})
        )
        wizard.action_close()
        self.assertFalse(order.is_closed, msg="not closed as completed")
        self.assertEqual((wizard.closed_count, wizard.skipped_count), (0, 1))
        self.assertIn("Fully invoiced", wizard.result_ids.message)
        self.assertIn("Paid", wizard.result_ids.message)

    def test_auto_close_leaves_unbilled_service_order_open(self):
        order = self.service_order()
        self.company.auto_close_days = 3
        with freeze_time(fields.Datetime.now() + timedelta(days=10)):
            self.env["sale.order"]._cron_auto_close(commit=False)
        self.assertFalse(order.is_closed, msg="the nightly job closes no unbilled order")

    def test_services_delivered_invoiced_and_paid_close(self):
        order = self.service_order()
        for line in order.order_line.filtered(lambda sol: not sol.display_type):
            line.qty_delivered = line.product_uom_qty
        checks = self.checks(order)
        self.assertTrue(checks["delivered"][0], msg="manual quantities delivered")
        self.assertFalse(checks["invoiced"][0], msg="delivered, not invoiced")
        invoice = self.invoice(order)
        self.assertEqual(order.order_line.mapped("qty_invoiced"), [25, 10, 0])
        self.assertFalse(self.checks(order)["paid"][0], msg="invoiced, not paid")
        self.pay(invoice)
        self.assertEqual(invoice.payment_state, "paid")
        self.assertTrue(all(ok for ok, _detail in self.checks(order).values()))
        order.with_user(self.manager).close(reason=self.close_reason)
        self.assertTrue(order.is_closed)

    def test_half_delivered_service_invoiced_so_far_is_not_settled(self):
        order = self.service_order()
        order.order_line[0].qty_delivered = 10
        order.order_line[1].qty_delivered = 10
        self.pay(self.invoice(order))
        checks = self.checks(order)
        self.assertFalse(checks["delivered"][0], msg="15 hours still to deliver")
        self.assertFalse(checks["invoiced"][0], msg="15 hours still to bill")
        self.assertTrue(checks["paid"][0], msg="what was billed is paid")

    def test_goods_order_settled_still_closes_with_zero_quantity_line(self):
        order = self.confirmed_order()
        order.order_line = [
            Command.create({"product_id": self.service.id, "product_uom_qty": 0, "price_unit": 0})
        ]
        self.deliver(order)
        self.pay(self.invoice(order))
        self.assertTrue(all(ok for ok, _detail in self.checks(order).values()))
        order.with_user(self.requester).close(reason=self.close_reason)
        self.assertTrue(order.is_closed, msg="a line with nothing ordered settles nothing")
        self.assertEqual(order.order_line[0].qty_invoiced, 5)
