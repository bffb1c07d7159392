"""Record rules over JSON-RPC: a salesman limited to his own documents sees the cancellation
records, termination requests, approvals and purchase effects of the orders he may see, nothing
else; every user sees only the records of his companies; reasons are per company."""

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from odoo.addons.order_termination.tests.common import TerminationCase

from .jsonrpc import execute_kw

OWN_DOCUMENTS = "sales_team.group_sale_salesman"
ALL_DOCUMENTS = "sales_team.group_sale_salesman_all_leads"


@tagged("post_install", "-at_install")
class TestRecordRules(TerminationCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.step_fin.active = False
        cls.alice = cls.company_user("rules_alice", OWN_DOCUMENTS)
        cls.bob = cls.company_user("rules_bob", OWN_DOCUMENTS)
        # An own-documents salesman who also approves warehouse steps.
        cls.carol = cls.company_user("rules_carol", f"{OWN_DOCUMENTS},stock.group_stock_manager")
        cls.dave = cls.company_user("rules_dave", ALL_DOCUMENTS)
        cancel_reason = cls.env.ref("order_revoke_cancel.cancel_reason_customer_request")
        cls.orders = {}
        for key, user in (("alice", cls.alice), ("bob", cls.bob), ("nobody", None)):
            cancelled = cls._new_order(user)
            cancelled.cancel_with_reversal(cancel_reason)
            pending = cls._new_order(user)
            requester = user or cls.manager
            request = pending.with_user(requester).request_termination(cls.reason, "Moved abroad.")
            # What a termination did to a purchase, as the ledger keeps it (no purchase flow
            # needed to check who may read it).
            effect = (
                cls.env["sale.termination.purchase.effect"]
                .sudo()
                .create(
                    {
                        "request_id": request.id,
                        "purchase_id": cls._purchase().id,
                        "action": "notify",
                        "note": f"{key}'s purchase",
                    }
                )
            )
            cls.orders[key] = {
                "cancellation": cancelled.cancellation_ids,
                "cancellation_lines": cancelled.cancellation_ids.line_ids,
                "request": request,
                "approvals": request.approval_ids,
                "effect": effect,
            }
        other = cls.env["res.company"].create({"name": "Rules other company"})
        foreign = cls.env["sale.order"].create(
            {
                "partner_id": cls.partner_a.id,
                "company_id": other.id,
                "order_line": [Command.create({"product_id": cls.service.id})],
            }
        )
        foreign.cancel_with_reversal(cancel_reason)
        cls.foreign_cancellation = foreign.cancellation_ids
        cls.other_company = other

    @classmethod
    def _new_order(cls, user):
        order = cls.env["sale.order"].create(
            {
                "partner_id": cls.partner_a.id,
                "user_id": user.id if user else False,
                "order_line": [Command.create({"product_id": cls.storable.id, "price_unit": 10})],
            }
        )
        order.action_confirm()
        return order

    @classmethod
    def _purchase(cls):
        return cls.env["purchase.order"].create(
            {
                "partner_id": cls.partner_a.id,
                "order_line": [
                    Command.create(
                        {"product_id": cls.storable.id, "product_qty": 1, "price_unit": 5}
                    )
                ],
            }
        )

    def rpc(self, user, model, method, *args, **kwargs):
        """execute_kw on /jsonrpc; returns (result, error name)."""
        with mute_logger("odoo.http"):
            answer = execute_kw(self, user.id, user.login, model, method, args, kwargs).json()
        error = answer.get("error")
        return answer.get("result"), (error["data"]["name"] if error else None)

    def visible(self, user, model, records):
        """Which of `records` the user finds by search over RPC."""
        ids, error = self.rpc(user, model, "search", [("id", "in", records.ids)])
        self.assertIsNone(error, msg=f"{user.login} may search {model}")
        return set(ids)

    def records_of(self, model_key, *owners):
        return set().union(*(self.orders[o][model_key].ids for o in owners))

    # ---- own-documents salesmen ----------------------------------------------------------------
    def test_own_documents_salesman_sees_his_and_unassigned_records_only(self):
        for key, model in (
            ("cancellation", "sale.order.cancellation"),
            ("cancellation_lines", "sale.order.cancellation.line"),
            ("request", "sale.termination.request"),
            ("approvals", "sale.termination.approval"),
            ("effect", "sale.termination.purchase.effect"),
        ):
            every = self.env[model].browse(self.records_of(key, "alice", "bob", "nobody"))
            self.assertEqual(
                self.visible(self.alice, model, every),
                self.records_of(key, "alice", "nobody"),
                msg=f"alice finds the {model} of her orders and of unassigned ones, not bob's",
            )
            self.assertEqual(
                self.visible(self.bob, model, every),
                self.records_of(key, "bob", "nobody"),
                msg=f"bob finds the {model} of his orders and of unassigned ones, not alice's",
            )
            self.assertEqual(
                self.visible(self.dave, model, every),
                set(every.ids),
                msg=f"an all-documents salesman finds every {model} of his company",
            )

    def test_own_documents_salesman_cannot_read_someone_elses_record_by_id(self):
        for key, model in (
            ("cancellation", "sale.order.cancellation"),
            ("request", "sale.termination.request"),
            ("approvals", "sale.termination.approval"),
            ("effect", "sale.termination.purchase.effect"),
        ):
            _result, error = self.rpc(
                self.alice, model, "read", list(self.records_of(key, "bob")), ["display_name"]
            )
            self.assertEqual(
                error, "odoo.exceptions.AccessError", msg=f"alice may not read bob's {model}"
            )

    def test_approver_salesman_sees_the_requests_he_must_approve(self):
        every = self.env["sale.termination.request"].browse(
            self.records_of("request", "alice", "bob", "nobody")
        )
        self.assertEqual(
            self.visible(self.carol, "sale.termination.request", every),
            set(every.ids),
            msg="a salesman in the approver group of every request finds them all to decide",
        )
        bobs = self.orders["bob"]["request"]
        _result, error = self.rpc(
            self.carol, "sale.termination.request", "action_approve", bobs.ids
        )
        self.assertIsNone(error, msg="and may approve one of another salesman's orders")
        self.assertEqual(bobs.approval_ids.reviewer_id, self.carol, msg="carol decided")
        self.assertNotIn(
            self.orders["bob"]["effect"].id,
            self.visible(
                self.carol, "sale.termination.purchase.effect", self.orders["bob"]["effect"]
            ),
            msg="approving does not open the purchase side of another salesman's order",
        )

    # ---- multi-company -------------------------------------------------------------------------
    def test_records_of_another_company_are_invisible_even_to_managers(self):
        self.assertFalse(
            self.visible(self.manager, "sale.order.cancellation", self.foreign_cancellation),
            msg="a manager of this company does not find another company's cancellation",
        )
        self.assertFalse(
            self.visible(
                self.manager, "sale.order.cancellation.line", self.foreign_cancellation.line_ids
            ),
            msg="nor its lines",
        )

    # ---- reasons per company -------------------------------------------------------------------
    def test_termination_reason_refuses_cancel_reason_of_another_company(self):
        foreign_reason = self.env["sale.order.cancel.reason"].create(
            {"name": "Other company's", "company_id": self.other_company.id}
        )
        with self.assertRaises(UserError, msg="check_company on the cancel reason"):
            self.env["sale.termination.reason"].create(
                {
                    "name": "Mixed",
                    "company_id": self.company.id,
                    "cancel_reason_id": foreign_reason.id,
                }
            )

    def test_archived_reason_is_refused(self):
        order = self._new_order(self.alice)
        self.reason.active = False
        with self.assertRaises(UserError, msg="an archived termination reason is refused") as err:
            order.with_user(self.alice).request_termination(self.reason.id, "Moved abroad.")
        self.assertIn("archived", str(err.exception), msg="the message says it is archived")
        self.assertFalse(order.termination_request_ids, msg="no request was made")
