from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged, users

from .common import OrderEndOfLifeCase


@tagged("post_install", "-at_install")
class TestCancelLines(OrderEndOfLifeCase):
    """Cancelling part of an order: the quantity comes first out of what is not delivered,
    then out of what was delivered; invoiced beyond what is left is credited; revoke puts it
    back; the order stays confirmed."""

    def two_line_order(self, chairs=10, services=2):
        return self.confirmed_order([(self.storable, chairs), (self.service, services)])

    def chair_line(self, order):
        return order.order_line.filtered(lambda line: line.product_id == self.storable)

    def open_demand(self, order, picking_type=None):
        moves = order.picking_ids.filtered(
            lambda p: (
                p.state not in ("done", "cancel")
                and (not picking_type or p.picking_type_id == picking_type)
            )
        ).move_ids.filtered(lambda m: m.state not in ("done", "cancel"))
        return sum(moves.mapped("product_uom_qty"))

    def actions(self, impact):
        return sorted((line["action"], line["quantity"], line["amount"]) for line in impact)

    # ---- not delivered -----------------------------------------------------------------------
    @users("plain_salesman")
    def test_salesman_cancels_undelivered_quantity(self):
        order = self.two_line_order().with_user(self.env.user)
        line = self.chair_line(order)
        picking = order.picking_ids

        impact = order.get_line_cancel_impact({line.id: 4})
        self.assertEqual(
            self.actions(impact), [("reduce_picking", 4.0, False)], msg="one delivery reduced"
        )
        cancellation = order.cancel_lines({str(line.id): 4}, self.reason.id)

        self.assertEqual(cancellation.scope, "lines")
        self.assertEqual(order.state, "sale", msg="the order stays confirmed")
        self.assertEqual(line.product_uom_qty, 10, msg="the ordered quantity is kept")
        self.assertEqual(line.qty_cancelled, 4)
        self.assertEqual(cancellation.line_ids.qty_cancelled, 4)
        self.assertEqual(self.open_demand(order), 6, msg="the delivery is reduced to 6")
        self.assertEqual(order.picking_ids, picking, msg="no new delivery")
        self.assertEqual(line.qty_to_invoice, 6, msg="6 left to invoice")
        invoice = self.invoice(order.sudo())
        self.assertEqual(
            invoice.invoice_line_ids.filtered(lambda aml: aml.product_id == self.storable).quantity,
            6,
            msg="only what is left is invoiced",
        )
        self.assertEqual(line.invoice_status, "invoiced")

    @users("orc_sales_manager")
    def test_multistep_undelivered_quantity_reduces_every_step(self):
        self.warehouse.sudo().delivery_steps = "pick_ship"
        order = self.confirmed_order([(self.storable, 5)]).with_user(self.env.user)
        line = order.order_line
        pick, ship = self.warehouse.pick_type_id, self.warehouse.out_type_id

        impact = order.get_line_cancel_impact({line.id: 3})
        # Odoo 18 makes the ship step when the pick is done (push rule): only the pick is open.
        self.assertEqual(self.actions(impact), [("reduce_picking", 3.0, False)])
        order.cancel_lines({line.id: 3}, self.reason)

        self.assertEqual(self.open_demand(order, pick), 2, msg="pick reduced")
        self.validate(self.open_picking(order, pick).sudo())
        self.assertEqual(self.open_demand(order, ship), 2, msg="ship of what was picked")
        self.validate(self.open_picking(order, ship).sudo())
        self.assertEqual(line.qty_delivered, 2)
        self.assertEqual(order.delivery_status, "full")
        self.assertEqual(self.on_hand(self.stock_location), 998)

    @users("orc_sales_manager")
    def test_multistep_picked_quantity_cancelled_goes_back_to_stock(self):
        self.warehouse.sudo().delivery_steps = "pick_ship"
        order = self.confirmed_order([(self.storable, 5)]).with_user(self.env.user)
        line = order.order_line
        self.validate(self.open_picking(order, self.warehouse.pick_type_id).sudo())

        picked = order.picking_ids
        impact = order.get_line_cancel_impact({line.id: 3})
        self.assertEqual(
            self.actions(impact), [("reduce_picking", 3.0, False), ("return_picking", 3.0, False)]
        )
        cancellation = order.cancel_lines({line.id: 3}, self.reason)

        ship = self.open_picking(order, self.warehouse.out_type_id)
        self.assertEqual(ship.move_ids.product_uom_qty, 2, msg="ship reduced to 2")
        back = order.picking_ids - picked
        self.assertEqual(
            (back.location_id, back.location_dest_id, back.move_ids.product_uom_qty),
            (self.warehouse.wh_output_stock_loc_id, self.stock_location, 3.0),
            msg="Odoo takes the 3 picked back from Output to stock",
        )
        self.assertIn(back, cancellation.reduced_picking_ids)
        self.validate(back.sudo())
        self.validate(ship.sudo())
        self.assertEqual(
            self.stock_by_location(),
            {"stock": 998, "packing": 0, "output": 0, "customers": 2},
            msg="nothing stranded in Output",
        )
        self.assertEqual(line.qty_delivered, 2)

        # Revoke plans the 3 again, from stock.
        cancellation.revoke()
        self.assertEqual(line.qty_cancelled, 0)
        self.validate(self.open_picking(order, self.warehouse.pick_type_id).sudo())
        self.validate(self.open_picking(order, self.warehouse.out_type_id).sudo())
        self.assertEqual(line.qty_delivered, 5)
        self.assertEqual(
            self.stock_by_location(),
            {"stock": 995, "packing": 0, "output": 0, "customers": 5},
        )

    # ---- delivered, invoiced, paid -----------------------------------------------------------
    @users("orc_sales_manager")
    def test_delivered_invoiced_paid_quantity_is_returned_credited_and_refunded(self):
        order = self.confirmed_order([(self.storable, 10)]).with_user(self.env.user)
        line = order.order_line
        self.deliver(order.sudo())
        invoice = self.invoice(order.sudo())
        self.pay(invoice.sudo())
        self.assertEqual(self.receivable(), 0)

        impact = order.get_line_cancel_impact({line.id: 3}, refund_payments=True)
        self.assertEqual(
            self.actions(impact),
            [
                ("credit_note", False, 300.0),
                ("refund_payment", False, 300.0),
                ("return_picking", 3.0, False),
            ],
        )
        cancellation = order.cancel_lines(
            {line.id: 3}, self.reason, refund_payments=True, receive_returns=True
        )

        self.assertEqual(order.state, "sale")
        self.assertEqual(cancellation.return_picking_ids.state, "done")
        self.assertEqual(cancellation.return_picking_ids.move_ids.quantity, 3)
        self.assertEqual(cancellation.credit_note_ids.amount_total, 300)
        self.assertEqual(cancellation.refund_payment_ids.amount, 300)
        self.assertEqual(line.qty_cancelled, 3)
        self.assertEqual(line.qty_delivered, 7)
        self.assertEqual(line.qty_invoiced, 7)
        self.assertEqual(line.qty_to_invoice, 0)
        self.assertEqual(line.invoice_status, "invoiced")
        self.assertEqual(order.invoice_status, "invoiced")
        self.assertEqual(self.receivable(), 0, msg="credit note paid out")
        self.assertEqual(self.on_hand(self.stock_location), 993)
        self.assertEqual(invoice.amount_residual, 0)

        # Revoke: the quantity is ordered again, delivered again and billed again.
        revoked = cancellation.revoke("customer changed mind")
        self.assertEqual(revoked.state, "revoked")
        self.assertEqual(line.qty_cancelled, 0)
        self.assertEqual(order.state, "sale")
        self.assertEqual(len(cancellation.revoke_invoice_ids), 1)
        self.assertEqual(cancellation.revoke_invoice_ids.amount_total, 300)
        self.assertEqual(line.qty_invoiced, 10)
        self.assertEqual(self.open_demand(order), 3, msg="a new delivery of the 3")
        self.assertEqual(self.receivable(), 300, msg="the refund is due again")

    @users("orc_sales_manager")
    def test_partly_delivered_takes_the_open_part_first(self):
        order = self.confirmed_order([(self.storable, 10)]).with_user(self.env.user)
        line = order.order_line
        self.deliver(order.sudo(), qty=6)
        self.invoice(order.sudo())
        backorder = order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))

        impact = order.get_line_cancel_impact({line.id: 5})
        self.assertEqual(
            self.actions(impact),
            [
                ("cancel_picking", 4.0, False),
                ("credit_note", False, 500.0),
                ("return_picking", 1.0, False),
            ],
        )
        cancellation = order.cancel_lines({line.id: 5}, self.reason)
        self.assertEqual(backorder.state, "cancel", msg="the open 4 are cancelled")
        self.assertEqual(cancellation.cancelled_picking_ids, backorder)
        self.assertEqual(cancellation.return_picking_ids.move_ids.product_uom_qty, 1)
        self.assertEqual(line.qty_invoiced, 5)
        self.assertEqual(self.receivable(), 500)

    # ---- rights and refusals -----------------------------------------------------------------
    @users("plain_salesman")
    def test_salesman_may_not_credit(self):
        order = self.delivered_and_invoiced_order(qty=5).with_user(self.env.user)
        with self.assertRaises(AccessError):
            order.cancel_lines({order.order_line.id: 1}, self.reason)
        self.assertEqual(order.order_line.qty_cancelled, 0)

    @users("orc_sales_manager")
    def test_refusals_name_the_order(self):
        order = self.two_line_order().with_user(self.env.user)
        other = self.confirmed_order().with_user(self.env.user)
        line = self.chair_line(order)
        for quantities in ({line.id: 11}, {other.order_line.id: 1}, {line.id: 0}, {}, {"x": 1}):
            with self.assertRaises(UserError) as caught:
                order.cancel_lines(quantities, self.reason)
            self.assertIn(order.name, str(caught.exception), msg=str(quantities))
        draft = order.sudo()._create_invoices()
        with self.assertRaises(UserError) as caught:
            order.cancel_lines({line.id: 1}, self.reason)
        self.assertIn(draft.display_name, str(caught.exception))

    @users("orc_sales_manager")
    def test_cancelling_every_line_cancels_the_order(self):
        order = self.two_line_order().with_user(self.env.user)
        order.cancel_lines({self.chair_line(order).id: 4}, self.reason)
        cancellation = order.cancel_lines(
            {self.chair_line(order).id: 6, (order.order_line - self.chair_line(order)).id: 2},
            self.reason,
        )
        self.assertEqual(cancellation.scope, "order")
        self.assertEqual(order.state, "cancel")
        self.assertEqual(self.chair_line(order).qty_cancelled, 10)
        # The latest first: the whole order, then the 4.
        with self.assertRaises(UserError):
            order.cancellation_ids.filtered(lambda c: c.scope == "lines").revoke()
        order.revoke_cancel()
        self.assertEqual(order.state, "sale")
        self.assertEqual(self.chair_line(order).qty_cancelled, 4)
        self.assertEqual(self.open_demand(order), 6, msg="the 6 in force are delivered again")
        order.revoke_cancel()
        self.assertEqual(self.chair_line(order).qty_cancelled, 0)
        self.assertEqual(self.open_demand(order), 10)

    # ---- the wizard, lots, the chatter -------------------------------------------------------
    @users("orc_sales_manager")
    def test_wizard_previews_and_cancels(self):
        order = self.two_line_order().with_user(self.env.user)
        line = self.chair_line(order)
        action = order.action_cancel_lines()
        wizard_form = Form(
            self.env[action["res_model"]].with_context(**action["context"]),
            view="order_revoke_cancel.sale_order_cancel_lines_view_form",
        )
        wizard_form.cancel_reason_id = self.reason
        self.assertEqual(len(wizard_form.line_ids), 2, msg="both lines offered")
        for index in range(len(wizard_form.line_ids)):
            with wizard_form.line_ids.edit(index) as row:
                if row.product_id == self.storable:
                    self.assertEqual(row.qty_remaining, 10)
                    row.quantity = 3
        self.assertEqual(len(wizard_form.impact_line_ids), 1, msg="the delivery is reduced")
        with wizard_form.line_ids.edit(0) as row:
            row.quantity = 50
        self.assertTrue(wizard_form.impact_error, msg="too much: the refusal is shown")
        with wizard_form.line_ids.edit(0) as row:
            row.quantity = 3
        wizard_form.save().action_cancel_lines()
        self.assertEqual(line.qty_cancelled, 3)
        self.assertEqual(self.open_demand(order), 7)
        message = order.message_ids[:1]
        self.assertIn("Lines cancelled", message.body)
        self.assertIn("3.0", message.body)

    @users("orc_sales_manager")
    def test_lot_goods_come_back_with_their_lot(self):
        product = self.lot_tracked_product().sudo()
        lot = (
            self.env["stock.lot"]
            .sudo()
            .create({"name": "L-1", "product_id": product.id, "company_id": self.company.id})
        )
        self.env["stock.quant"].sudo()._update_available_quantity(
            product, self.stock_location, 10, lot_id=lot
        )
        order = self.confirmed_order([(product, 5)]).with_user(self.env.user)
        self.deliver(order.sudo())
        self.invoice(order.sudo())
        cancellation = order.cancel_lines(
            {order.order_line.id: 2}, self.reason, receive_returns=True
        )
        self.assertEqual(cancellation.return_picking_ids.state, "done")
        self.assertEqual(cancellation.return_picking_ids.move_line_ids.lot_id, lot)
        self.assertEqual(self.on_hand(self.stock_location, product, lot), 7)
        self.assertEqual(order.order_line.qty_delivered, 3)
        self.assertEqual(order.order_line.qty_invoiced, 3)
        self.assertEqual(self.receivable(), 300, msg="3 at 100 still due")

    @users("orc_sales_manager")
    def test_three_steps_packed_quantity_goes_back_through_both_steps(self):
        self.warehouse.sudo().delivery_steps = "pick_pack_ship"
        order = self.confirmed_order([(self.storable, 5)]).with_user(self.env.user)
        line = order.order_line
        self.validate(self.open_picking(order, self.warehouse.pick_type_id).sudo())
        self.validate(self.open_picking(order, self.warehouse.pack_type_id).sudo())
        before = order.picking_ids

        impact = order.get_line_cancel_impact({line.id: 3})
        self.assertEqual(
            self.actions(impact),
            [
                ("reduce_picking", 3.0, False),
                ("return_picking", 3.0, False),
                ("return_picking", 3.0, False),
            ],
            msg="the ship reduced; pack and pick sent back",
        )
        cancellation = order.cancel_lines({line.id: 3}, self.reason)
        back = order.picking_ids - before
        self.assertEqual(len(back), 2, msg="Output to Packing, then Packing to stock")
        for picking in back.sorted("id"):
            self.validate(picking.sudo())
        self.validate(self.open_picking(order, self.warehouse.out_type_id).sudo())
        self.assertEqual(line.qty_delivered, 2)
        self.assertEqual(
            self.stock_by_location(),
            {"stock": 998, "packing": 0, "output": 0, "customers": 2},
        )
        line._action_launch_stock_rule()
        self.assertFalse(
            order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel")),
            msg="nothing is procured again while the cancellation is in force",
        )
        cancellation.revoke()
        self.assertEqual(self.open_demand(order, self.warehouse.pick_type_id), 3, msg="3, not 6")

    @users("orc_sales_manager")
    def test_shared_paid_invoice_credits_only_this_orders_quantity(self):
        order_a = self.confirmed_order([(self.storable, 4)]).with_user(self.env.user)
        order_b = self.confirmed_order([(self.storable, 6)]).with_user(self.env.user)
        for order in order_a | order_b:
            self.deliver(order.sudo())
        invoice = (order_a | order_b).sudo()._create_invoices()
        invoice.action_post()
        self.pay(invoice)
        self.assertEqual(invoice.amount_total, 1000)

        cancellation = order_a.cancel_lines(
            {order_a.order_line.id: 1}, self.reason, refund_payments=True, receive_returns=True
        )

        credit_note = cancellation.credit_note_ids
        self.assertEqual(credit_note.amount_total, 100)
        self.assertEqual(
            credit_note.invoice_line_ids.sale_line_ids, order_a.order_line, msg="A's line only"
        )
        self.assertEqual(cancellation.refund_payment_ids.amount, 100)
        self.assertEqual(order_a.order_line.qty_invoiced, 3)
        self.assertEqual(order_b.order_line.qty_invoiced, 6, msg="the other order untouched")
        self.assertEqual(self.receivable(), 0)

    @users("orc_sales_manager")
    def test_cancelled_quantity_cannot_be_written(self):
        order = self.two_line_order().with_user(self.env.user)
        with self.assertRaises(AccessError):
            self.chair_line(order).write({"qty_cancelled": 5})
        with self.assertRaises(AccessError):
            order.write(
                {"order_line": [Command.update(self.chair_line(order).id, {"qty_cancelled": 5})]}
            )
        self.assertEqual(self.open_demand(order), 10)

    @users("orc_sales_manager")
    def test_credit_held_on_a_hand_credit_note_stays_held(self):
        """Found by the soak: the preview also paid out the credit held on an earlier credit
        note, which only a whole cancellation does; cancelling lines refunds its own credit."""
        order = self.confirmed_order([(self.storable, 10)]).with_user(self.env.user)
        line = order.order_line
        self.deliver(order.sudo())
        invoice = self.invoice(order.sudo())
        self.pay(invoice.sudo())
        hand = (
            self.env["account.move"]
            .sudo()
            .create(
                {
                    "move_type": "out_refund",
                    "partner_id": self.partner_a.id,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "product_id": self.storable.id,
                                "quantity": 1,
                                "price_unit": 100,
                                "tax_ids": [Command.clear()],
                                "sale_line_ids": [Command.set(line.ids)],
                            }
                        )
                    ],
                }
            )
        )
        hand.action_post()
        impact = order.get_line_cancel_impact({line.id: 2}, refund_payments=True)
        refunds = [i["amount"] for i in impact if i["action"] == "refund_payment"]
        cancellation = order.cancel_lines({line.id: 2}, self.reason, refund_payments=True)
        # The hand credit note credited 1 already: 1 more is credited and refunded.
        self.assertEqual(refunds, [100.0], msg="the preview refunds the lines' amount only")
        self.assertEqual(cancellation.credit_note_ids.amount_total, 100)
        self.assertEqual(sum(cancellation.refund_payment_ids.mapped("amount")), 100)
        self.assertEqual(hand.amount_residual, 100, msg="the hand credit note stays as credit")
