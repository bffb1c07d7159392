from odoo.tests import tagged

from .common import OrderEndOfLifeCase


@tagged("post_install", "-at_install")
class TestOrderDisplay(OrderEndOfLifeCase):
    """What users read about a cancellation: the chatter, the banner, the report, the result of
    a mass cancel."""

    def flush_tracking(self):
        """Tracking messages are written when the transaction commits: write them now."""
        self.env.flush_all()
        self.env.cr.precommit.run()

    def test_revoke_is_not_logged_as_a_confirmation(self):
        order = self.delivered_and_invoiced_order().with_context(
            tracking_disable=False, mail_notrack=False
        )
        order.cancel_with_reversal(self.reason)
        self.flush_tracking()
        order.revoke_cancel(note="The customer called back")
        self.flush_tracking()
        confirmed = self.env.ref("sale.mt_order_confirmed")
        tracked = order.message_ids.filtered(lambda m: m.tracking_value_ids)
        self.assertTrue(tracked, msg="the state changes are tracked")
        self.assertNotIn(confirmed, tracked.subtype_id, msg="revoke is no 'Quotation confirmed'")
        self.assertTrue(
            any("Cancellation revoked." in str(m.body) for m in order.message_ids),
            msg="the revoke logs its own note",
        )

    def test_cancel_banner_is_one_sentence(self):
        order = self.confirmed_order(user_id=self.salesman.id)
        order.with_user(self.salesman).cancel_with_reversal(self.reason)
        self.assertTrue(
            order.cancel_banner.startswith("Cancelled on ")
            and order.cancel_banner.endswith(
                f"by {self.salesman.name} for this reason: {self.reason.name}."
            ),
            msg=f"one sentence with date, user and reason: {order.cancel_banner}",
        )

    def test_cancellations_report_counts_standing_cancellations_by_default(self):
        action = self.env["ir.actions.actions"]._for_xml_id(
            "order_revoke_cancel.action_sale_order_cancellation"
        )
        self.assertIn("'search_default_cancelled': 1", action["context"], msg="default filter")
        order = self.confirmed_order()
        order.cancel_with_reversal(self.reason)
        order.revoke_cancel()
        order.cancel_with_reversal(self.reason)
        standing = self.env["sale.order.cancellation"].search(
            [("order_id", "=", order.id), ("state", "=", "cancelled")]
        )
        self.assertEqual(len(standing), 1, msg="an order cancelled twice counts once")

    def test_mass_cancel_result_is_one_sentence_per_order(self):
        orders = self.create_order() | self.create_order()
        orders[1].action_cancel()
        wizard = (
            self.env["sale.mass.cancel.orders"]
            .with_context(active_model="sale.order", active_ids=orders.ids)
            .create({"sale_order_ids": orders.ids, "cancel_reason_id": self.reason.id})
        )
        wizard.action_mass_cancel()
        self.assertIn(f"{orders[0].name} was cancelled.", wizard.result, msg="done order")
        self.assertIn(
            f"{orders[1].name} was not cancelled.</b> {orders[1].name} is already cancelled.",
            wizard.result,
            msg="skipped order, with why",
        )
