"""What an integration sees over XML-RPC and JSON-RPC: the same rules as the buttons."""

import xmlrpc.client

from odoo.tests import HttpCase, JsonRpcException, get_db_name, tagged
from odoo.tools import mute_logger

from odoo.addons.order_revoke_cancel.tests import common

from .jsonrpc import execute_kw_json

# Fault code Odoo's /xmlrpc/2 endpoints give an AccessError (odoo/addons/base/controllers/rpc.py).
RPC_FAULT_CODE_ACCESS_ERROR = 4


@tagged("post_install", "-at_install")
class TestOrderRevokeCancelRpc(common.OrderEndOfLifeCase, HttpCase):
    """`execute_kw` as a plain salesman and as a sales manager, over both RPC protocols."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rpc_salesman = cls.company_user("rpc_salesman", common.SALESMAN_GROUPS)
        cls.rpc_manager = cls.company_user("rpc_manager", common.SALES_MANAGER_GROUPS)

    # ---- RPC clients -------------------------------------------------------------------------
    def xmlrpc(self, user, model, method, *args, **kwargs):
        """`execute_kw` on /xmlrpc/2/object, authenticated by password like any integration."""
        return self.xmlrpc_object.execute_kw(
            get_db_name(), user.id, user.login, model, method, list(args), kwargs
        )

    def jsonrpc(self, user, model, method, *args, **kwargs):
        """`execute_kw` on /jsonrpc (the JSON flavour of the same object service)."""
        return execute_kw_json(self, user, model, method, args, kwargs)

    def salesmans_delivered_order(self):
        """A delivered and invoiced order the salesman owns (so he can read it)."""
        order = self.confirmed_order([(self.storable, 5)], user_id=self.rpc_salesman.id)
        self.deliver(order)
        self.invoice(order)
        return order

    def snapshot(self, order):
        """What a refused cancellation must leave untouched."""
        self.env.invalidate_all()
        return {
            "state": order.state,
            "cancellations": order.cancellation_ids.ids,
            "pickings": order.picking_ids.ids,
            "invoices": order.invoice_ids.ids,
            "quantities": self.quantities(order),
            "receivable": self.receivable(),
        }

    # ---- cancel ------------------------------------------------------------------------------
    def test_salesman_cancel_with_reversal_over_xmlrpc_is_access_error(self):
        order = self.salesmans_delivered_order()
        before = self.snapshot(order)

        with (
            mute_logger("odoo.http", "odoo.addons.base.controllers.rpc"),
            self.assertRaises(xmlrpc.client.Fault) as caught,
        ):
            self.xmlrpc(
                self.rpc_salesman, "sale.order", "cancel_with_reversal", order.ids, self.reason.id
            )

        self.assertEqual(
            caught.exception.faultCode,
            RPC_FAULT_CODE_ACCESS_ERROR,
            msg=f"an AccessError fault, got: {caught.exception.faultString[:300]}",
        )
        self.assertIn(order.name, caught.exception.faultString, msg="the refusal names the order")
        self.assertEqual(self.snapshot(order), before, msg="nothing changed on the order")

    def test_salesman_cancels_undelivered_order_over_xmlrpc(self):
        order = self.confirmed_order([(self.storable, 5)], user_id=self.rpc_salesman.id)

        self.xmlrpc(
            self.rpc_salesman, "sale.order", "cancel_with_reversal", order.ids, self.reason.id
        )

        self.env.invalidate_all()
        self.assertEqual(order.state, "cancel", msg="nothing to reverse: the salesman may cancel")
        self.assertEqual(order.cancel_reason_id, self.reason, msg="the reason is recorded")

    def test_manager_cancel_with_reversal_over_xmlrpc_returns_cancellation_ids(self):
        order = self.salesmans_delivered_order()

        result = self.xmlrpc(
            self.rpc_manager,
            "sale.order",
            "cancel_with_reversal",
            order.ids,
            self.reason.id,
            note="Cancelled by the shop integration",
        )

        self.env.invalidate_all()
        self.assertEqual(order.state, "cancel", msg="the order is cancelled")
        self.assertEqual(
            result, order.cancellation_ids.ids, msg="the new sale.order.cancellation ids"
        )
        self.assertEqual(
            order.cancellation_ids.note, "Cancelled by the shop integration", msg="note kept"
        )
        self.assertTrue(order.cancellation_ids.return_picking_ids, msg="a return was created")
        self.assertTrue(order.cancellation_ids.credit_note_ids, msg="a credit note was created")

    def test_manager_cancel_with_reversal_over_jsonrpc_returns_cancellation_ids(self):
        order = self.salesmans_delivered_order()

        result = self.jsonrpc(
            self.rpc_manager, "sale.order", "cancel_with_reversal", order.ids, self.reason.id
        )

        self.env.invalidate_all()
        self.assertEqual(order.state, "cancel", msg="the order is cancelled")
        self.assertEqual(
            result, order.cancellation_ids.ids, msg="the new sale.order.cancellation ids"
        )

    def test_get_cancel_impact_over_xmlrpc_is_a_list_of_dicts(self):
        order = self.salesmans_delivered_order()
        invoice = order.invoice_ids

        impact = self.xmlrpc(self.rpc_manager, "sale.order", "get_cancel_impact", order.ids)

        self.assertIsInstance(impact, list, msg="a list")
        for line in impact:
            self.assertEqual(
                set(line),
                {"action", "model", "res_id", "name", "quantity", "amount"},
                msg=f"each line has exactly the contract's keys: {line}",
            )
        by_action = {line["action"]: line for line in impact}
        self.assertEqual(
            set(by_action), {"return_picking", "credit_note"}, msg="a return and a credit note"
        )
        self.assertEqual(
            (by_action["return_picking"]["model"], by_action["return_picking"]["quantity"]),
            ("stock.picking", 5.0),
            msg="the delivery is returned for its 5 units",
        )
        self.assertEqual(
            (by_action["credit_note"]["res_id"], by_action["credit_note"]["amount"]),
            (invoice.id, invoice.amount_total),
            msg="the invoice is credited for its total",
        )
        self.env.invalidate_all()
        self.assertEqual(order.state, "sale", msg="asking for the impact changes nothing")

    # ---- revoke ------------------------------------------------------------------------------
    def test_salesman_revoke_cancel_over_jsonrpc_is_access_error(self):
        order = self.salesmans_delivered_order()
        order.cancel_with_reversal(self.reason)
        before = self.snapshot(order)

        with (
            mute_logger("odoo.http"),
            self.assertRaises(JsonRpcException) as caught,
        ):
            self.jsonrpc(self.rpc_salesman, "sale.order", "revoke_cancel", order.ids)

        self.assertEqual(str(caught.exception), "odoo.exceptions.AccessError", msg="an AccessError")
        self.assertEqual(self.snapshot(order), before, msg="the order stays cancelled as it was")

    def test_manager_revoke_cancel_over_jsonrpc_returns_revoked_cancellations(self):
        order = self.salesmans_delivered_order()
        cancellation = order.cancel_with_reversal(self.reason)

        result = self.jsonrpc(
            self.rpc_manager, "sale.order", "revoke_cancel", order.ids, note="Back on"
        )

        self.env.invalidate_all()
        self.assertEqual(order.state, "sale", msg="the order is confirmed again")
        self.assertEqual(cancellation.state, "revoked", msg="the cancellation is revoked")
        self.assertEqual(result, cancellation.ids, msg="the revoked cancellation ids")
