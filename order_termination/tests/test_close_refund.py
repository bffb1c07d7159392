from odoo.exceptions import AccessError
from odoo.tests import Form, tagged

from .common import TerminationCase


@tagged("post_install", "-at_install")
class TestCloseRefund(TerminationCase):
    """The close wizard offers to refund the money a forced close frees, to users allowed to
    cancel with reversal only: 10 invoiced and paid, 4 delivered, a short close refunds 6."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.close_reason = cls.env.ref("order_termination.close_reason_short_close")
        # May force a close, but not pay money back.
        cls.termination_manager = cls.company_user(
            "term_only_manager",
            "sales_team.group_sale_salesman,order_termination.group_termination_manager,"
            "stock.group_stock_user,account.group_account_invoice",
        )

    def partly_delivered_paid_order(self):
        order = self.confirmed_order(qty=10)
        self.pay(self.invoice(order), 1000.0)
        self.deliver(order, qty=4)
        return order

    def wizard_form(self, order, user):
        action = order.with_user(user).action_close_order()
        return Form.from_action(self.env(user=user), action)

    def shows_refund_option(self, user):
        arch = (
            self.env["sale.order.close.wizard"]
            .with_user(user)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        return 'name="refund_payments"' in arch

    def test_manager_refunds_from_the_wizard(self):
        order = self.partly_delivered_paid_order()
        self.assertTrue(self.shows_refund_option(self.manager), msg="the manager sees the option")
        wizard = self.wizard_form(order, self.manager)
        wizard.force = True
        wizard.reason_id = self.close_reason
        wizard.refund_payments = True

        wizard.save().action_close()

        self.assertTrue(order.is_closed, msg="the order is closed")
        self.assertEqual(order.close_credit_note_ids.amount_total, 600.0, msg="6 credited")
        refund = order.close_refund_payment_ids
        self.assertEqual(refund.payment_type, "outbound", msg="money goes out")
        self.assertEqual(refund.amount, 600.0, msg="the 6 not delivered are refunded")
        self.assertAlmostEqual(self.receivable(), 0.0, msg="nothing owed either way")

    def test_manager_keeps_the_credit_by_default(self):
        order = self.partly_delivered_paid_order()
        wizard = self.wizard_form(order, self.manager)
        wizard.force = True
        wizard.reason_id = self.close_reason

        wizard.save().action_close()

        self.assertFalse(order.close_refund_payment_ids, msg="nothing paid out")
        self.assertAlmostEqual(self.receivable(), -600.0, msg="600 stays as customer credit")

    def test_salesman_is_not_offered_and_refused_a_refund(self):
        order = self.partly_delivered_paid_order()
        self.assertFalse(
            self.shows_refund_option(self.requester), msg="the salesman does not see the option"
        )

        with self.assertRaisesRegex(AccessError, order.name):
            order.with_user(self.requester).close(reason=self.close_reason, refund_payments=True)
        self.assertFalse(order.is_closed, msg="the order stays open")
        self.assertAlmostEqual(self.receivable(), 0.0, msg="the paid invoice did not move")

    def test_termination_manager_without_reversal_right_is_refused_a_refund(self):
        order = self.partly_delivered_paid_order()
        self.assertFalse(
            self.shows_refund_option(self.termination_manager), msg="no refund option offered"
        )

        with self.assertRaisesRegex(AccessError, order.name):
            order.with_user(self.termination_manager).close(
                reason=self.close_reason, force=True, refund_payments=True
            )
        self.assertFalse(order.is_closed, msg="the order stays open")
        self.assertFalse(order.close_credit_note_ids, msg="nothing credited")
        self.assertTrue(
            order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel")),
            msg="its backorder is untouched",
        )
