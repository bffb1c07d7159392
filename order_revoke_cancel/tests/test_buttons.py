from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import ButtonAgreementMixin, OrderEndOfLifeCase


@tagged("post_install", "-at_install")
class TestRevokeCancelButtons(ButtonAgreementMixin, OrderEndOfLifeCase):
    """Revoke Cancellation and Set to Quotation show exactly where they work."""

    def _cancelled(self, order=None):
        order = order or self.confirmed_order(user_id=self.salesman.id)
        order.with_user(self.sales_manager).cancel_with_reversal(self.reason)
        return order

    def test_revoke_shown_to_revokers_only(self):
        order = self._cancelled()
        self.assertButtonAgrees(
            order,
            self.salesman,
            "can_revoke_cancel",
            lambda o: o.revoke_cancel(),
            False,
            AccessError,
            "a salesman may not revoke",
        )
        self.assertFalse(
            order.with_user(self.salesman).revoke_cancel_refusal,
            msg="users who may not revoke are not told what else stands in the way",
        )
        self.assertButtonAgrees(
            order,
            self.sales_manager,
            "can_revoke_cancel",
            lambda o: o.revoke_cancel(),
            True,
            msg="a sales manager revokes",
        )
        self.assertEqual(order.state, "sale", msg="and the revoke worked")
        self.assertFalse(
            order.with_user(self.sales_manager).can_revoke_cancel,
            msg="nothing left to revoke",
        )

    def test_revoke_hidden_after_the_revoke_window(self):
        """Regression: the flag stayed true after the company's revoke window."""
        self.company.revoke_cancel_days = 7
        order = self._cancelled()
        with freeze_time(fields.Datetime.now() + timedelta(days=8)):
            manager_order = self.assertButtonAgrees(
                order,
                self.sales_manager,
                "can_revoke_cancel",
                lambda o: o.revoke_cancel(),
                False,
                msg="the revoke window ended",
            )
            manager_order.invalidate_recordset(["revoke_cancel_refusal"])
            self.assertIn(
                "revoke window of 7 days",
                manager_order.revoke_cancel_refusal,
                msg="the order says why it cannot be revoked any more",
            )
        self.assertEqual(order.state, "cancel", msg="still cancelled")
        with freeze_time(fields.Datetime.now() + timedelta(days=6)):
            self.assertButtonAgrees(
                order,
                self.sales_manager,
                "can_revoke_cancel",
                lambda o: o.revoke_cancel(),
                True,
                msg="within the window",
            )
        self.assertEqual(order.state, "sale", msg="revoked within the window")

    def test_revoke_hidden_when_its_credit_note_cannot_be_reversed(self):
        order = self.delivered_and_invoiced_order()
        order.cancel_with_reversal(self.reason, receive_returns=True)
        self.company.fiscalyear_lock_date = fields.Date.today() + timedelta(days=1)
        self.assertButtonAgrees(
            order,
            self.sales_manager,
            "can_revoke_cancel",
            lambda o: o.revoke_cancel(),
            False,
            msg="the journal is locked",
        )
        self.assertIn("is locked until", order.with_user(self.sales_manager).revoke_cancel_refusal)

    def test_set_to_quotation_hidden_on_recorded_cancellations(self):
        """Regression: Set to Quotation showed beside Revoke Cancellation and was refused."""
        order = self._cancelled()
        for user in (self.salesman, self.sales_manager):
            self.assertButtonAgrees(
                order,
                user,
                "can_set_to_quotation",
                lambda o: o.action_draft(),
                False,
                msg="the cancellation is recorded: revoke only",
            )
        self.assertEqual(order.state, "cancel", msg="still cancelled")

    def test_set_to_quotation_shown_on_native_cancellations(self):
        order = self.create_order(user_id=self.salesman.id)
        order.state = "cancel"  # cancelled before this addon: no record
        self.assertButtonAgrees(
            order,
            self.salesman,
            "can_set_to_quotation",
            lambda o: o.action_draft(),
            True,
            msg="native behaviour",
        )
        self.assertEqual(order.state, "draft", msg="back to quotation")
        self.assertFalse(order.can_set_to_quotation, msg="only cancelled orders show it")

    def test_set_to_quotation_in_the_form_follows_the_flag(self):
        arch = self.env["sale.order"].get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('name="action_draft"', arch)
        self.assertRegex(
            arch,
            r'<button name="action_draft"[^>]*invisible="not can_set_to_quotation"',
            msg="the native button follows the flag",
        )


