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
        cls.lot_product = cls.lot_tracked_product()
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

    # ---- an edited credit note, then cancel / revoke cycles ------------------------------------
    def wizard_credit_note(self, invoice, quantity, price):
        """A credit note made with the reversal wizard, edited to `quantity` at `price`."""
        reversal = (
            invoice.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"journal_id": invoice.journal_id.id, "reason": "Damaged"})
        )
        credit_note = invoice.browse(reversal.refund_moves()["res_id"])
        credit_note.invoice_line_ids.write({"quantity": quantity, "price_unit": price})
        credit_note.action_post()
        return credit_note

    def billed(self, order):
        """What the order's lines are billed net of credit notes (posted entries)."""
        return sum(
            (1 if line.move_id.move_type == "out_invoice" else -1) * line.price_total
            for line in order.order_line.invoice_lines
            if line.parent_state == "posted"
        )

    def edited_credit_cancelled_and_revoked_order(self):
        """2 chairs invoiced (200), a wizard credit note edited to 2 at 50 (100), cancelled
        (credit of the 100 left: an amount without quantity) and revoked by a sales manager."""
        order = self.confirmed_order([(self.storable, 2), (self.lot_product, 8)])
        invoice = self.invoice(order)
        self.wizard_credit_note(invoice.with_user(self.sales_manager), 2, 50.0)
        self.assertEqual(self.billed(order), 100.0, msg="200 billed, 100 credited")
        as_manager = order.with_user(self.sales_manager)
        as_manager.cancel_with_reversal(self.reason, refund_payments=True)
        as_manager.revoke_cancel(note="Back on")
        self.assertEqual(self.billed(order), 100.0, msg="billed 100 again")
        return order

    @users("orc_sales_manager")
    def test_edited_credit_note_then_cancel_revoke_cancel_credits_exactly(self):
        order = self.edited_credit_cancelled_and_revoked_order().with_user(self.env.user)
        receivable = self.receivable()
        preview = [
            line["amount"] for line in order.get_cancel_impact() if line["action"] == "credit_note"
        ]

        cancellation = order.cancel_with_reversal(self.reason)

        self.assertEqual(
            cancellation.credit_note_ids.mapped("amount_total"), [100.0], msg="credits the 100"
        )
        self.assertEqual(preview, [100.0], msg="the preview showed what was posted")
        self.assertEqual(self.billed(order), 0.0, msg="nothing billed any more")
        self.assertAlmostEqual(self.receivable(), receivable - 100.0, msg="receivable -100")

    @users("plain_salesman")
    def test_salesman_preview_of_cancel_after_edited_credit_note(self):
        order = self.edited_credit_cancelled_and_revoked_order().with_user(self.env.user)

        impact = order.get_cancel_impact()

        self.assertEqual(
            [line["amount"] for line in impact if line["action"] == "credit_note"],
            [100.0],
            msg="the 100 still billed is credited, not 200",
        )
        self.assertEqual(order.state, "sale", msg="a preview changes nothing")

    # ---- returns of a pack and a pick with lots, received by the warehouse ----------------------
    @users("orc_sales_manager")
    def test_lot_returns_of_pack_and_pick_received_in_order(self):
        """pick_pack_ship: all picked, part packed, cancelled without receiving: the pick's
        return waits for the pack's, then reserves the lots it brought back (the soak's
        warehouse had validated both at once, which Odoo refuses for lots)."""
        self.warehouse.delivery_steps = "pick_pack_ship"
        order = self.confirmed_order([(self.lot_product, 6), (self.storable, 7)])
        self.validate(self.open_picking(order, self.warehouse.pick_type_id))
        self.validate(self.open_picking(order, self.warehouse.pack_type_id), qty=3)
        cancellation = order.with_user(self.env.user).cancel_with_reversal(self.reason)
        returns = cancellation.return_picking_ids
        pack_return = returns.filtered(
            lambda p: p.return_id.picking_type_id == self.warehouse.pack_type_id
        )
        pick_return = returns - pack_return
        self.assertEqual(pack_return.state, "assigned", msg="the pack return is ready")

        self.receive(pack_return)
        pick_return.action_assign()
        self.assertEqual(pick_return.state, "assigned", msg="the pick return has its goods now")
        self.assertEqual(
            sum(pick_return.move_line_ids.filtered("lot_id").mapped("quantity")),
            6,
            msg="all the paint, by lot",
        )
        self.receive(pick_return)

        self.assertStock(
            {"stock": 600, "packing": 0, "output": 0, "customers": 0},
            self.lot_product,
            msg="the lots are back in stock",
        )

    # ---- a hand-made credit note after a payment with a write-off -------------------------------
    def written_off_and_credited_by_hand(self):
        """10 chairs invoiced (1,000), paid 990 with the 10 left written off, then a credit note
        of the paid invoice made with the reversal wizard and edited to 5 at 100 (500): Odoo
        leaves it open, the customer holds 500 of credit."""
        order = self.confirmed_order([(self.storable, 10)])
        self.deliver(order)
        invoice = self.invoice(order)
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create(
            {
                "amount": 990.0,
                "payment_difference_handling": "reconcile",
                "writeoff_account_id": self.company_data["default_account_expense"].id,
                "writeoff_label": "Bank charges",
            }
        )._create_payments()
        credit_note = self.wizard_credit_note(invoice.with_user(self.sales_manager), 5, 100.0)
        self.assertEqual(invoice.payment_state, "paid")
        self.assertAlmostEqual(credit_note.amount_residual, 500.0, msg="left open by Odoo")
        self.assertAlmostEqual(self.receivable(), -500.0)
        return order, invoice, credit_note

    @users("orc_sales_manager")
    def test_hand_credit_note_after_write_off_cancel_keeps_the_money_received(self):
        order, invoice, _credit_note = self.written_off_and_credited_by_hand()
        order = order.with_user(self.env.user)
        impact = order.get_cancel_impact()

        cancellation = order.cancel_with_reversal(self.reason)

        self.assertEqual(cancellation.credit_note_ids.amount_total, 500.0, msg="the 500 left")
        self.assertAlmostEqual(
            self.receivable(), -990.0, msg="the customer holds the money received, not 1,000"
        )
        self.assertAlmostEqual(invoice.amount_residual, 0.0)
        previewed = {line["action"]: line["amount"] for line in impact}
        self.assertEqual(previewed["reverse_writeoff"], 10.0, msg="the whole write-off")
        self.assertEqual(previewed["customer_credit"], 490.0, msg="with the 500 held: 990")
        order.revoke_cancel(note="Back on")
        self.assertAlmostEqual(self.receivable(), -500.0, msg="revoke restores the receivable")

    @users("orc_sales_manager")
    def test_hand_credit_note_after_write_off_cancel_refunds_the_money_received(self):
        order, invoice, credit_note = self.written_off_and_credited_by_hand()
        order = order.with_user(self.env.user)
        impact = order.get_cancel_impact(refund_payments=True)

        cancellation = order.cancel_with_reversal(self.reason, refund_payments=True)

        self.assertEqual(
            sum(cancellation.refund_payment_ids.mapped("amount")), 990.0, msg="every cent paid"
        )
        self.assertEqual(
            sum(line["amount"] for line in impact if line["action"] == "refund_payment"),
            990.0,
            msg="as previewed",
        )
        for move in invoice | credit_note | cancellation.credit_note_ids:
            self.assertAlmostEqual(move.amount_residual, 0.0, msg=f"{move.name} settled")
        self.assertAlmostEqual(self.receivable(), 0.0, msg="the customer neither owes nor holds")
