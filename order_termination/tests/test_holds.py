from datetime import timedelta

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from odoo.addons.order_revoke_cancel.tests.common import ButtonAgreementMixin

from .common import TerminationCase


@tagged("post_install", "-at_install")
class TestHolds(ButtonAgreementMixin, TerminationCase):
    """Holds placed by hand for a reason: who may place and release them, what each kind
    blocks on every path (buttons, RPC, mass actions, the auto-close cron), and their
    independence from the termination hold."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.credit_check = cls.env.ref("order_termination.hold_reason_credit_check")
        cls.dispute = cls.env.ref("order_termination.hold_reason_customer_dispute")
        cls.quality = cls.env.ref("order_termination.hold_reason_quality_check")
        cls.awaiting_payment = cls.env.ref("order_termination.hold_reason_awaiting_payment")
        cls.price_check = cls.env["sale.hold.reason"].create(
            {
                "name": "Price check",
                "blocks": "invoicing",
                "group_id": cls.env.ref("sales_team.group_sale_salesman").id,
            }
        )
        # A termination manager who is neither sales manager nor billing user.
        cls.term_manager = cls.company_user(
            "hold_term_manager",
            "sales_team.group_sale_salesman_all_leads,stock.group_stock_user,"
            "order_termination.group_termination_manager",
        )
        cls.close_reason = cls.env.ref("order_termination.close_reason_completed")
        cls.cancel_reason = cls.env.ref("order_revoke_cancel.cancel_reason_customer_request")

    # ---- helpers -----------------------------------------------------------------------------
    def salesman_order(self, confirm=True):
        """An order of the plain salesman (salesman and warehouse user)."""
        order = self.env["sale.order"].create(
            {
                "partner_id": self.partner_a.id,
                "user_id": self.salesman.id,
                "order_line": [
                    Command.create(
                        {"product_id": self.storable.id, "product_uom_qty": 5, "price_unit": 100}
                    )
                ],
            }
        )
        if confirm:
            order.action_confirm()
        return order

    def hold(self, order, reason, user=None, note=None):
        order.with_user(user or self.manager).place_hold(reason, note)
        return order

    def mass_cancel(self, orders, user=None):
        wizard = (
            self.env["sale.mass.cancel.orders"]
            .with_user(user or self.manager)
            .with_context(active_model="sale.order", active_ids=orders.ids)
            .create({"cancel_reason_id": self.cancel_reason.id})
        )
        wizard.action_mass_cancel()
        return wizard

    def mass_close(self, orders, user=None):
        wizard = (
            self.env["sale.order.mass.close"]
            .with_user(user or self.manager)
            .with_context(active_model="sale.order", active_ids=orders.ids)
            .create({"reason_id": self.close_reason.id})
        )
        wizard.action_close()
        return wizard

    def auto_close(self):
        self.company.auto_close_days = 3
        with freeze_time(fields.Datetime.now() + timedelta(days=4)):
            self.env["sale.order"]._cron_auto_close(commit=False)

    # ---- rights --------------------------------------------------------------------------------
    def test_salesman_places_and_releases_reasons_of_his_groups(self):
        order = self.salesman_order()
        as_salesman = order.with_user(self.salesman)
        self.assertTrue(as_salesman.can_place_hold, msg="the salesman may place some reasons")
        as_salesman.place_hold(self.dispute, "The customer contests the price.")
        self.assertEqual(order.hold_reason_id, self.dispute)
        self.assertEqual(order.hold_user_id, self.salesman)
        self.assertTrue(order.hold_date)
        self.assertEqual(order.hold_note, "The customer contests the price.")
        self.assertTrue(as_salesman.can_release_hold)
        as_salesman.release_hold("Agreed on the price.")
        self.assertFalse(order.hold_reason_id, msg="the hold is released")
        self.assertFalse(order.hold_user_id or order.hold_date or order.hold_note)
        # The quality check belongs to warehouse users, which this salesman is.
        as_salesman.place_hold(self.quality)
        self.assertEqual(order.hold_reason_id, self.quality)

    def test_salesman_may_not_place_or_release_other_groups_reasons(self):
        order = self.salesman_order()
        as_salesman = order.with_user(self.salesman)
        with self.assertRaisesRegex(AccessError, order.name):
            as_salesman.place_hold(self.credit_check)
        self.assertFalse(order.hold_reason_id, msg="the refused hold is not placed")
        # The requester is a salesman without warehouse rights: no quality check.
        requester_order = self.confirmed_order()
        with self.assertRaises(AccessError):
            requester_order.with_user(self.requester).place_hold(self.quality)
        # A credit check placed by finance (here a sales manager) is not released by him.
        self.hold(order, self.credit_check)
        self.assertFalse(as_salesman.can_release_hold)
        with self.assertRaisesRegex(AccessError, "termination managers"):
            as_salesman.release_hold()
        self.assertEqual(order.hold_reason_id, self.credit_check, msg="still on hold")

    def test_managers_always_may(self):
        order = self.salesman_order()
        # The termination manager has no billing right, yet holds for a credit check.
        order.with_user(self.term_manager).place_hold(self.credit_check, "Limit exceeded.")
        self.assertEqual(order.hold_reason_id, self.credit_check)
        order.with_user(self.term_manager).release_hold()
        self.assertFalse(order.hold_reason_id)
        # The sales manager is a termination manager too.
        order.with_user(self.manager).place_hold(self.awaiting_payment)
        self.assertEqual(order.hold_user_id, self.manager)
        order.with_user(self.manager).release_hold()
        self.assertFalse(order.hold_reason_id)

    def test_buttons_agree_with_the_methods(self):
        order = self.salesman_order()
        self.assertButtonAgrees(
            order, self.salesman, "can_release_hold", lambda o: o.release_hold(), False
        )
        record = order.with_user(self.salesman)
        self.assertTrue(record.can_place_hold)
        record.place_hold(self.dispute)
        record.invalidate_recordset(["can_place_hold", "can_release_hold"])
        self.assertFalse(record.can_place_hold, msg="no second hold on a held order")
        self.assertTrue(record.can_release_hold)
        with self.assertRaisesRegex(UserError, "already on hold"):
            record.place_hold(self.quality)
        record.release_hold()
        # Cancelled and closed orders are not put on hold.
        cancelled = self.salesman_order(confirm=False)
        cancelled._action_cancel()
        self.assertButtonAgrees(
            cancelled, self.manager, "can_place_hold", lambda o: o.place_hold(self.dispute), False
        )
        closed = self.settled_order()
        closed.close(reason=self.close_reason)
        self.assertButtonAgrees(
            closed, self.manager, "can_place_hold", lambda o: o.place_hold(self.dispute), False
        )

    def test_arguments_are_validated(self):
        order = self.salesman_order()
        as_manager = order.with_user(self.manager)
        for bad in ("credit", 1.5, [self.dispute.id], True):
            with self.assertRaisesRegex(UserError, order.name):
                as_manager.place_hold(bad)
        with self.assertRaisesRegex(UserError, "Choose"):
            as_manager.place_hold(False)
        with self.assertRaisesRegex(UserError, "no Order Hold Reason with id"):
            as_manager.place_hold(987654321)
        with self.assertRaisesRegex(UserError, "must be a text"):
            as_manager.place_hold(self.dispute, note=42)
        archived = self.env["sale.hold.reason"].create({"name": "Old", "active": False})
        with self.assertRaisesRegex(UserError, "archived"):
            as_manager.place_hold(archived)
        other_company = self.env["res.company"].create({"name": "Other hold company"})
        foreign = self.env["sale.hold.reason"].create(
            {"name": "Foreign", "company_id": other_company.id}
        )
        with self.assertRaises(UserError):
            order.place_hold(foreign.id)
        self.assertFalse(order.hold_reason_id, msg="nothing was placed")
        with self.assertRaisesRegex(UserError, "not on hold"):
            as_manager.release_hold()
        as_manager.place_hold(self.dispute.id)
        with self.assertRaisesRegex(UserError, "must be a text"):
            as_manager.release_hold(note=["x"])
        self.assertEqual(order.hold_reason_id, self.dispute)

    def test_state_fields_are_not_writable(self):
        order = self.salesman_order()
        for user in (self.manager, self.env.ref("base.user_admin")):
            with self.assertRaisesRegex(AccessError, "place_hold"):
                order.with_user(user).write({"hold_reason_id": self.dispute.id})
        with self.assertRaises(AccessError):
            order.sudo().write({"hold_user_id": self.manager.id})
        with self.assertRaises(AccessError):
            order.sudo().write({"hold_date": fields.Datetime.now(), "hold_note": "x"})
        with self.assertRaises(AccessError):
            self.env["sale.order"].create(
                {"partner_id": self.partner_a.id, "hold_reason_id": self.dispute.id}
            )
        self.hold(order, self.dispute)
        with self.assertRaises(AccessError):
            order.sudo().write({"hold_reason_id": False})
        self.assertEqual(order.hold_reason_id, self.dispute, msg="only release_hold releases")
        copy = order.copy()
        self.assertFalse(copy.hold_reason_id, msg="a copy is not on hold")

    # ---- what a hold for everything blocks ------------------------------------------------------
    def test_hold_for_everything_refuses_every_path(self):
        order = self.salesman_order()
        invoice = self.invoice(order, post=False)
        self.hold(order, self.dispute, user=self.salesman)
        picking = self.pick_all(order.picking_ids)
        message = f"{order.name} cannot be modified while it is on hold"
        with self.assertRaisesRegex(UserError, "No delivery of"):
            picking.with_user(self.salesman).button_validate()
        with self.assertRaisesRegex(UserError, "No delivery of"):
            picking._action_done()
        self.assertTrue(picking.termination_block_message, msg="the picking shows the hold")
        with self.assertRaisesRegex(UserError, "No invoice of"):
            invoice.action_post()
        with self.assertRaisesRegex(UserError, "cannot be invoiced"):
            order._create_invoices()
        with self.assertRaisesRegex(UserError, message):
            order.with_user(self.salesman).write({"note": "changed"})
        with self.assertRaisesRegex(UserError, message):
            order.order_line.product_uom_qty = 7
        with self.assertRaisesRegex(UserError, "cannot be cancelled"):
            order._action_cancel()
        with self.assertRaisesRegex(UserError, "cannot be cancelled"):
            order.with_user(self.manager).cancel_with_reversal(self.cancel_reason)
        self.assertFalse(order.with_user(self.manager).can_cancel_order)
        wizard = self.mass_cancel(order)
        self.assertIn("on hold", wizard.result_line_ids.note, msg="mass cancel says why")
        self.assertEqual(picking.state, "assigned", msg="the delivery is not validated")
        self.assertEqual(invoice.state, "draft", msg="the invoice is not posted")
        self.assertEqual(order.state, "sale", msg="the order is not cancelled")
        self.assertEqual(order.order_line.product_uom_qty, 5, msg="the quantity is kept")
        self.assertEqual(len(order.invoice_ids), 1, msg="no new invoice")
        # Released, the order carries on.
        order.with_user(self.salesman).release_hold("Settled with the customer.")
        self.deliver(order)
        invoice.action_post()
        self.assertEqual(order.picking_ids.state, "done")
        self.assertEqual(invoice.state, "posted")

    def test_hold_for_everything_refuses_confirmation(self):
        quotation = self.salesman_order(confirm=False)
        self.hold(quotation, self.credit_check)
        with self.assertRaisesRegex(UserError, "cannot be confirmed"):
            quotation.with_user(self.salesman).action_confirm()
        self.assertEqual(quotation.state, "draft")
        self.assertFalse(quotation.picking_ids, msg="no delivery was made")
        quotation.with_user(self.manager).release_hold()
        quotation.action_confirm()
        self.assertEqual(quotation.state, "sale")

    def test_hold_for_everything_refuses_close_mass_close_and_cron(self):
        by_hand, by_mass, by_cron = (self.settled_order() for _i in range(3))
        for order in by_hand | by_mass | by_cron:
            self.hold(order, self.credit_check)
        with self.assertRaisesRegex(UserError, "cannot be closed while it is on hold"):
            by_hand.with_user(self.manager).close(reason=self.close_reason)
        self.assertFalse(by_hand.with_user(self.manager).can_close_order)
        self.assertFalse(by_hand.with_user(self.manager).can_force_close_order)
        with self.assertRaisesRegex(UserError, "on hold"):
            by_hand.with_user(self.manager).close(reason=self.close_reason, force=True)
        wizard = self.mass_close(by_mass)
        self.assertEqual((wizard.closed_count, wizard.skipped_count), (0, 1))
        self.assertIn("on hold", wizard.result_ids.message)
        self.auto_close()
        self.assertFalse((by_hand | by_mass | by_cron).filtered("is_closed"), msg="none closed")
        # Released, the cron closes it.
        by_cron.with_user(self.manager).release_hold()
        self.auto_close()
        self.assertTrue(by_cron.is_closed, msg="the released order is closed by the cron")

    def test_hold_for_everything_in_mass_cancel_leaves_others_alone(self):
        held, free = self.salesman_order(), self.salesman_order()
        self.hold(held, self.dispute)
        self.mass_cancel(held | free)
        self.assertEqual(held.state, "sale", msg="the held order is not cancelled")
        self.assertEqual(free.state, "cancel", msg="the other one is")
        self.assertEqual(held.picking_ids.state, "assigned")

    # ---- what a delivery hold blocks ----------------------------------------------------------
    def test_delivery_hold_blocks_deliveries_only(self):
        order = self.salesman_order()
        self.hold(order, self.quality, user=self.salesman, note="Batch under inspection.")
        picking = self.pick_all(order.picking_ids)
        as_warehouse = picking.with_user(self.warehouse_approver)
        self.assertIn("Quality check", as_warehouse.termination_block_message)
        with self.assertRaisesRegex(UserError, "No delivery of"):
            as_warehouse.button_validate()
        with self.assertRaisesRegex(UserError, "No delivery of"):
            picking._action_done()
        self.assertEqual(picking.state, "assigned", msg="the delivery is not validated")
        # Everything else works: edit, invoice, post.
        order.with_user(self.salesman).write({"note": "Inspection asked."})
        invoice = self.invoice(order)
        self.assertEqual(invoice.state, "posted")
        self.assertTrue(order.with_user(self.manager).can_cancel_order)
        order.with_user(self.salesman).release_hold()
        self.assertFalse(picking.termination_block_message)
        self.validate(picking)
        self.assertEqual(picking.state, "done")

    def test_delivery_hold_does_not_stop_returns_of_a_cancellation(self):
        order = self.delivered_and_invoiced()
        self.hold(order, self.awaiting_payment)
        self.assertTrue(order.with_user(self.manager).can_cancel_order)
        order.with_user(self.manager).cancel_with_reversal(self.cancel_reason, receive_returns=True)
        self.assertEqual(order.state, "cancel")
        returns = order.picking_ids.filtered(lambda p: p.picking_type_code == "incoming")
        self.assertEqual(returns.state, "done", msg="goods coming back are received")
        self.assertEqual(order.hold_reason_id, self.awaiting_payment, msg="the hold stays")

    def test_delivery_hold_on_mass_close_and_cron(self):
        """A settled order has nothing left to deliver: a delivery hold does not keep it
        open."""
        by_mass, by_cron = self.settled_order(), self.settled_order()
        self.hold(by_mass, self.quality)
        self.hold(by_cron, self.quality)
        self.mass_close(by_mass)
        self.auto_close()
        self.assertTrue(by_mass.is_closed and by_cron.is_closed)
        self.assertEqual(by_mass.hold_reason_id, self.quality, msg="closing keeps the hold")
        by_mass.with_user(self.manager).release_hold()
        self.assertFalse(by_mass.hold_reason_id, msg="a closed order's hold can be released")

    # ---- what an invoicing hold blocks --------------------------------------------------------
    def test_invoicing_hold_blocks_invoices_only(self):
        order = self.salesman_order()
        draft = self.invoice(order, post=False)
        self.hold(order, self.price_check, user=self.salesman)
        with self.assertRaisesRegex(UserError, "cannot be invoiced while it is on hold"):
            order._create_invoices()
        with self.assertRaisesRegex(UserError, "No invoice of"):
            draft.action_post()
        advance = (
            self.env["sale.advance.payment.inv"]
            .with_context(active_model="sale.order", active_ids=order.ids)
            .create({"advance_payment_method": "percentage", "amount": 10})
        )
        with self.assertRaisesRegex(UserError, "cannot be invoiced"):
            advance.create_invoices()
        self.assertEqual(order.invoice_ids, draft, msg="no down payment invoice")
        self.assertEqual(draft.state, "draft", msg="the invoice is not posted")
        # Deliveries and edits go on.
        self.deliver(order)
        self.assertEqual(order.picking_ids.state, "done")
        order.with_user(self.salesman).write({"note": "Price under review."})
        order.with_user(self.salesman).release_hold()
        draft.action_post()
        self.assertEqual(draft.state, "posted")

    def test_invoicing_hold_lets_cancel_and_revoke_post_their_own_documents(self):
        """Cancelling is not blocked by an invoicing hold: its credit note is posted; revoke
        posts the invoice undoing it. A direct invoice stays refused meanwhile."""
        order = self.delivered_and_invoiced()
        invoice = order.invoice_ids
        self.hold(order, self.price_check)
        self.assertTrue(order.with_user(self.manager).can_cancel_order)
        cancellation = order.with_user(self.manager).cancel_with_reversal(self.cancel_reason)
        self.assertEqual(order.state, "cancel")
        self.assertEqual(cancellation.credit_note_ids.state, "posted", msg="credit note posted")
        self.assertEqual(invoice.payment_state, "reversed")
        self.assertTrue(order.with_user(self.manager).can_revoke_cancel)
        order.with_user(self.manager).revoke_cancel("Customer changed his mind.")
        self.assertEqual(order.state, "sale")
        restored = cancellation.revoke_invoice_ids
        self.assertTrue(restored and all(m.state == "posted" for m in restored))
        self.assertEqual(order.hold_reason_id, self.price_check, msg="the hold stays")
        with self.assertRaisesRegex(UserError, "cannot be invoiced while it is on hold"):
            order._create_invoices()

    def test_hold_for_everything_refuses_revoke(self):
        order = self.salesman_order()
        self.hold(order, self.quality)
        order.with_user(self.manager).cancel_with_reversal(self.cancel_reason)
        # The reason is reconfigured to block everything while the order is cancelled.
        self.quality.blocks = "all"
        self.assertFalse(order.with_user(self.manager).can_revoke_cancel)
        with self.assertRaisesRegex(UserError, "on hold"):
            order.with_user(self.manager).revoke_cancel()
        self.assertEqual(order.state, "cancel")

    # ---- independence from the termination hold -------------------------------------------------
    def test_hold_and_termination_hold_are_independent(self):
        order = self.confirmed_order()
        request = self.request(order)
        # A hold may be placed on an order under a pending termination request.
        self.hold(order, self.dispute)
        order.with_user(self.manager).release_hold()
        with self.assertRaisesRegex(UserError, request.name):
            order.write({"note": "changed"})
        self.hold(order, self.dispute)
        request.with_user(self.requester).action_withdraw()
        self.assertEqual(order.hold_reason_id, self.dispute, msg="withdrawing keeps the hold")
        with self.assertRaisesRegex(UserError, "on hold \\(Customer dispute\\)"):
            order.write({"note": "changed"})
        picking = self.pick_all(order.picking_ids)
        with self.assertRaises(UserError):
            picking.button_validate()
        self.assertEqual(picking.state, "assigned")

    def test_termination_outcome_does_not_release_the_hold(self):
        (self.step_wh | self.step_fin).active = False
        order = self.confirmed_order()
        self.hold(order, self.quality)
        request = self.request(order)
        self.assertEqual(request.state, "done", msg="the termination executes at once")
        self.assertEqual(order.state, "cancel")
        self.assertEqual(order.hold_reason_id, self.quality, msg="the manual hold stays")
        rejected_order = self.confirmed_order()
        self.hold(rejected_order, self.dispute)
        self.step_wh.active = True
        rejected = self.request(rejected_order)
        rejected.with_user(self.warehouse_approver).action_reject("We can still deliver.")
        self.assertEqual(rejected.state, "rejected")
        self.assertEqual(rejected_order.hold_reason_id, self.dispute, msg="still on hold")

    # ---- chatter, activity, banner, wizards, report --------------------------------------------
    def test_messages_activity_and_banner(self):
        order = self.salesman_order()
        activity_type = self.env.ref("order_termination.mail_activity_order_on_hold")
        wizard = Form.from_action(self.env(user=self.manager), order.action_place_hold())
        wizard.reason_id = self.credit_check
        wizard.note = "Over the credit limit."
        wizard.save().action_place_hold()
        self.assertEqual(order.hold_reason_id, self.credit_check, msg="the wizard delegates")
        self.assertIn("Order put on hold: Credit check.", order.message_ids[0].body)
        self.assertIn("Over the credit limit.", order.message_ids[0].body)
        activity = order.activity_ids.filtered(lambda a: a.activity_type_id == activity_type)
        self.assertEqual(activity.user_id, self.salesman, msg="the salesperson follows it up")
        self.assertIn("Credit check", order.hold_banner)
        self.assertIn(self.manager.name, order.hold_banner)
        self.assertIn("Over the credit limit.", order.hold_banner)
        self.assertEqual(order.hold_age_days, 0)
        report = self.env["sale.order"].search([("hold_reason_id", "!=", False)])
        self.assertIn(order, report, msg="the report lists the order")
        release = Form.from_action(self.env(user=self.manager), order.action_release_hold())
        release.note = "Paid the overdue invoices."
        release.save().action_release_hold()
        self.assertFalse(order.hold_reason_id)
        self.assertFalse(order.hold_banner)
        self.assertFalse(
            order.activity_ids.filtered(lambda a: a.activity_type_id == activity_type),
            msg="the activity is done",
        )
        bodies = "".join(order.message_ids.mapped("body"))
        self.assertIn("Hold released: Credit check.", bodies)
        self.assertIn("Paid the overdue invoices.", bodies)
        with freeze_time(fields.Datetime.now() + timedelta(days=3)):
            self.hold(order, self.dispute)
        order.invalidate_recordset(["hold_age_days"])
        with freeze_time(fields.Datetime.now() + timedelta(days=5, hours=1)):
            order.invalidate_recordset(["hold_age_days"])
            self.assertEqual(order.hold_age_days, 2, msg="age in days since the hold")

    def test_wizard_offers_only_the_users_reasons(self):
        order = self.salesman_order()
        wizard = Form.from_action(self.env(user=self.salesman), order.action_place_hold())
        wizard.reason_id = self.dispute
        offered = wizard.save().allowed_reason_ids
        self.assertIn(self.dispute, offered)
        self.assertIn(self.quality, offered)
        self.assertNotIn(self.credit_check, offered)

    def test_hold_reasons_access_and_companies(self):
        other_company = self.env["res.company"].create({"name": "Other reasons company"})
        foreign = self.env["sale.hold.reason"].create(
            {"name": "Foreign hold", "company_id": other_company.id}
        )
        Reason = self.env["sale.hold.reason"].with_user(self.salesman)
        visible = Reason.search([])
        self.assertIn(self.dispute, visible, msg="salesmen read the shared reasons")
        self.assertNotIn(foreign, visible, msg="not those of another company")
        with self.assertRaises(AccessError):
            Reason.create({"name": "Mine", "blocks": "all"})
        with self.assertRaises(AccessError):
            self.dispute.with_user(self.salesman).blocks = "delivery"
        managed = (
            self.env["sale.hold.reason"]
            .with_user(self.term_manager)
            .create({"name": "Fraud check", "blocks": "all", "company_id": self.company.id})
        )
        self.assertEqual(
            managed.group_id,
            self.env.ref("sales_team.group_sale_salesman"),
            msg="salesmen place a new reason unless another group is chosen",
        )
