from odoo import Command
from odoo.tests import tagged

from .common import OrderEndOfLifeCase


@tagged("post_install", "-at_install")
class TestCancelScenarios(OrderEndOfLifeCase):
    """Orders shaped like real ones: multi-step, down payments, currencies, companies."""

    def test_two_step_delivery_returns_picked_goods_to_stock(self):
        self.warehouse.delivery_steps = "pick_ship"
        order = self.confirmed_order([(self.storable, 5)])
        pick = order.picking_ids.filtered(
            lambda p: p.picking_type_id == self.warehouse.pick_type_id
        )
        self.receive(pick)  # picked: goods wait in Output
        ship = order.picking_ids - pick

        cancellation = order.cancel_with_reversal(self.reason)

        self.assertEqual(ship.state, "cancel", msg="the unfinished shipment is cancelled")
        self.assertEqual(
            cancellation.return_picking_ids.return_id, pick, msg="the pick goes back to stock"
        )

    def test_two_step_delivery_done_returns_the_shipment(self):
        self.warehouse.delivery_steps = "pick_ship"
        order = self.confirmed_order([(self.storable, 5)])
        pick = order.picking_ids.filtered(
            lambda p: p.picking_type_id == self.warehouse.pick_type_id
        )
        self.receive(pick)
        ship = order.picking_ids - pick
        self.receive(ship)

        cancellation = order.cancel_with_reversal(self.reason, receive_returns=True)

        self.assertEqual(cancellation.return_picking_ids.return_id, ship, msg="return the ship")
        self.assertEqual(order.order_line.qty_delivered, 0, msg="and it counts")

    def test_down_payment_invoice_is_credited(self):
        order = self.confirmed_order([(self.storable, 5)])
        self.env["sale.advance.payment.inv"].with_context(
            active_model="sale.order", active_ids=order.ids
        ).create({"advance_payment_method": "fixed", "fixed_amount": 100.0}).create_invoices()
        down_payment = order.invoice_ids
        down_payment.action_post()

        cancellation = order.cancel_with_reversal(self.reason)

        self.assertEqual(
            cancellation.credit_note_ids.reversed_entry_id, down_payment, msg="credited"
        )
        self.assertAlmostEqual(self.receivable(), 0.0, msg="the down payment is no longer due")
        dp_line = order.order_line.filtered(
            lambda line: line.is_downpayment and not line.display_type
        )
        self.assertEqual(dp_line.qty_invoiced, 0, msg="down payment line back to 0")

    def test_draft_and_posted_invoices_mixed(self):
        order = self.confirmed_order([(self.storable, 5)])
        order.order_line.product_uom_qty = 5
        self.invoice(order)
        order.order_line.product_uom_qty = 8
        draft = self.invoice(order, post=False)

        cancellation = order.cancel_with_reversal(self.reason)

        self.assertEqual(cancellation.cancelled_invoice_ids, draft, msg="draft cancelled")
        self.assertEqual(
            cancellation.credit_note_ids.invoice_line_ids.quantity, 5, msg="posted credited"
        )
        self.assertEqual(order.order_line.qty_invoiced, 0, msg="nothing invoiced")

    def test_foreign_currency_invoice_is_credited_in_its_currency(self):
        currency = self.setup_other_currency("EUR", rates=[("2000-01-01", 2.0)])
        pricelist = self.env["product.pricelist"].create(
            {"name": "EUR", "currency_id": currency.id, "company_id": self.company.id}
        )
        order = self.confirmed_order([(self.storable, 5)], pricelist_id=pricelist.id)
        self.deliver(order)
        invoice = self.invoice(order)

        credit_note = order.cancel_with_reversal(self.reason).credit_note_ids

        self.assertEqual(credit_note.currency_id, currency, msg="in the invoice currency")
        self.assertAlmostEqual(credit_note.amount_total, invoice.amount_total, msg="same amount")
        self.assertAlmostEqual(self.receivable(), 0.0, msg="nothing owed")

    def test_order_of_second_company_gets_documents_in_that_company(self):
        company_2 = self.setup_other_company(name="Second company")["company"]
        self.env.user.company_ids |= company_2
        env2 = self.env(context=dict(self.env.context, allowed_company_ids=company_2.ids))
        warehouse_2 = env2["stock.warehouse"].search([("company_id", "=", company_2.id)], limit=1)
        env2["stock.quant"]._update_available_quantity(self.storable, warehouse_2.lot_stock_id, 10)
        order = env2["sale.order"].create(
            {
                "partner_id": self.partner_a.id,
                "company_id": company_2.id,
                "order_line": [
                    Command.create({"product_id": self.storable.id, "product_uom_qty": 2})
                ],
            }
        )
        order.action_confirm()
        self.deliver(order)
        self.invoice(order)

        cancellation = order.cancel_with_reversal(self.reason)

        self.assertEqual(cancellation.company_id, company_2, msg="ledger in the order's company")
        self.assertEqual(cancellation.return_picking_ids.company_id, company_2, msg="return too")
        self.assertEqual(cancellation.credit_note_ids.company_id, company_2, msg="credit note too")
