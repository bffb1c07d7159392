"""Browser scenario of the cancellation fee, run in Chromium by `bin/run-tests`."""

from odoo.tests import HttpCase, tagged

from odoo.addons.order_revoke_cancel.tests import common


@tagged("post_install", "-at_install")
class TestCancelFeeTour(common.OrderEndOfLifeCase, HttpCase):
    """A sales manager cancels an invoiced order for a reason with a fee, and lowers the fee
    in the wizard, whose preview follows."""

    def test_fee_preview_in_cancel_wizard(self):
        user = self.company_user(
            "tour_fee_manager", common.SALES_MANAGER_GROUPS, name="Tour Fee Manager"
        )
        self.env.ref("order_revoke_cancel.product_cancellation_fee").taxes_id = False
        self.env["sale.order.cancel.reason"].create(
            {"name": "Tour late cancellation", "fee_type": "fixed", "fee_value": 30.0}
        )
        customer = self.env["res.partner"].create(
            {"name": "Tour Fee Customer", "email": "tour.fee@example.com"}
        )
        order = self.confirmed_order([(self.storable, 5)], partner=customer, user_id=user.id)
        self.deliver(order)
        self.invoice(order)

        self.start_tour(f"/odoo/sales/{order.id}", "order_cancel_fee_tour", login=user.login)

        self.env.invalidate_all()
        cancellation = order.cancellation_ids
        self.assertEqual(order.state, "cancel", msg="cancelled in the browser")
        self.assertRecordValues(
            cancellation, [{"fee_amount": 12.0, "reason_fee_amount": 30.0, "fee_policy": "changed"}]
        )
        self.assertEqual(cancellation.fee_invoice_id.state, "posted", msg="the fee is billed")
        self.assertEqual(
            cancellation.fee_invoice_id.amount_total, 12.0, msg="for the fee the wizard showed"
        )
