from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.order_revoke_cancel.models.sale_order_batch import MAX_ATTEMPTS

from .common import SALESMAN_GROUPS, OrderEndOfLifeCase


@tagged("post_install", "-at_install")
class TestOrderBatch(OrderEndOfLifeCase):
    """Big selections in the background: above the company's threshold the list actions make
    a `sale.order.batch`, which the scheduled action works through in its starter's name."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.order_background_threshold = 2
        cls.other_salesman = cls.company_user("batch_other_salesman", SALESMAN_GROUPS)
        cls.Batch = cls.env["sale.order.batch"]
        cls.cron = cls.env.ref("order_revoke_cancel.ir_cron_process_order_batches")

    def mass_cancel(self, user, orders, **values):
        wizard = (
            self.env["sale.mass.cancel.orders"]
            .with_user(user)
            .with_context(active_model="sale.order", active_ids=orders.ids)
            .create({"cancel_reason_id": self.reason.id, **values})
        )
        background = len(orders) > self.company.order_background_threshold
        self.assertEqual(wizard.run_in_background, background)
        if background:
            self.assertFalse(wizard.impact_line_ids, "no preview of a big selection")
        else:
            self.assertTrue(wizard.impact_line_ids, "a small selection is previewed")
        return wizard.action_mass_cancel()

    def run_batches(self, **kwargs):
        """What the scheduled action runs (as its own user, superuser), in this transaction."""
        return self.Batch._cron_process_batches(commit=False, **kwargs)

    def started_batch(self, action):
        self.assertEqual(action["res_model"], "sale.order.batch", "a batch is opened at once")
        return self.Batch.browse(action["res_id"])

    # ---- the salesman's and the manager's batch ----------------------------------------------
    def test_salesman_mass_cancel_runs_in_background_in_his_name(self):
        orders = self.confirmed_order(user_id=self.salesman.id)
        orders |= self.confirmed_order(user_id=self.salesman.id)
        locked = self.confirmed_order(user_id=self.salesman.id)
        locked.action_lock()
        orders |= locked
        triggers = self.env["ir.cron.trigger"].search([("cron_id", "=", self.cron.id)])

        batch = self.started_batch(self.mass_cancel(self.salesman, orders, cancel_note="Too many"))

        self.assertRecordValues(
            batch,
            [
                {
                    "state": "queued",
                    "operation": "cancel",
                    "user_id": self.salesman.id,
                    "order_count": 3,
                    "cancel_reason_id": self.reason.id,
                    "note": "Too many",
                    "progress": 0.0,
                }
            ],
        )
        self.assertEqual(set(orders.mapped("state")), {"sale"}, "nothing is cancelled yet")
        self.assertGreater(
            len(self.env["ir.cron.trigger"].search([("cron_id", "=", self.cron.id)])),
            len(triggers),
            "the scheduled action is woken at once",
        )
        self.assertEqual(batch.with_user(self.salesman).state, "queued", "its starter reads it")

        self.run_batches()

        self.assertRecordValues(
            batch,
            [{"state": "done", "progress": 100.0, "done_count": 2, "failed_count": 1}],
        )
        self.assertEqual((orders - locked).mapped("state"), ["cancel", "cancel"])
        self.assertEqual(
            (orders - locked).mapped("cancel_user_id"),
            self.salesman,
            "cancelled in the name of the salesman who started the batch",
        )
        self.assertEqual(locked.state, "sale", "the refused order is untouched")
        failed = batch.result_ids.filtered(lambda r: r.outcome == "failed")
        self.assertEqual(failed.order_id, locked)
        self.assertIn(locked.name, failed.message)
        self.assertIn("locked", failed.message, "the refusal the synchronous path gives")
        done = batch.result_ids.filtered(lambda r: r.outcome == "done")
        self.assertEqual(done.order_id, orders - locked)
        self.assertEqual(done.cancellation_ids.order_id, orders - locked)
        self.assertEqual(done.cancellation_ids.mapped("note"), ["Too many", "Too many"])
        notified = self.env["mail.message"].search(
            [("model", "=", batch._name), ("res_id", "=", batch.id)]
        )
        ended = notified.filtered(lambda m: self.salesman.partner_id in m.partner_ids)
        self.assertEqual(len(ended), 1, "the salesman is notified once, when the batch ends")
        self.assertIn("2 done", ended.body)
        self.assertFalse(self.run_batches(), "a done batch is not claimed again")
        self.assertEqual(
            len(
                self.env["mail.message"].search(
                    [
                        ("res_id", "=", batch.id),
                        ("model", "=", batch._name),
                        ("partner_ids", "in", self.salesman.partner_id.ids),
                    ]
                )
            ),
            1,
        )

    def test_manager_batch_makes_the_documents_of_the_synchronous_path(self):
        orders = self.env["sale.order"]
        for _i in range(3):
            orders |= self.delivered_and_invoiced_order(qty=2, paid=200.0)

        batch = self.started_batch(
            self.mass_cancel(self.sales_manager, orders, receive_returns=True, refund_payments=True)
        )
        self.run_batches()

        self.assertEqual(batch.state, "done")
        self.assertEqual(batch.done_count, 3)
        for order in orders:
            cancellation = order.cancellation_ids
            self.assertEqual(order.state, "cancel", order.name)
            self.assertEqual(cancellation.user_id, self.sales_manager)
            self.assertEqual(cancellation.return_picking_ids.state, "done", "return received")
            self.assertEqual(order.order_line.qty_delivered, 0.0)
            self.assertEqual(cancellation.credit_note_ids.state, "posted", "credit note posted")
            self.assertTrue(cancellation.refund_payment_ids, "money paid back")
            result = batch.result_ids.filtered(lambda r, o=order: r.order_id == o)
            self.assertEqual(result.outcome, "done")
            self.assertEqual(result.cancellation_ids, cancellation)
            self.assertIn(cancellation.credit_note_ids.name, result.message)
            self.assertIn(cancellation.return_picking_ids.name, result.message)

    def test_below_the_threshold_mass_cancel_stays_synchronous(self):
        orders = self.confirmed_order() | self.confirmed_order()
        action = self.mass_cancel(self.sales_manager, orders)
        self.assertEqual(action["res_model"], "sale.mass.cancel.orders")
        self.assertEqual(orders.mapped("state"), ["cancel", "cancel"])
        self.assertFalse(self.Batch.search([]))

    # ---- progress, crash and resume -----------------------------------------------------------
    def test_interrupted_batch_resumes_without_doing_an_order_twice(self):
        orders = self.env["sale.order"]
        for _i in range(5):
            orders |= self.confirmed_order()
        batch = self.started_batch(self.mass_cancel(self.sales_manager, orders))

        self.run_batches(chunk_size=2, max_chunks=1)
        self.assertRecordValues(batch, [{"state": "running", "progress": 40.0, "done_count": 2}])
        first = batch.result_ids.order_id
        self.assertEqual(first.mapped("state"), ["cancel", "cancel"])

        # A worker killed in the middle of the next chunk: its transaction is lost.
        with self.assertRaises(InterruptedError), self.env.cr.savepoint():
            self.run_batches(chunk_size=2, max_chunks=1)
            self.assertEqual(len(batch.result_ids), 4)
            raise InterruptedError
        self.env.invalidate_all()
        self.assertEqual(len(batch.result_ids), 2, "the lost chunk left no result")
        self.assertEqual(batch.state, "running")

        self.run_batches(chunk_size=2)

        self.assertRecordValues(batch, [{"state": "done", "progress": 100.0, "done_count": 5}])
        self.assertEqual(batch.result_ids.order_id, orders, "every order has a result")
        self.assertEqual(len(batch.result_ids), 5, "one per order")
        for order in orders:
            self.assertEqual(len(order.cancellation_ids), 1, f"{order.name} cancelled once")
        self.assertFalse(self.run_batches(), "nothing is left to do")

    def test_order_cancelled_meanwhile_is_skipped(self):
        orders = self.three_orders()
        batch = self.started_batch(self.mass_cancel(self.sales_manager, orders))
        orders[0].cancel_with_reversal(self.reason)
        self.run_batches()
        skipped = batch.result_ids.filtered(lambda r: r.outcome == "skipped")
        self.assertEqual(skipped.order_id, orders[0])
        self.assertEqual(len(orders[0].cancellation_ids), 1, "not cancelled twice")
        self.assertEqual((batch.done_count, batch.skipped_count), (2, 1))

    def test_chunk_that_keeps_crashing_stops_the_batch(self):
        orders = self.three_orders()
        batch = self.started_batch(self.mass_cancel(self.sales_manager, orders))
        # Three runs in a row were killed before their chunk was saved.
        batch.sudo().attempts = MAX_ATTEMPTS
        self.run_batches()
        self.assertEqual(batch.state, "failed")
        self.assertIn("3 runs in a row", batch.error)
        self.assertEqual(set(orders.mapped("state")), {"sale"})
        self.assertFalse(self.run_batches(), "a failed batch is not run again")

    def test_a_claimed_batch_is_skipped(self):
        """The scheduled action claims a batch with FOR UPDATE SKIP LOCKED, oldest first; the
        batches it set aside in this run (only orders to try later) are not claimed again."""
        first = self.started_batch(self.mass_cancel(self.sales_manager, self.three_orders()))
        second = self.started_batch(self.mass_cancel(self.sales_manager, self.three_orders()))
        self.assertEqual(self.Batch._claim_next_batch(), first)
        self.assertEqual(self.Batch._claim_next_batch([first.id]), second)
        self.assertEqual(self.Batch._claim_batch(second.id), second)
        self.run_batches()
        self.assertFalse(self.Batch._claim_next_batch(), "done batches are not claimed")
        self.assertFalse(self.Batch._claim_batch(first.id))

    def three_orders(self, **values):
        return (
            self.confirmed_order(**values)
            | self.confirmed_order(**values)
            | self.confirmed_order(**values)
        )

    # ---- revoke of many -----------------------------------------------------------------------
    def test_revoke_of_many_runs_in_background_above_the_threshold(self):
        orders = self.env["sale.order"]
        for _i in range(3):
            order = self.delivered_and_invoiced_order(qty=1)
            order.cancel_with_reversal(self.reason)
            orders |= order
        manager_orders = orders.with_user(self.sales_manager)
        batch = self.started_batch(manager_orders.action_revoke_cancel_many())
        self.assertEqual(batch.operation, "revoke")
        self.run_batches()
        self.assertEqual(batch.state, "done")
        self.assertEqual(orders.mapped("state"), ["sale"] * 3, "every order is restored")
        self.assertEqual(orders.cancellation_ids.mapped("state"), ["revoked"] * 3)
        self.assertEqual(orders.cancellation_ids.revoke_user_id, self.sales_manager)
        self.assertEqual(batch.result_ids.cancellation_ids, orders.cancellation_ids)

    def test_revoke_of_many_below_the_threshold_and_its_right(self):
        orders = self.confirmed_order() | self.confirmed_order()
        for order in orders:
            order.cancel_with_reversal(self.reason)
        with self.assertRaises(AccessError):
            orders.with_user(self.salesman).action_revoke_cancel_many()
        action = orders.with_user(self.sales_manager).action_revoke_cancel_many()
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(orders.mapped("state"), ["sale", "sale"])
        self.assertIn(orders[0].name, action["params"]["message"])

    # ---- evidence -----------------------------------------------------------------------------
    def test_batches_are_evidence_seen_by_their_starter_and_managers(self):
        mine = self.started_batch(
            self.mass_cancel(self.salesman, self.three_orders(user_id=self.salesman.id))
        )
        theirs = self.started_batch(
            self.mass_cancel(self.other_salesman, self.three_orders(user_id=self.other_salesman.id))
        )
        self.run_batches()
        Batch = self.Batch.with_user(self.salesman)
        self.assertEqual(Batch.search([]), mine, "a salesman sees his own batches")
        with self.assertRaises(AccessError):
            theirs.with_user(self.salesman).read(["state"])
        with self.assertRaises(AccessError):
            theirs.result_ids.with_user(self.salesman).read(["message"])
        self.assertEqual(
            self.Batch.with_user(self.sales_manager).search([("id", "in", (mine | theirs).ids)]),
            mine | theirs,
            "a sales manager sees every batch",
        )
        for user in (self.salesman, self.sales_manager):
            with self.assertRaises(AccessError):
                mine.with_user(user).write({"state": "queued"})
            with self.assertRaises(AccessError):
                mine.with_user(user).unlink()
            with self.assertRaises(AccessError):
                self.Batch.with_user(user).create(
                    {"operation": "cancel", "user_id": user.id, "company_id": self.company.id}
                )
            with self.assertRaises(AccessError):
                mine.result_ids[:1].with_user(user).write({"outcome": "failed"})
            with self.assertRaises(AccessError):
                self.env["sale.order.batch.result"].with_user(user).create(
                    {"batch_id": mine.id, "outcome": "done"}
                )
        # Its chatter still works for who reads it.
        mine.with_user(self.salesman).message_post(body="Checked")

    def test_threshold_setting(self):
        defaults = self.env["res.company"].default_get(["order_background_threshold"])
        self.assertEqual(defaults["order_background_threshold"], 200)
        settings = self.env["res.config.settings"].create({"order_background_threshold": 50})
        settings.execute()
        self.assertEqual(self.env.company.order_background_threshold, 50)
