"""Browser scenario of a big selection (issue 16): above the company's background threshold the
list action Cancel starts a batch, which the scheduled action works through; its form then
shows the outcome of each order. Run in Chromium by `bin/run-tests`; `bin/screenshots` also
takes its picture (see tests/test_ui_tours.py)."""

from odoo.tests import tagged

from odoo.addons.order_revoke_cancel.tests import common

from .test_ui_tours import ScreenshotTourCase


@tagged("post_install", "-at_install")
class TestBatchTour(common.OrderEndOfLifeCase, ScreenshotTourCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.order_background_threshold = 2
        cls.tour_user = cls.company_user(
            "tour_batch_manager", common.SALES_MANAGER_GROUPS, name="Tour Batch Manager"
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "Tour Batch Customer", "email": "tour.batch@example.com"}
        )

    def order_of_tour_user(self, delivered):
        order = self.confirmed_order(
            [(self.storable, 3)], partner=self.customer, user_id=self.tour_user.id
        )
        if delivered:
            self.deliver(order)
            self.invoice(order)
        return order

    def test_mass_cancel_in_background_then_batch_results_in_browser(self):
        delivered = self.order_of_tour_user(delivered=True) | self.order_of_tour_user(True)
        # Refused by the batch as by the synchronous action (order_termination's hold).
        held = self.order_of_tour_user(delivered=False)
        held.place_hold(
            self.env.ref("order_termination.hold_reason_customer_dispute"),
            "The customer contests the price",
        )
        orders = delivered | held
        Batch = self.env["sale.order.batch"]
        before = Batch.search([])

        self.start_tour("/odoo/sales", "order_batch_cancel_tour", login=self.tour_user.login)

        batch = Batch.search([]) - before
        self.assertEqual(len(batch), 1, msg="the list action started one batch")
        self.assertRecordValues(
            batch,
            [
                {
                    "state": "queued",
                    "operation": "cancel",
                    "user_id": self.tour_user.id,
                    "order_count": 3,
                    "cancel_reason_id": self.env.ref(
                        "order_revoke_cancel.cancel_reason_duplicate"
                    ).id,
                }
            ],
        )
        self.assertEqual(batch.order_ids, orders)
        self.assertEqual(set(orders.mapped("state")), {"sale"}, msg="nothing cancelled yet")

        # What the scheduled action runs, in this transaction (the browser shares it).
        Batch._cron_process_batches(commit=False)
        self.assertRecordValues(
            batch, [{"state": "done", "done_count": 2, "failed_count": 1, "skipped_count": 0}]
        )

        self.start_tour(
            "/odoo/action-order_revoke_cancel.action_sale_order_batch",
            "order_batch_result_tour",
            login=self.tour_user.login,
        )
        self.env.invalidate_all()
        self.assertEqual(delivered.mapped("state"), ["cancel", "cancel"])
        self.assertEqual(held.state, "sale", msg="the refused order is untouched")
