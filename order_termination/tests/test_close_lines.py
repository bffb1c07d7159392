from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import TerminationCase


@tagged("post_install", "-at_install")
class TestCloseLines(TerminationCase):
    """Closing chosen lines short: settled at what was delivered, as the forced close settles
    the whole order, and reopened exactly; the order closes itself with its last line.

    The order: 10 chairs and 5 desks at 100, invoiced on order (1,500), 4 of each delivered, a
    backorder of 6 chairs and 1 desk."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.close_reason = cls.env.ref("order_termination.close_reason_short_close")
        cls.desk = cls.env["product.product"].create(
            {
                "name": "Desk",
                "type": "consu",
                "is_storable": True,
                "invoice_policy": "order",
                "list_price": 100.0,
                "taxes_id": [Command.clear()],
            }
        )
        cls.env["stock.quant"]._update_available_quantity(cls.desk, cls.stock_location, 1000)

    # ---- helpers --------------------------------------------------------------------------------
    def two_line_order(self, delivered=4, paid=None, steps=None):
        if steps:
            self.warehouse.delivery_steps = steps
        order = self.env["sale.order"].create(
            {
                "partner_id": self.partner_a.id,
                "user_id": self.requester.id,
                "order_line": [
                    Command.create(
                        {"product_id": self.storable.id, "product_uom_qty": 10, "price_unit": 100}
                    ),
                    Command.create(
                        {"product_id": self.desk.id, "product_uom_qty": 5, "price_unit": 100}
                    ),
                ],
            }
        )
        order.action_confirm()
        invoice = self.invoice(order)
        if delivered and not steps:
            self.deliver(order, qty=delivered)
        if paid is not None:
            self.pay(invoice, paid)
        return order, invoice

    def lines(self, order):
        chair = order.order_line.filtered(lambda line: line.product_id == self.storable)
        desk = order.order_line.filtered(lambda line: line.product_id == self.desk)
        return chair, desk

    def close_lines(self, order, lines, user=None, **kwargs):
        return order.with_user(user or self.manager).close_lines(
            lines.ids, self.close_reason, note="The customer takes no more chairs.", **kwargs
        )

    def reopen_lines(self, order, lines, user=None):
        return order.with_user(user or self.manager).reopen_lines(lines.ids, "Chairs after all.")

    def open_moves(self, lines):
        return lines.move_ids.filtered(lambda m: m.state not in ("done", "cancel"))

    def credit_notes(self, order):
        return order.invoice_ids.filtered(
            lambda m: m.move_type == "out_refund" and m.state == "posted"
        )

    # ---- rights ---------------------------------------------------------------------------------
    def test_salesman_is_refused_as_for_a_forced_close(self):
        order, _invoice = self.two_line_order()
        chair, _desk = self.lines(order)
        with self.assertRaises(AccessError, msg="a forced close is refused to a salesman"):
            order.with_user(self.requester).close(reason=self.close_reason, force=True)

        with self.assertRaisesRegex(AccessError, order.name):
            self.close_lines(order, chair, user=self.requester)

        self.assertFalse(chair.is_closed, msg="the line stays open")
        self.assertEqual(sum(self.open_moves(chair).mapped("product_uom_qty")), 6, msg="6 due")
        self.assertFalse(self.credit_notes(order), msg="no credit note")
        self.assertAlmostEqual(self.receivable(), 1500.0, msg="the receivable did not move")
        self.assertFalse(order.with_user(self.requester).can_close_lines, msg="no button")

    def test_line_state_fields_are_written_by_close_lines_only(self):
        order, _invoice = self.two_line_order()
        chair, _desk = self.lines(order)
        with self.assertRaises(AccessError):
            chair.write({"is_closed": True})
        with self.assertRaises(AccessError):
            chair.with_user(self.manager).write({"close_user_id": self.manager.id})
        self.assertFalse(chair.is_closed, msg="nothing written")
        with self.assertRaises(AccessError, msg="nor through a context default"):
            self.env["sale.order.line"].with_context(default_is_closed=True).create(
                {"order_id": order.id, "product_id": self.desk.id, "product_uom_qty": 1}
            )

    # ---- one-step warehouse ---------------------------------------------------------------------
    def test_manager_closes_one_line_settled_at_delivered(self):
        order, invoice = self.two_line_order()
        chair, desk = self.lines(order)
        backorder = self.open_moves(chair).picking_id
        self.assertEqual(backorder, self.open_moves(desk).picking_id, msg="one shared backorder")

        impact = order.with_user(self.manager).get_close_lines_impact(chair.ids)
        self.assertEqual(
            [(i["action"], i["res_id"], i["quantity"], i["amount"]) for i in impact],
            [("reduce_picking", backorder.id, 6, False), ("credit_note", invoice.id, False, 600)],
            msg="the preview: 6 chairs out of the backorder, 600 credited",
        )

        self.close_lines(order, chair)

        self.assertTrue(chair.is_closed, msg="the chair line is closed")
        self.assertEqual(chair.close_user_id, self.manager, msg="by the manager")
        self.assertFalse(desk.is_closed, msg="the desk line stays open")
        self.assertFalse(order.is_closed, msg="the order stays open")
        self.assertFalse(self.open_moves(chair), msg="no chair is due any more")
        self.assertEqual(chair.close_cancelled_move_ids.product_uom_qty, 6, msg="6 cancelled")
        self.assertEqual(
            self.open_moves(desk).product_uom_qty, 1, msg="the desk still due in the backorder"
        )
        self.assertNotEqual(backorder.state, "cancel", msg="the backorder carries on")
        credit_note = self.credit_notes(order)
        self.assertEqual(credit_note.amount_total, 600.0, msg="the 6 chairs not delivered")
        self.assertEqual(credit_note.reversed_entry_id, invoice, msg="crediting the invoice")
        self.assertEqual(chair.close_credit_note_ids, credit_note, msg="recorded on the line")
        self.assertEqual((chair.qty_delivered, chair.qty_invoiced), (4, 4), msg="chairs at 4")
        self.assertEqual((desk.qty_delivered, desk.qty_invoiced), (4, 5), msg="desks unchanged")
        self.assertEqual(chair.qty_to_invoice, 0, msg="nothing left to invoice on the chairs")
        self.assertAlmostEqual(self.receivable(), 900.0, msg="owed: 4 chairs and 5 desks")
        self.assertBalanced(invoice | credit_note)
        delivered = next(c for c in order.get_close_checklist() if c["code"] == "delivered")
        self.assertIn("Desk", delivered["detail"], msg="the checklist waits for the desk")
        self.assertNotIn("Office chair", delivered["detail"], msg="a closed line is settled")
        self.assertIn("Lines closed short", order.message_ids[:1].body, msg="chatter message")

    def test_reopen_lines_restores_quantities_moves_and_invoices(self):
        order, invoice = self.two_line_order()
        chair, desk = self.lines(order)
        self.close_lines(order, chair)
        credit_note = chair.close_credit_note_ids

        self.reopen_lines(order, chair)

        self.assertFalse(chair.is_closed, msg="open again")
        self.assertFalse(chair.close_credit_note_ids, msg="the close record is cleared")
        reversal = order.invoice_ids.filtered(
            lambda m: m.move_type == "out_invoice" and m.reversed_entry_id == credit_note
        )
        self.assertEqual(reversal.state, "posted", msg="a posted invoice reverses the credit")
        self.assertEqual(reversal.amount_total, 600.0, msg="for the same 600")
        self.assertEqual(credit_note.state, "posted", msg="the credit note is not rewritten")
        self.assertEqual((chair.qty_delivered, chair.qty_invoiced), (4, 10), msg="as before")
        self.assertEqual((desk.qty_delivered, desk.qty_invoiced), (4, 5), msg="desk untouched")
        self.assertEqual(
            sum(self.open_moves(chair).mapped("product_uom_qty")), 6, msg="6 chairs planned again"
        )
        self.assertEqual(self.open_moves(desk).product_uom_qty, 1, msg="the desk still due")
        self.assertAlmostEqual(self.receivable(), 1500.0, msg="receivable as before the close")
        self.assertBalanced(invoice | credit_note | reversal)

    def test_last_line_closed_closes_the_order_and_reopen_opens_all(self):
        order, _invoice = self.two_line_order()
        chair, desk = self.lines(order)
        self.close_lines(order, chair)
        impact = order.with_user(self.manager).get_close_lines_impact(desk.ids)
        self.assertEqual(impact[-1]["action"], "close_order", msg="the preview says so")

        self.close_lines(order, desk)

        self.assertTrue(order.is_closed, msg="the order closed itself with its last line")
        self.assertTrue(order.close_forced, msg="short: lines were closed")
        self.assertTrue(order.close_by_lines, msg="by its lines")
        self.assertEqual(order.state, "sale", msg="still a confirmed order")
        self.assertFalse(self.open_moves(order.order_line), msg="nothing left to deliver")
        self.assertEqual(
            order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel")),
            self.env["stock.picking"],
            msg="the backorder is cancelled",
        )
        self.assertEqual(self.quantities(order), [(4, 4), (4, 4)], msg="settled at delivered")
        self.assertAlmostEqual(self.receivable(), 800.0, msg="owed: what was delivered")
        with self.assertRaisesRegex(UserError, order.name):
            order.with_user(self.manager)._create_invoices()

        order.with_user(self.manager).reopen("Everything after all.")

        self.assertFalse(order.is_closed, msg="open again")
        self.assertFalse(order.order_line.filtered("is_closed"), msg="its lines with it")
        self.assertEqual(self.quantities(order), [(4, 10), (4, 5)], msg="invoiced as before")
        self.assertEqual(
            [sum(self.open_moves(line).mapped("product_uom_qty")) for line in order.order_line],
            [6, 1],
            msg="the rest planned again",
        )
        self.assertAlmostEqual(self.receivable(), 1500.0, msg="receivable as before")

    def test_lines_closed_together_are_reopened_together(self):
        order, _invoice = self.two_line_order()
        chair, desk = self.lines(order)
        self.close_lines(order, chair | desk)
        self.assertTrue(order.is_closed, msg="every line closed: the order too")
        self.assertEqual(len(self.credit_notes(order)), 1, msg="one credit note for both")

        with self.assertRaisesRegex(UserError, f"{order.name}.*together"):
            self.reopen_lines(order, chair)
        self.reopen_lines(order, chair | desk)

        self.assertFalse(order.is_closed, msg="the order is open again")
        self.assertEqual(self.quantities(order), [(4, 10), (4, 5)], msg="invoiced as before")
        self.assertAlmostEqual(self.receivable(), 1500.0, msg="receivable as before")

    def test_a_line_closed_with_others_but_credited_alone_reopens_alone(self):
        order, _invoice = self.two_line_order()
        chair, desk = self.lines(order)
        backorder = self.open_moves(chair).picking_id
        for move in backorder.move_ids:
            move.quantity = move.product_uom_qty if move.sale_line_id == desk else 0
            move.picked = move.sale_line_id == desk
        res = backorder.button_validate()
        if isinstance(res, dict) and res.get("res_model") == "stock.backorder.confirmation":
            wizard = self.env["stock.backorder.confirmation"].with_context(**res["context"])
            wizard.create({}).process()
        self.assertEqual((desk.qty_delivered, desk.qty_invoiced), (5, 5), msg="desks done")

        self.close_lines(order, chair | desk)

        self.assertEqual(chair.close_credit_note_ids.amount_total, 600.0, msg="chairs credited")
        self.assertFalse(desk.close_credit_note_ids, msg="nothing credited for the desks")
        self.reopen_lines(order, desk)
        self.assertFalse(desk.is_closed, msg="the desk line reopens alone")
        self.assertTrue(chair.is_closed, msg="the chairs stay closed")
        self.assertFalse(order.is_closed, msg="the order is open again")
        self.assertAlmostEqual(self.receivable(), 900.0, msg="the chairs' credit stays")

    def test_order_short_closed_after_a_line_reopens_without_it(self):
        """The order's own short close and reopen leave a closed line closed: it is not
        planned again."""
        order, _invoice = self.two_line_order()
        chair, desk = self.lines(order)
        self.close_lines(order, chair)
        order.with_user(self.manager).close(
            reason=self.close_reason, note="No more desks either.", force=True
        )
        self.assertEqual(order.close_credit_note_ids.amount_total, 100.0, msg="the desk only")
        self.assertFalse(order.close_by_lines, msg="closed as a whole")
        with self.assertRaisesRegex(UserError, f"{order.name} is closed as a whole"):
            self.reopen_lines(order, chair)

        order.with_user(self.manager).reopen("The desk after all.")

        self.assertTrue(chair.is_closed, msg="the chair line stays closed")
        self.assertFalse(self.open_moves(chair), msg="and is not planned again")
        self.assertEqual(self.open_moves(desk).product_uom_qty, 1, msg="the desk is")
        self.assertEqual(self.quantities(order), [(4, 4), (4, 5)], msg="as before the close")
        self.assertAlmostEqual(self.receivable(), 900.0, msg="receivable as before the close")

    # ---- money ----------------------------------------------------------------------------------
    def test_paid_order_refunds_the_closed_lines(self):
        order, _invoice = self.two_line_order(paid=1500.0)
        chair, _desk = self.lines(order)
        impact = order.with_user(self.manager).get_close_lines_impact(
            chair.ids, refund_payments=True
        )
        self.assertEqual(
            [(i["action"], i["amount"]) for i in impact if i["amount"]],
            [("credit_note", 600.0), ("refund_payment", 600.0)],
            msg="the preview: credited and refunded",
        )

        self.close_lines(order, chair, refund_payments=True)

        refund = chair.close_refund_payment_ids
        self.assertEqual(refund.payment_type, "outbound", msg="money goes out")
        self.assertEqual(refund.amount, 600.0, msg="the 6 chairs not delivered")
        self.assertAlmostEqual(self.receivable(), 0.0, msg="nothing owed either way")

        self.reopen_lines(order, chair)

        self.assertEqual(chair.qty_invoiced, 10, msg="invoiced as before")
        self.assertAlmostEqual(self.receivable(), 600.0, msg="the refunded 600 is owed again")

    def test_paid_order_keeps_the_money_as_credit_by_default(self):
        order, _invoice = self.two_line_order(paid=1500.0)
        chair, _desk = self.lines(order)

        self.close_lines(order, chair)

        self.assertFalse(chair.close_refund_payment_ids, msg="nothing paid out")
        self.assertAlmostEqual(self.receivable(), -600.0, msg="600 stays as customer credit")

    def test_refund_needs_the_reversal_right(self):
        order, _invoice = self.two_line_order(paid=1500.0)
        chair, _desk = self.lines(order)
        # A termination manager who is no sales manager may close, not pay back.
        user = self.company_user(
            "close_lines_no_refund",
            "sales_team.group_sale_salesman_all_leads,order_termination.group_termination_manager,"
            "stock.group_stock_user,account.group_account_invoice",
        )
        with self.assertRaisesRegex(AccessError, order.name):
            self.close_lines(order, chair, user=user, refund_payments=True)
        self.assertFalse(chair.is_closed, msg="nothing closed")

    def test_invoiced_beyond_delivered_is_credited_to_the_cent(self):
        tax = self.company_data["default_tax_sale"]  # 15 %
        order = self.env["sale.order"].create(
            {
                "partner_id": self.partner_a.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": self.storable.id,
                            "product_uom_qty": 7,
                            "price_unit": 33.33,
                            "tax_id": [Command.set(tax.ids)],
                        }
                    ),
                    Command.create(
                        {"product_id": self.desk.id, "product_uom_qty": 1, "price_unit": 100}
                    ),
                ],
            }
        )
        order.action_confirm()
        invoice = self.invoice(order)
        self.deliver(order, qty=3)
        chair, _desk = self.lines(order)
        before = self.receivable()

        self.close_lines(order, chair)

        credit_note = chair.close_credit_note_ids
        # 4 chairs not delivered: 4 x 33.33 = 133.32, 15 % tax 20.00 (19.998).
        self.assertEqual(credit_note.amount_untaxed, 133.32, msg="the base to the cent")
        self.assertEqual(credit_note.amount_total, 153.32, msg="the total to the cent")
        self.assertEqual(chair.qty_invoiced, 3, msg="invoiced as delivered")
        self.assertAlmostEqual(self.receivable(), before - 153.32, msg="the receivable drops")
        self.assertBalanced(invoice | credit_note)

    # ---- refusals -------------------------------------------------------------------------------
    def test_delivered_but_not_invoiced_is_refused(self):
        order = self.confirmed_order(qty=10)
        self.deliver(order, qty=4)
        with self.assertRaisesRegex(UserError, f"{order.name} has delivered"):
            self.close_lines(order, order.order_line)
        self.assertFalse(order.order_line.is_closed, msg="the line stays open")

    def test_pending_termination_refuses(self):
        order, _invoice = self.two_line_order()
        chair, _desk = self.lines(order)
        self.request(order)
        self.assertEqual(order.termination_state, "pending")

        with self.assertRaisesRegex(UserError, order.name):
            self.close_lines(order, chair)
        self.assertFalse(chair.is_closed, msg="the line stays open")
        self.assertFalse(order.with_user(self.manager).can_close_lines, msg="no button")

    def test_hold_refuses(self):
        order, _invoice = self.two_line_order()
        chair, _desk = self.lines(order)
        order.with_user(self.manager).place_hold(
            self.env.ref("order_termination.hold_reason_customer_dispute"), "Disputed."
        )

        with self.assertRaisesRegex(UserError, f"{order.name}.*release the hold"):
            self.close_lines(order, chair)
        self.assertFalse(chair.is_closed, msg="the line stays open")

    def test_a_closed_line_cannot_be_changed_or_closed_again(self):
        order, _invoice = self.two_line_order()
        chair, _desk = self.lines(order)
        self.close_lines(order, chair)
        with self.assertRaisesRegex(UserError, f"{order.name}.*reopens the line"):
            chair.with_user(self.manager).product_uom_qty = 12
        with self.assertRaisesRegex(UserError, "already closed"):
            self.close_lines(order, chair)
        with self.assertRaisesRegex(UserError, order.name):
            order.with_user(self.manager).close_lines([0], self.close_reason)

    def test_a_service_line_is_settled_at_what_was_delivered(self):
        order = self.confirmed_order(qty=2, product=self.service)  # invoiced on order
        invoice = self.invoice(order)
        line = order.order_line
        line.qty_delivered = 1

        self.close_lines(order, line)

        self.assertEqual(line.close_credit_note_ids.amount_total, 100.0, msg="1 credited")
        self.assertEqual((line.qty_delivered, line.qty_invoiced), (1, 1), msg="settled")
        self.assertTrue(order.is_closed, msg="its only line: the order closes with it")
        with self.assertRaisesRegex(UserError, order.name):
            line.with_user(self.manager).qty_delivered = 2
        self.assertBalanced(invoice | line.close_credit_note_ids)

    # ---- multi-step warehouse -------------------------------------------------------------------
    def test_pick_ship_line_goes_back_to_stock_and_is_replanned(self):
        order, invoice = self.two_line_order(steps="pick_ship")
        chair, desk = self.lines(order)
        self.validate(self.open_picking(order, self.warehouse.pick_type_id))  # all picked
        ship = self.open_picking(order, self.warehouse.out_type_id)
        for move in ship.move_ids:
            move.quantity = 4
            move.picked = True
        self.validate(ship, qty=4)  # 4 of each shipped, 6 chairs and 1 desk wait in Output
        self.assertEqual(
            self.stock_by_location(),
            {"stock": 990, "packing": 0, "output": 6, "customers": 4},
            msg="6 chairs wait in Output",
        )

        impact = order.with_user(self.manager).get_close_lines_impact(chair.ids)

        self.close_lines(order, chair)

        self.assertEqual(
            sorted((i["action"], i["quantity"]) for i in impact),
            [("credit_note", False), ("reduce_picking", 6), ("return_picking", 6)],
            msg="the preview listed what was done",
        )
        returns = chair.close_return_picking_ids
        self.assertEqual(returns.state, "done", msg="the return of the pick is received")
        self.assertEqual(returns.move_ids.quantity, 6, msg="the 6 chairs not shipped")
        self.assertEqual(
            self.stock_by_location(),
            {"stock": 996, "packing": 0, "output": 0, "customers": 4},
            msg="no chair stranded in Output",
        )
        self.assertEqual(
            self.stock_by_location(self.desk)["output"], 1, msg="the desk still waits to ship"
        )
        self.assertFalse(self.open_moves(chair), msg="no chair due")
        self.assertEqual(self.open_moves(desk).product_uom_qty, 1, msg="the desk still due")
        self.assertEqual(chair.close_credit_note_ids.amount_total, 600.0, msg="6 credited")
        self.assertEqual((chair.qty_delivered, chair.qty_invoiced), (4, 4), msg="settled")

        self.reopen_lines(order, chair)

        picks = self.open_moves(chair).filtered(
            lambda m: m.picking_type_id == self.warehouse.pick_type_id
        )
        self.assertEqual(sum(picks.mapped("product_uom_qty")), 6, msg="picked again from stock")
        self.assertEqual((chair.qty_delivered, chair.qty_invoiced), (4, 10), msg="as before")
        self.assertAlmostEqual(self.receivable(), 1500.0, msg="receivable as before")
        self.assertBalanced(invoice | chair.invoice_lines.move_id)

    def test_pick_ship_lot_goods_go_back_to_stock_with_their_lots(self):
        """Paint in two lots, all picked, 4 shipped: closing the line takes the 6 waiting in
        Output back to stock in the lots they were picked in, and a reopen picks them again."""
        self.warehouse.delivery_steps = "pick_ship"
        paint = self.lot_tracked_product()
        lots = self.env["stock.lot"].create(
            [
                {"name": name, "product_id": paint.id, "company_id": self.company.id}
                for name in ("P-1", "P-2")
            ]
        )
        for lot, qty in zip(lots, (4, 6), strict=True):
            self.env["stock.quant"]._update_available_quantity(
                paint, self.stock_location, qty, lot_id=lot
            )
        order = self.confirmed_order(qty=10, product=paint)
        self.validate(self.open_picking(order, self.warehouse.pick_type_id))  # all picked
        ship = self.open_picking(order, self.warehouse.out_type_id)
        self.validate(ship, qty=4)
        self.invoice(order)
        line = order.order_line
        shipped = {
            lot: sum(
                ship.move_line_ids.filtered(lambda ml, lot=lot: ml.lot_id == lot).mapped("quantity")
            )
            for lot in lots
        }
        self.assertEqual(sum(shipped.values()), 4)
        in_output = {lot: self.stock_by_location(paint, lot)["output"] for lot in lots}
        self.assertEqual(sum(in_output.values()), 6, msg="6 wait in Output")

        self.close_lines(order, line)

        returns = line.close_return_picking_ids
        self.assertEqual(returns.state, "done", msg="the return of the pick is received")
        self.assertEqual(
            {
                lot: sum(
                    returns.move_line_ids.filtered(lambda ml, lot=lot: ml.lot_id == lot).mapped(
                        "quantity"
                    )
                )
                for lot in lots
            },
            in_output,
            msg="each lot comes back as much as waited in Output",
        )
        for lot, initial in zip(lots, (4, 6), strict=True):
            self.assertEqual(
                self.stock_by_location(paint, lot),
                {
                    "stock": initial - shipped[lot],
                    "packing": 0,
                    "output": 0,
                    "customers": shipped[lot],
                },
                msg=f"lot {lot.name} back in stock",
            )
        self.assertEqual((line.qty_delivered, line.qty_invoiced), (4, 4), msg="settled at 4")
        self.assertFalse(self.open_moves(line), msg="nothing due")

        self.reopen_lines(order, line)

        picks = self.open_moves(line).filtered(
            lambda m: m.picking_type_id == self.warehouse.pick_type_id
        )
        self.assertEqual(sum(picks.mapped("product_uom_qty")), 6, msg="picked again from stock")
        self.assertEqual((line.qty_delivered, line.qty_invoiced), (4, 4), msg="as before")

    # ---- wizards --------------------------------------------------------------------------------
    def test_wizards_preview_close_and_reopen(self):
        order, invoice = self.two_line_order()
        chair, _desk = self.lines(order)
        as_manager = order.with_user(self.manager)
        self.assertTrue(as_manager.can_close_lines, msg="Close Lines shows for the manager")
        self.assertFalse(as_manager.can_reopen_lines, msg="nothing to reopen yet")
        action = as_manager.action_close_lines()
        wizard = (
            self.env[action["res_model"]]
            .with_user(self.manager)
            .with_context(**action["context"])
            .create({"line_ids": [Command.set(chair.ids)], "reason_id": self.close_reason.id})
        )
        preview = str(wizard.impact_html)
        self.assertIn(invoice.name, preview, msg="the preview names the credited invoice")
        self.assertIn("600", preview, msg="and the amount")

        wizard.action_close_lines()

        self.assertTrue(chair.is_closed, msg="closed by the wizard")
        self.assertTrue(as_manager.can_reopen_lines, msg="Reopen Lines shows")
        action = as_manager.action_reopen_lines()
        wizard = (
            self.env[action["res_model"]]
            .with_user(self.manager)
            .with_context(**action["context"])
            .create({"note": "Chairs after all."})
        )
        self.assertEqual(wizard.line_ids, chair, msg="the closed lines are proposed")
        wizard.action_reopen_lines()
        self.assertFalse(chair.is_closed, msg="reopened by the wizard")
        self.assertEqual(chair.qty_invoiced, 10, msg="invoiced as before")

    def test_close_wizard_previews_the_whole_short_close(self):
        """The order's forced close reads the same plan: preview = execution."""
        order, invoice = self.two_line_order()
        backorder = order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        wizard = (
            self.env["sale.order.close.wizard"]
            .with_user(self.manager)
            .create({"order_id": order.id, "reason_id": self.close_reason.id})
        )
        self.assertTrue(wizard.force, msg="only a short close works")
        preview = str(wizard.impact_html)
        self.assertIn(backorder.name, preview, msg="the backorder is named")
        self.assertIn(invoice.name, preview, msg="and the credited invoice")
        impact = order._get_short_close_impact(order._prepare_short_close_plan())
        self.assertEqual(
            [(i["action"], i["res_id"], i["quantity"], i["amount"]) for i in impact],
            [("cancel_picking", backorder.id, 7, False), ("credit_note", invoice.id, False, 700)],
            msg="6 chairs and 1 desk not delivered",
        )

        wizard.action_close()

        self.assertEqual(backorder.state, "cancel", msg="as previewed")
        self.assertEqual(order.close_credit_note_ids.amount_total, 700.0, msg="as previewed")
