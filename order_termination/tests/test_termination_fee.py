from odoo.tests import tagged

from .common import TerminationCase


@tagged("post_install", "-at_install")
class TestTerminationFee(TerminationCase):
    """A termination reason carries a fee through its cancel reason: the executed termination
    bills it like a cancellation with that reason does."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.ref("order_revoke_cancel.product_cancellation_fee").taxes_id = False
        cls.fee_cancel_reason = cls.env["sale.order.cancel.reason"].create(
            {"name": "Terminated with fee", "fee_type": "fixed", "fee_value": 40.0}
        )
        cls.reason.cancel_reason_id = cls.fee_cancel_reason

    def test_termination_bills_the_fee_of_its_cancel_reason(self):
        order = self.settled_order()
        self.assertAlmostEqual(self.receivable(), 0.0, msg="paid in full")
        request = self.request(order, user=self.manager, refund_payments=True)
        request.with_user(self.warehouse_approver).action_approve()
        self.assertEqual(request.state, "done", msg="approved by the only step: executed")

        cancellation = request.cancellation_id
        self.assertEqual(cancellation.reason_id, self.fee_cancel_reason, msg="its cancel reason")
        self.assertRecordValues(
            cancellation.fee_invoice_id,
            [{"state": "posted", "amount_total": 40.0, "invoice_origin": order.name}],
        )
        self.assertEqual(cancellation.fee_amount, 40.0, msg="on the ledger")
        self.assertEqual(
            cancellation.fee_invoice_id.create_uid,
            self.warehouse_approver,
            msg="billed in the name of the approver who triggered the execution",
        )
        self.assertEqual(cancellation.refund_payment_ids.amount, 460.0, msg="500 less the fee")
        self.assertAlmostEqual(self.receivable(), 0.0, msg="the fee is paid, nothing else due")

    def test_termination_of_an_undelivered_order_bills_the_fee(self):
        order = self.confirmed_order()
        request = self.request(order)
        request.with_user(self.warehouse_approver).action_approve()
        self.assertEqual(order.state, "cancel", msg="terminated")
        self.assertEqual(request.cancellation_id.fee_amount, 40.0, msg="the fee is billed")
        self.assertAlmostEqual(self.receivable(), 40.0, msg="and due")

    def test_request_preview_and_customer_page_show_the_fee(self):
        order = self.confirmed_order()
        wizard = (
            self.env["sale.termination.request.wizard"]
            .with_user(self.requester)
            .create({"order_id": order.id, "reason_id": self.reason.id, "description": "x"})
        )
        self.assertIn("A cancellation fee of", wizard.impact_html, msg="the requester sees it")
        self.assertIn("40.00", wizard.impact_html, msg="with its amount")
        lines = order._get_termination_impact_lines(customer=True, reason=self.reason)
        self.assertTrue(
            any("A cancellation fee of" in line for line in lines), msg="so does the customer"
        )
