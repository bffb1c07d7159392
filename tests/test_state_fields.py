"""Issue 17.6: the fields that carry the addons' state on sale.order change only through the
contract's methods, for every user (plain salesman, sales manager, administrator) over
JSON-RPC; the methods themselves still write them."""

from odoo import Command
from odoo.tests import HttpCase, JsonRpcException, tagged
from odoo.tools import mute_logger

from odoo.addons.order_termination.tests.common import TerminationCase

from .jsonrpc import execute_kw_json


@tagged("post_install", "-at_install")
class TestStateFields(TerminationCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        (cls.step_wh | cls.step_fin).active = False
        cls.admin = cls.env.ref("base.user_admin")
        cls.admin.password = "admin"  # execute_kw_json authenticates with the login
        cls.close_reason = cls.env.ref("order_termination.close_reason_short_close")
        cls.cancel_reason = cls.env.ref("order_revoke_cancel.cancel_reason_other")

    def users(self):
        return {"salesman": self.requester, "manager": self.manager, "admin": self.admin}

    def assertRefused(self, user, method, *args):
        with mute_logger("odoo.http"), self.assertRaises(JsonRpcException) as caught:
            execute_kw_json(self, user, "sale.order", method, args, {})
        self.assertEqual(
            str(caught.exception), "odoo.exceptions.AccessError", msg=f"{user.login}: {args}"
        )

    def partly_delivered(self):
        """4 of 10 delivered, nothing invoiced: the order of the issue."""
        order = self.confirmed_order(qty=10)
        picking = order.picking_ids
        picking.move_ids.quantity = 4
        picking.with_context(skip_backorder=True, picking_ids_not_to_backorder=[]).button_validate()
        self.assertEqual(order.order_line.qty_delivered, 4)
        return order

    def protected_values(self, order):
        picking = order.picking_ids[:1]
        return {
            "is_closed": True,
            "close_forced": True,
            "close_reason_id": self.close_reason.id,
            "close_note": "Closed by hand",
            "close_date": "2026-01-01 00:00:00",
            "close_user_id": self.requester.id,
            "close_previous_locked": True,
            "close_cancelled_picking_ids": [Command.set(picking.ids)],
            "close_return_picking_ids": [Command.set(picking.ids)],
            "close_credit_note_ids": [Command.set([])],
            "close_refund_payment_ids": [Command.set([])],
            "cancel_reason_id": self.cancel_reason.id,
            "cancel_note": "Cancelled by hand",
            "cancel_date": "2026-01-01 00:00:00",
            "cancel_user_id": self.requester.id,
            "cancellation_ids": [Command.clear()],
            "termination_request_ids": [Command.clear()],
            "termination_state": "terminated",
            "hold_reason_id": self.env.ref("order_termination.hold_reason_customer_dispute").id,
            "hold_user_id": self.requester.id,
            "hold_date": "2026-01-01 00:00:00",
            "hold_note": "Held by hand",
        }

    def test_the_issue_write_is_refused_for_everyone(self):
        order = self.partly_delivered()
        vals = {"is_closed": True, "close_forced": True, "close_reason_id": self.close_reason.id}
        for user in self.users().values():
            self.assertRefused(user, "write", order.ids, vals)
        self.env.invalidate_all()
        self.assertFalse(order.is_closed, msg="the order stays open")
        self.assertFalse(order.close_forced or order.close_reason_id, msg="no close data")

    def test_every_state_field_write_and_create_is_refused(self):
        order = self.partly_delivered()
        for field, value in self.protected_values(order).items():
            for user in self.users().values():
                self.assertRefused(user, "write", order.ids, {field: value})
                self.assertRefused(
                    user,
                    "create",
                    [{"partner_id": self.partner_a.id, field: value}],
                )
        self.env.invalidate_all()
        self.assertFalse(order.is_closed or order.cancel_date or order.termination_state)
        self.assertFalse(order.hold_reason_id or order.hold_date, msg="not on hold")
        self.assertNotIn("cancel", order.picking_ids.mapped("state"), msg="nothing cancelled")
        self.assertFalse(
            self.env["sale.order"].search(
                [("partner_id", "=", self.partner_a.id), ("id", ">", order.id)]
            ),
            msg="no order was created",
        )

    def test_context_default_does_not_create_a_closed_order(self):
        with mute_logger("odoo.http"), self.assertRaises(JsonRpcException) as caught:
            execute_kw_json(
                self,
                self.manager,
                "sale.order",
                "create",
                [{"partner_id": self.partner_a.id}],
                {"context": {"default_is_closed": True, "default_close_forced": True}},
            )
        self.assertEqual(str(caught.exception), "odoo.exceptions.AccessError")

    def test_other_fields_still_write_and_methods_still_work(self):
        order = self.settled_order()
        execute_kw_json(
            self,
            self.requester,
            "sale.order",
            "write",
            [order.ids, {"client_order_ref": "PO-1"}],
            {},
        )
        execute_kw_json(self, self.manager, "sale.order", "close", [order.ids], {})
        self.env.invalidate_all()
        self.assertTrue(order.is_closed and order.close_user_id == self.manager)
        execute_kw_json(self, self.manager, "sale.order", "reopen", [order.ids, "Mistake"], {})
        self.env.invalidate_all()
        self.assertFalse(order.is_closed or order.close_date, msg="reopen clears the close data")
        cancelled = self.delivered_and_invoiced()
        execute_kw_json(
            self,
            self.manager,
            "sale.order",
            "cancel_with_reversal",
            [cancelled.ids, self.cancel_reason.id],
            {"note": "Duplicate"},
        )
        self.env.invalidate_all()
        self.assertEqual(cancelled.cancel_user_id, self.manager, msg="the method writes its data")
        self.assertEqual(cancelled.cancel_note, "Duplicate")

    def test_hold_methods_write_their_fields_over_rpc(self):
        order = self.confirmed_order()
        dispute = self.env.ref("order_termination.hold_reason_customer_dispute")
        execute_kw_json(
            self,
            self.requester,
            "sale.order",
            "place_hold",
            [order.ids, dispute.id],
            {"note": "Price contested"},
        )
        self.env.invalidate_all()
        self.assertEqual(order.hold_reason_id, dispute)
        self.assertEqual(order.hold_user_id, self.requester, msg="the method writes its data")
        self.assertEqual(order.hold_note, "Price contested")
        self.assertRefused(self.requester, "write", order.ids, {"hold_reason_id": False})
        execute_kw_json(self, self.requester, "sale.order", "release_hold", [order.ids], {})
        self.env.invalidate_all()
        self.assertFalse(order.hold_reason_id or order.hold_user_id or order.hold_date)
