"""Batches are evidence (issue 16, "Big selections"): over JSON-RPC nobody creates, writes or
deletes a batch or its results, nobody runs the batches' scheduled action, and a salesman reads
his own batches only."""

from odoo.tests import HttpCase, JsonRpcException, tagged
from odoo.tools import mute_logger

from odoo.addons.order_termination.tests.common import TerminationCase

from .jsonrpc import execute_kw_json


@tagged("post_install", "-at_install")
class TestBatchRpc(TerminationCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.order_background_threshold = 1
        cls.other_salesman = cls.company_user("batch_rpc_other", "sales_team.group_sale_salesman")

    def assertRpcRefused(self, user, model, method, *args):
        with mute_logger("odoo.http"), self.assertRaises(JsonRpcException) as caught:
            execute_kw_json(self, user, model, method, args, {})
        self.assertEqual(
            str(caught.exception),
            "odoo.exceptions.AccessError",
            msg=f"{user.login}: {model}.{method} is refused",
        )

    def batch_of(self, user):
        orders = self.confirmed_order() | self.confirmed_order()
        orders.user_id = user
        Batch = self.env["sale.order.batch"].with_user(user)
        return Batch._create_batch(
            "cancel",
            orders.with_user(user),
            cancel_reason_id=self.env.ref("order_revoke_cancel.cancel_reason_other").id,
        )

    def test_batches_change_only_through_their_methods_over_rpc(self):
        mine = self.batch_of(self.requester)
        theirs = self.batch_of(self.other_salesman)
        self.env["sale.order.batch"]._cron_process_batches(commit=False)
        self.assertEqual(mine.state, "done")
        result = mine.result_ids[:1]
        for user in (self.requester, self.manager):
            self.assertRpcRefused(
                user,
                "sale.order.batch",
                "create",
                {"operation": "cancel", "user_id": user.id, "company_id": self.company.id},
            )
            self.assertRpcRefused(user, "sale.order.batch", "write", mine.ids, {"state": "queued"})
            self.assertRpcRefused(user, "sale.order.batch", "unlink", mine.ids)
            self.assertRpcRefused(
                user, "sale.order.batch.result", "write", result.ids, {"outcome": "failed"}
            )
            self.assertRpcRefused(
                user, "sale.order.batch.result", "create", {"batch_id": mine.id, "outcome": "done"}
            )
            self.assertRpcRefused(user, "sale.order.batch", "_cron_process_batches")
            self.assertRpcRefused(user, "sale.order.batch", "_create_batch", "cancel", [])
        self.assertRpcRefused(self.requester, "sale.order.batch", "read", theirs.ids, ["state"])
        found = execute_kw_json(
            self, self.requester, "sale.order.batch", "search_read", [[], ["state"]], {}
        )
        self.assertEqual([row["id"] for row in found], mine.ids, "his own batch only")
        rows = execute_kw_json(
            self,
            self.manager,
            "sale.order.batch",
            "read",
            [(mine | theirs).ids, ["state", "progress"]],
            {},
        )
        self.assertEqual(len(rows), 2, "a sales manager reads every batch")
