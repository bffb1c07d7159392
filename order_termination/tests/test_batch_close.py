from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.tests import tagged

from .common import TerminationCase


@tagged("post_install", "-at_install")
class TestBatchClose(TerminationCase):
    """Mass close and the auto-close above the company's background threshold: a
    `sale.order.batch` with the operation `close`, worked through by the batches' scheduled
    action order by order, as the synchronous paths do."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.order_background_threshold = 2
        cls.Batch = cls.env["sale.order.batch"]
        cls.close_reason = cls.env.ref("order_termination.close_reason_settled")

    def run_batches(self, **kwargs):
        return self.Batch._cron_process_batches(commit=False, **kwargs)

    def mass_close(self, user, orders):
        wizard = (
            self.env["sale.order.mass.close"]
            .with_user(user)
            .with_context(active_model="sale.order", active_ids=orders.ids)
            .create({"reason_id": self.close_reason.id, "note": "Year end"})
        )
        return wizard.action_close()

    def test_salesman_mass_close_in_background(self):
        settled = self.settled_order() | self.settled_order()
        unsettled = self.confirmed_order()
        action = self.mass_close(self.requester, settled | unsettled)

        self.assertEqual(action["res_model"], "sale.order.batch")
        batch = self.Batch.browse(action["res_id"])
        self.assertRecordValues(
            batch,
            [
                {
                    "operation": "close",
                    "state": "queued",
                    "user_id": self.requester.id,
                    "close_reason_id": self.close_reason.id,
                    "note": "Year end",
                    "order_count": 3,
                }
            ],
        )
        self.assertFalse(any((settled | unsettled).mapped("is_closed")), "nothing closed yet")

        self.run_batches()

        self.assertRecordValues(
            batch, [{"state": "done", "progress": 100.0, "done_count": 2, "failed_count": 1}]
        )
        self.assertTrue(all(settled.mapped("is_closed")))
        self.assertEqual(settled.close_user_id, self.requester, "closed in the starter's name")
        self.assertEqual(settled.mapped("close_note"), ["Year end", "Year end"])
        self.assertFalse(unsettled.is_closed)
        failed = batch.result_ids.filtered(lambda r: r.outcome == "failed")
        self.assertEqual(failed.order_id, unsettled)
        self.assertIn(
            "Fully delivered", failed.message, "the checklist that failed, as synchronously"
        )

    def test_held_order_is_refused_in_the_batch(self):
        settled = self.settled_order() | self.settled_order()
        held = self.settled_order()
        held.place_hold(self.env.ref("order_termination.hold_reason_customer_dispute"), "Dispute")
        batch = self.Batch.browse(self.mass_close(self.manager, settled | held)["res_id"])
        self.run_batches()
        self.assertTrue(all(settled.mapped("is_closed")))
        self.assertFalse(held.is_closed, "a held order is not closed by a batch either")
        self.assertEqual(batch.result_ids.filtered(lambda r: r.outcome == "failed").order_id, held)

    def test_order_closed_meanwhile_is_skipped_and_resume(self):
        orders = self.settled_order() | self.settled_order() | self.settled_order()
        batch = self.Batch.browse(self.mass_close(self.manager, orders)["res_id"])
        self.run_batches(chunk_size=1, max_chunks=1)
        self.assertEqual(batch.state, "running")
        self.assertAlmostEqual(batch.progress, 100.0 / 3)
        orders[2].close(reason=self.close_reason)
        self.run_batches(chunk_size=1)
        self.assertEqual(batch.state, "done")
        self.assertEqual(
            batch.result_ids.mapped("outcome"), ["done", "done", "skipped"], "by order id"
        )

    def test_auto_close_above_the_threshold_makes_one_batch(self):
        orders = self.settled_order() | self.settled_order() | self.settled_order()
        self.company.auto_close_days = 3
        with freeze_time(fields.Datetime.now() + timedelta(days=4)):
            self.env["sale.order"]._cron_auto_close(commit=False)
            batch = self.Batch.search([("automatic", "=", True)])
            self.assertEqual(len(batch), 1)
            self.assertEqual(batch.order_ids, orders)
            self.assertFalse(any(orders.mapped("is_closed")), "closed by the batch, not here")
            self.env["sale.order"]._cron_auto_close(commit=False)
            self.assertEqual(
                self.Batch.search_count([("automatic", "=", True)]),
                1,
                "no second batch while the first runs",
            )
            self.run_batches()
        self.assertEqual(batch.state, "done")
        self.assertTrue(all(orders.mapped("is_closed")))
        self.assertEqual(orders.close_reason_id, self.close_reason)