@tagged("post_install", "-at_install")
class TestCancelButton(ButtonAgreementMixin, OrderEndOfLifeCase):
    def test_cancel_flag_agrees_for_each_user(self):
        quotation = self.create_order(user_id=self.salesman.id)
        delivered = self.confirmed_order(user_id=self.salesman.id)
        self.deliver(delivered)
        locked = self.confirmed_order(user_id=self.salesman.id)
        locked.action_lock()
        cases = [
            (quotation, self.salesman, True, "a quotation"),
            (delivered, self.salesman, False, "a return is needed"),
            (locked, self.salesman, False, "the order is locked"),
            (delivered, self.sales_manager, True, "a manager may reverse"),
            (locked, self.sales_manager, True, "a manager may cancel locked orders"),
        ]
        for order, user, expected, msg in cases:
            self.assertButtonAgrees(
                order,
                user,
                "can_cancel_order",
                lambda o: o.cancel_with_reversal(self.reason),
                expected,
                msg=msg,
            )
        self.assertEqual(
            (quotation | delivered | locked).mapped("state"), ["cancel"] * 3, msg="all cancelled"
        )

    def test_refusals_name_the_missing_right(self):
        delivered = self.confirmed_order(user_id=self.salesman.id)
        self.deliver(delivered)
        with self.assertRaisesRegex(AccessError, "right to cancel orders with reversal"):
            delivered.with_user(self.salesman).cancel_with_reversal(self.reason)
        locked = self.confirmed_order(user_id=self.salesman.id)
        locked.action_lock()
        with self.assertRaisesRegex(UserError, "needs the Sales Administrator right"):
            locked.with_user(self.salesman).cancel_with_reversal(self.reason)
        with self.assertRaisesRegex(AccessError, "right to revoke order cancellations"):
            self._cancel_quotation().with_user(self.salesman).revoke_cancel()

    def _cancel_quotation(self):
        order = self.create_order(user_id=self.salesman.id)
        order.cancel_with_reversal(self.reason)
        return order


