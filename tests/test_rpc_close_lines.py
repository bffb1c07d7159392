"""Closing lines over RPC: the same rules as the Close Lines wizard."""

import xmlrpc.client

from odoo.tests import HttpCase, get_db_name, tagged
from odoo.tools import mute_logger

from odoo.addons.order_revoke_cancel.tests import common

from .jsonrpc import execute_kw_json

# Fault code Odoo's /xmlrpc/2 endpoints give an AccessError (odoo/addons/base/controllers/rpc.py).
RPC_FAULT_CODE_ACCESS_ERROR = 4


@tagged("post_install", "-at_install")
class TestCloseLinesRpc(common.OrderEndOfLifeCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rpc_salesman = cls.company_user("rpc_cl_salesman", common.SALESMAN_GROUPS)
        cls.rpc_manager = cls.company_user("rpc_cl_manager", common.SALES_MANAGER_GROUPS)
        cls.close_reason = cls.env.ref("order_termination.close_reason_short_close")

    def xmlrpc(self, user, model, method, *args, **kwargs):
        return self.xmlrpc_object.execute_kw(
            get_db_name(), user.id, user.login, model, method, list(args), kwargs
        )

    def partly_delivered_order(self):
        """10 chairs of the salesman's, invoiced on order, 4 delivered."""
        order = self.confirmed_order([(self.storable, 10)], user_id=self.rpc_salesman.id)
        self.invoice(order)
        self.deliver(order, qty=4)
        return order

    def test_salesman_is_refused_and_manager_closes_and_reopens(self):
        order = self.partly_delivered_order()
        line = order.order_line

        with (
            mute_logger("odoo.http", "odoo.addons.base.controllers.rpc"),
            self.assertRaises(xmlrpc.client.Fault) as caught,
        ):
            self.xmlrpc(
                self.rpc_salesman,
                "sale.order",
                "close_lines",
                order.ids,
                line.ids,
                self.close_reason.id,
            )
        self.assertEqual(caught.exception.faultCode, RPC_FAULT_CODE_ACCESS_ERROR)
        self.assertIn(order.name, caught.exception.faultString, msg="the refusal names the order")
        self.env.invalidate_all()
        self.assertFalse(line.is_closed, msg="nothing closed")

        impact = execute_kw_json(
            self,
            self.rpc_manager,
            "sale.order",
            "get_close_lines_impact",
            [order.ids, line.ids],
            {},
        )
        self.assertEqual(
            [(i["action"], i["amount"]) for i in impact if i["action"] == "credit_note"],
            [("credit_note", 600.0)],
            msg="the preview over RPC",
        )
        execute_kw_json(
            self,
            self.rpc_manager,
            "sale.order",
            "close_lines",
            [order.ids, line.ids, self.close_reason.id],
            {"note": "No more chairs.", "refund_payments": False},
        )
        self.env.invalidate_all()
        self.assertTrue(line.is_closed, msg="closed over RPC")
        self.assertTrue(order.is_closed, msg="its only line: the order closed with it")
        self.assertEqual((line.qty_delivered, line.qty_invoiced), (4, 4), msg="settled")
        self.assertAlmostEqual(self.receivable(), 400.0, msg="owed: the 4 delivered")

        with (
            mute_logger("odoo.http", "odoo.addons.base.controllers.rpc"),
            self.assertRaises(xmlrpc.client.Fault) as caught,
        ):
            self.xmlrpc(
                self.rpc_manager, "sale.order.line", "write", line.ids, {"is_closed": False}
            )
        self.assertEqual(caught.exception.faultCode, RPC_FAULT_CODE_ACCESS_ERROR)

        self.xmlrpc(self.rpc_manager, "sale.order", "reopen_lines", order.ids, line.ids, "Back.")
        self.env.invalidate_all()
        self.assertFalse(line.is_closed, msg="reopened")
        self.assertFalse(order.is_closed, msg="and the order with it")
        self.assertEqual((line.qty_delivered, line.qty_invoiced), (4, 10), msg="as before")
        self.assertAlmostEqual(self.receivable(), 1000.0, msg="receivable as before")
