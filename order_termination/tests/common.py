from odoo import Command
from odoo.tests import new_test_user, tagged

from odoo.addons.order_revoke_cancel.tests.common import OrderEndOfLifeCase


@tagged("post_install", "-at_install")
class TerminationCase(OrderEndOfLifeCase):
    """Orders, approval steps and one plain user per role of the termination flow, on top of
    the order history helpers (deliver, invoice, pay...) of order_revoke_cancel's tests."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_users()
        cls._setup_steps()
        # `reason` is a termination reason here (the parent's is a cancel reason).
        cls.reason = cls.env["sale.termination.reason"].create(
            {"name": "Customer changed plans", "company_id": cls.company.id}
        )
        cls.reason_confirm = cls.env["sale.termination.reason"].create(
            {"name": "Customer must agree", "customer_confirmation": True}
        )

    @classmethod
    def _setup_users(cls):
        cls.requester = cls.company_user("term_requester", "sales_team.group_sale_salesman")
        cls.warehouse_approver = cls.company_user(
            "term_wh_approver", "base.group_user,stock.group_stock_manager"
        )
        cls.finance_approver = cls.company_user(
            "term_fin_approver", "base.group_user,account.group_account_manager"
        )
        cls.outsider = cls.company_user("term_outsider", "base.group_user")
        cls.manager = cls.company_user(
            "term_manager",
            "sales_team.group_sale_manager,stock.group_stock_user,account.group_account_invoice",
        )
        cls.approver_group_wh = cls.env.ref("stock.group_stock_manager")
        cls.approver_group_fin = cls.env.ref("account.group_account_manager")

    @classmethod
    def _setup_steps(cls):
        Step = cls.env["sale.termination.approval.step"]
        # Steps of other companies (demo data) never apply to the test company's orders.
        Step.search([]).active = False
        cls.step_wh = Step.create(
            {
                "name": "Warehouse",
                "sequence": 10,
                "group_id": cls.approver_group_wh.id,
                "company_id": cls.company.id,
            }
        )
        cls.step_fin = Step.create(
            {
                "name": "Finance",
                "sequence": 20,
                "group_id": cls.approver_group_fin.id,
                "company_id": cls.company.id,
                "min_amount": 1000.0,
            }
        )

    # ---- building an order's history ---------------------------------------------------------
    def confirmed_order(self, qty=5, price=100.0, product=None):
        order = self.env["sale.order"].create(
            {
                "partner_id": self.partner_a.id,
                "user_id": self.requester.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": (product or self.storable).id,
                            "product_uom_qty": qty,
                            "price_unit": price,
                        }
                    )
                ],
            }
        )
        order.action_confirm()
        return order

    def pick_all(self, picking):
        """Mark every move of `picking` as fully picked, without validating it."""
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
            move.picked = True
        return picking

    @classmethod
    def portal_customer(cls, login):
        """A portal user of the orders' customer, whose password is its login."""
        return new_test_user(
            cls.env,
            login=login,
            password=login,
            groups="base.group_portal",
            partner_id=cls.partner_a.id,
        )

    def delivered_and_invoiced(self, qty=5):
        """A confirmed order of the requester, delivered and invoiced (posted, not paid)."""
        order = self.confirmed_order(qty)
        self.deliver(order)
        self.invoice(order)
        return order

    def settled_order(self, qty=5):
        order = self.delivered_and_invoiced(qty)
        self.pay(order.invoice_ids)
        return order

    def request(self, order, reason=None, user=None, **kwargs):
        user = user or self.requester
        return (
            order.with_user(user)
            .request_termination(reason or self.reason, "The customer moved abroad.", **kwargs)
            .with_user(self.env.user)
        )

    def customer_answer(self, request, accept, comment=None):
        """The customer's answer as the portal sends it: with the request's access token."""
        token = request.sudo().access_token
        # As the portal route calls it: by a visitor (staff never answer for the customer).
        public = self.env.ref("base.public_user")
        return request.with_user(public).customer_respond(accept, comment, access_token=token)