@tagged("post_install", "-at_install")
class TestMassCancelWizard(OrderEndOfLifeCase):
    """Mass cancel: the options of the cancel wizard, a preview per order and a result that
    lists what was made, or why an order was left alone."""

    def _wizard(self, user, orders, **values):
        return (
            self.env["sale.mass.cancel.orders"]
            .with_user(user)
            .with_context(active_model="sale.order", active_ids=orders.ids)
            .create({"cancel_reason_id": self.reason.id, **values})
        )

    def _lines(self, lines, order):
        return [(line.action, line.name) for line in lines.filtered(lambda x: x.order_id == order)]

    def test_result_shows_the_quantity_of_a_cancelled_delivery_as_previewed(self):
        """Regression: the preview said "Cancel delivery 10.00", the result showed no quantity
        (the moves it counted were cancelled by then)."""
        order = self.confirmed_order()
        wizard = self._wizard(self.sales_manager, order)
        previewed = wizard.impact_line_ids.filtered(lambda x: x.action == "cancel_picking")
        self.assertTrue(previewed.quantity, msg="the preview has a quantity")
        wizard.action_mass_cancel()
        done = wizard.result_line_ids.filtered(lambda x: x.action == "cancel_picking")
        self.assertEqual(
            (done.name, done.quantity), (previewed.name, previewed.quantity), msg="as previewed"
        )

    def test_manager_previews_and_cancels_with_returns_and_refunds(self):
        paid = self.delivered_and_invoiced_order(qty=5, paid=500.0)
        quotation = self.create_order()
        orders = paid | quotation
        wizard = self._wizard(
            self.sales_manager, orders, receive_returns=True, refund_payments=True
        )
        invoice = paid.invoice_ids
        self.assertEqual(
            self._lines(wizard.impact_line_ids, paid),
            [
                ("order_cancelled", paid.name),
                ("return_picking", paid.picking_ids.display_name),
                ("credit_note", invoice.display_name),
                ("refund_payment", invoice.display_name),
            ],
            msg="the preview lists what cancelling the paid order makes",
        )
        self.assertEqual(
            self._lines(wizard.impact_line_ids, quotation),
            [("order_cancelled", quotation.name)],
            msg="a quotation is simply cancelled",
        )

        wizard.action_mass_cancel()

        self.assertEqual(orders.mapped("state"), ["cancel", "cancel"], msg="both cancelled")
        cancellation = paid.cancellation_ids
        self.assertEqual(paid.order_line.qty_delivered, 0, msg="the return was received")
        self.assertEqual(
            cancellation.refund_payment_ids.amount, 500.0, msg="the money paid was refunded"
        )
        self.assertAlmostEqual(self.receivable(), 0.0, msg="the customer owes nothing")
        made = wizard.result_line_ids.filtered(lambda x: x.order_id == paid)
        self.assertEqual(
            {(line.action, line.res_model, line.res_id) for line in made},
            {
                ("order_cancelled", "sale.order", paid.id),
                ("return_picking", "stock.picking", cancellation.return_picking_ids.id),
                ("credit_note", "account.move", cancellation.credit_note_ids.id),
                ("refund_payment", "account.payment", cancellation.refund_payment_ids.id),
            },
            msg="the result lists the documents made for the order",
        )
        action = made.filtered(lambda x: x.action == "credit_note").action_open_document()
        self.assertEqual(
            (action["res_model"], action["res_id"]),
            ("account.move", cancellation.credit_note_ids.id),
            msg="each document opens",
        )

    def test_salesman_preview_names_the_missing_right(self):
        delivered = self.confirmed_order(user_id=self.salesman.id)
        self.deliver(delivered)
        quotation = self.create_order(user_id=self.salesman.id)
        wizard = self._wizard(self.salesman, delivered | quotation)
        refused = wizard.impact_line_ids.filtered(lambda x: x.action == "refused")
        self.assertEqual(refused.order_id, delivered, msg="the preview says which is refused")
        self.assertIn("right to cancel orders with reversal", refused.note, msg="and why")
        self.assertNotIn("ask a sales manager", refused.note.lower())

        wizard.action_mass_cancel()

        self.assertEqual(quotation.state, "cancel", msg="the quotation is cancelled")
        self.assertEqual(delivered.state, "sale", msg="the delivered order is left alone")
        skipped = wizard.result_line_ids.filtered(lambda x: x.order_id == delivered)
        self.assertEqual(skipped.action, "refused", msg="the result says it was skipped")
        self.assertEqual(skipped.note, refused.note, msg="for the reason the preview gave")

    def test_salesman_options_are_refused_per_order(self):
        quotation = self.create_order(user_id=self.salesman.id)
        wizard = self._wizard(self.salesman, quotation, refund_payments=True)
        self.assertEqual(
            wizard.impact_line_ids.mapped("action"),
            ["refused"],
            msg="the preview says the option is refused",
        )
        wizard.action_mass_cancel()
        self.assertEqual(quotation.state, "draft", msg="nothing cancelled with the option")

    def test_options_shown_to_reversal_users_only(self):
        def arch_of(user):
            views = self.env["sale.mass.cancel.orders"].with_user(user).get_views([(False, "form")])
            return views["views"]["form"]["arch"]

        for option in ('name="receive_returns"', 'name="refund_payments"'):
            self.assertIn(option, arch_of(self.sales_manager), msg="a manager sees it")
            self.assertNotIn(option, arch_of(self.salesman), msg="a salesman does not")
