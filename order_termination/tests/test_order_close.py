from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import TerminationCase


@tagged("post_install", "-at_install")
class TestOrderClose(TerminationCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.close_reason = cls.env.ref("order_termination.close_reason_completed")

    def checks(self, order):
        return {c["code"]: c["ok"] for c in order.get_close_checklist()}

    def test_checklist(self):
        order = self.confirmed_order()
        checklist = order.get_close_checklist()
        self.assertEqual(
            [c["code"] for c in checklist],
            [
                "confirmed",
                "delivered",
                "no_pending_returns",
                "invoiced",
                "invoices_posted",
                "paid",
                "no_pending_termination",
            ],
        )
        self.assertTrue(all(set(c) == {"code", "label", "ok", "detail"} for c in checklist))
        self.assertEqual(
            self.checks(order),
            {
                "confirmed": True,
                "delivered": False,
                "no_pending_returns": True,
                "invoiced": False,
                "invoices_posted": True,
                "paid": True,
                "no_pending_termination": True,
            },
        )
        self.deliver(order)
        invoice = self.invoice(order, post=False)
        checks = self.checks(order)
        self.assertTrue(checks["delivered"] and checks["invoiced"])
        self.assertFalse(checks["invoices_posted"])
        invoice.action_post()
        self.assertFalse(self.checks(order)["paid"])
        self.pay(invoice)
        self.assertTrue(all(self.checks(order).values()))

    def test_close_settled_order_and_reopen(self):
        order = self.settled_order()
        order.with_user(self.requester).close(reason=self.close_reason, note="All done.")
        self.assertTrue(order.is_closed)
        self.assertEqual(order.state, "sale")
        self.assertTrue(order.locked)
        self.assertEqual(order.close_reason_id, self.close_reason)
        self.assertEqual(order.close_user_id, self.requester)
        self.assertTrue(order.close_date)
        # A closed order is counted by sales reports as a confirmed order.
        self.env.flush_all()
        report = self.env["sale.report"].search(
            [("order_reference", "=", f"sale.order,{order.id}")]
        )
        self.assertEqual(set(report.mapped("state")), {"sale"})
        with self.assertRaisesRegex(UserError, order.name):
            order.write({"note": "edited"})
        with self.assertRaisesRegex(UserError, order.name):
            order._action_cancel()
        with self.assertRaisesRegex(UserError, order.name):
            order._create_invoices()
        with self.assertRaisesRegex(UserError, order.name):
            self.request(order)
        with self.assertRaisesRegex(UserError, order.name):
            order.close()
        with self.assertRaises(AccessError):
            order.with_user(self.requester).reopen("Customer wants more.")
        with self.assertRaises(UserError):
            order.with_user(self.manager).reopen("")
        order.with_user(self.manager).reopen("Customer wants more.")
        self.assertFalse(order.is_closed)
        self.assertFalse(order.locked)
        self.assertFalse(order.close_reason_id)
        order.write({"note": "edited"})

    def test_reopen_restores_previous_lock(self):
        order = self.settled_order()
        order.action_lock()
        order.close()
        order.with_user(self.manager).reopen("Check.")
        self.assertTrue(order.locked)

    def test_close_refused_lists_failed_checks(self):
        order = self.confirmed_order()
        with self.assertRaises(UserError) as caught:
            order.with_user(self.requester).close(reason=self.close_reason)
        message = caught.exception.args[0]
        self.assertIn(order.name, message)
        self.assertIn("Fully delivered", message)
        self.assertIn("Fully invoiced", message)
        self.assertNotIn("Paid", message)
        self.assertFalse(order.is_closed)

    def test_force_close(self):
        order = self.confirmed_order()
        with self.assertRaises(AccessError):
            order.with_user(self.requester).close(reason=self.close_reason, force=True)
        with self.assertRaises(UserError):
            order.with_user(self.manager).close(force=True)
        order.with_user(self.manager).close(reason=self.close_reason, force=True)
        self.assertTrue(order.is_closed)
        self.assertTrue(order.close_forced)
        self.assertEqual(order.picking_ids.state, "cancel")
        self.assertEqual(order.state, "sale")

    def test_force_close_never_skips_pending_termination(self):
        order = self.confirmed_order()
        request = self.request(order)
        with self.assertRaisesRegex(UserError, request.name):
            order.with_user(self.manager).close(reason=self.close_reason, force=True)

    def test_closed_order_blocks_delivery_and_invoice_posting(self):
        order = self.confirmed_order()
        self.deliver(order)
        invoice = self.invoice(order, post=False)
        order.with_user(self.manager).close(reason=self.close_reason, force=True)
        with self.assertRaisesRegex(UserError, order.name):
            invoice.action_post()

    def test_closed_order_blocks_returns(self):
        order = self.settled_order()
        order.close(reason=self.close_reason)
        delivery = order.picking_ids
        wizard = (
            self.env["stock.return.picking"]
            .with_context(
                active_id=delivery.id, active_ids=delivery.ids, active_model="stock.picking"
            )
            .create({})
        )
        wizard.product_return_moves.quantity = 1
        returned = wizard._create_return()
        returned.move_ids.write({"quantity": 1, "picked": True})
        with self.assertRaisesRegex(UserError, order.name):
            returned.button_validate()
        self.assertNotEqual(returned.state, "done")

    def test_close_wizard(self):
        order = self.confirmed_order()
        action = order.with_user(self.requester).action_close_order()
        wizard = (
            self.env[action["res_model"]]
            .with_user(self.requester)
            .with_context(**action["context"])
            .create({})
        )
        self.assertEqual(len(wizard.check_ids), 7)
        self.assertFalse(wizard.all_ok)
        self.assertFalse(wizard.can_force)
        with self.assertRaises(UserError):
            wizard.action_close()

    def test_mass_close_reports_skipped(self):
        settled = self.settled_order()
        open_order = self.confirmed_order()
        wizard = (
            self.env["sale.order.mass.close"]
            .with_user(self.requester)
            .with_context(active_model="sale.order", active_ids=(settled | open_order).ids)
            .create({"reason_id": self.close_reason.id})
        )
        wizard.action_close()
        self.assertTrue(settled.is_closed)
        self.assertFalse(open_order.is_closed)
        self.assertEqual((wizard.closed_count, wizard.skipped_count), (1, 1))
        skipped = wizard.result_ids.filtered(lambda r: not r.closed)
        self.assertEqual(skipped.order_id, open_order)
        self.assertIn("Fully delivered", skipped.message)

    def test_cron_auto_close(self):
        settled = self.settled_order()
        open_order = self.confirmed_order()
        self.env["sale.order"]._cron_auto_close(commit=False)
        self.assertFalse(settled.is_closed)  # auto close is off
        self.company.auto_close_days = 3
        self.env["sale.order"]._cron_auto_close(commit=False)
        self.assertFalse(settled.is_closed)  # settled today: not for 3 days yet
        with freeze_time(fields.Datetime.now() + timedelta(days=4)):
            self.env["sale.order"]._cron_auto_close(commit=False)
        self.assertTrue(settled.is_closed)
        self.assertEqual(
            settled.close_reason_id, self.env.ref("order_termination.close_reason_settled")
        )
        self.assertFalse(open_order.is_closed)
