from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.sale.tests.common import TestSaleCommon

SALESMAN_GROUPS = "sales_team.group_sale_salesman,stock.group_stock_user"
SALES_MANAGER_GROUPS = (
    "sales_team.group_sale_manager,stock.group_stock_user,account.group_account_invoice"
)


class ButtonAgreementMixin:
    """A button's flag agrees with its method: where the flag is set the method works, where
    it is not the method refuses (tried in a savepoint, so that a wrong success is undone)."""

    def assertButtonAgrees(self, order, user, flag, call, expected, error=UserError, msg=""):
        record = order.with_user(user)
        record.invalidate_recordset([flag])
        self.assertEqual(record[flag], expected, msg=f"{flag} for {user.login}: {msg}")
        if expected:
            call(record)
        else:
            with self.assertRaises(error, msg=f"and the server refuses: {msg}"):
                with self.env.cr.savepoint():
                    call(record)
        return record


@tagged("post_install", "-at_install")
class OrderEndOfLifeCase(TestSaleCommon):
    """An order's life in small steps: confirm, deliver, invoice, pay, and what to look at."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        cls.stock_location = cls.warehouse.lot_stock_id
        cls.storable = cls.env["product.product"].create(
            {
                "name": "Office chair",
                "type": "consu",
                "is_storable": True,
                "invoice_policy": "order",
                "list_price": 100.0,
                "taxes_id": [Command.clear()],
            }
        )
        cls.env["stock.quant"]._update_available_quantity(cls.storable, cls.stock_location, 1000)
        cls.service = cls.env["product.product"].create(
            {
                "name": "Installation",
                "type": "service",
                "invoice_policy": "order",
                "list_price": 50.0,
                "taxes_id": [Command.clear()],
            }
        )
        cls.reason = cls.env.ref("order_revoke_cancel.cancel_reason_customer_request")
        cls.reason_other = cls.env.ref("order_revoke_cancel.cancel_reason_other")
        cls.salesman = cls.company_user("plain_salesman", SALESMAN_GROUPS)
        cls.sales_manager = cls.company_user("orc_sales_manager", SALES_MANAGER_GROUPS)

    @classmethod
    def lot_tracked_product(cls):
        """A storable paint tracked by lots, invoiced on delivered quantities."""
        return cls.env["product.product"].create(
            {
                "name": "Paint (lot)",
                "type": "consu",
                "is_storable": True,
                "tracking": "lot",
                "invoice_policy": "delivery",
                "list_price": 30.0,
                "taxes_id": [Command.clear()],
            }
        )

    @classmethod
    def company_user(cls, login, groups, **values):
        """A user of the test company only, whose password is its login (for tours and RPC)."""
        return new_test_user(
            cls.env,
            login=login,
            password=login,
            groups=groups,
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
            **values,
        )

    # ---- building an order's history ---------------------------------------------------------
    def create_order(self, lines=None, partner=None, **values):
        lines = lines or [(self.storable, 5)]
        return self.env["sale.order"].create(
            {
                "partner_id": (partner or self.partner_a).id,
                "order_line": [
                    Command.create(
                        {"product_id": product.id, "product_uom_qty": qty, "price_unit": 100.0}
                    )
                    for product, qty in lines
                ],
                **values,
            }
        )

    def confirmed_order(self, lines=None, **values):
        order = self.create_order(lines, **values)
        order.action_confirm()
        return order

    def deliver(self, order, qty=None, backorder=True):
        """Validate the order's open delivery for `qty` per move (all of it by default)."""
        picking = order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))[:1]
        return self.validate(picking, qty, backorder)

    def invoice(self, order, post=True):
        invoice = order._create_invoices()
        if post:
            invoice.action_post()
        return invoice

    def pay(self, invoice, amount=None):
        register = self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        )
        values = {"amount": amount} if amount is not None else {}
        return register.create(values)._create_payments()

    def receive(self, picking, qty=None):
        """Validate a return for `qty` per move (all of it by default), without backorder."""
        for move in picking.move_ids.filtered(lambda m: m.state not in ("done", "cancel")):
            move.quantity = move.product_uom_qty if qty is None else qty
            move.picked = True
        picking.with_context(
            skip_backorder=True, picking_ids_not_to_backorder=picking.ids
        ).button_validate()

    def delivered_and_invoiced_order(self, qty=5, paid=None):
        order = self.confirmed_order([(self.storable, qty)])
        self.deliver(order)
        invoice = self.invoice(order)
        if paid is not None:
            self.pay(invoice, paid)
        return order

    # ---- what to look at ---------------------------------------------------------------------
    def receivable(self, partner=None, company=None):
        """The customer's open receivable in the company, in company currency."""
        lines = self.env["account.move.line"].search(
            [
                ("partner_id", "=", (partner or self.partner_a).commercial_partner_id.id),
                ("company_id", "=", (company or self.company).id),
                ("account_id.account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
            ]
        )
        return sum(lines.mapped("amount_residual"))

    def assertBalanced(self, moves):
        for move in moves:
            self.assertAlmostEqual(
                sum(move.line_ids.mapped("debit")),
                sum(move.line_ids.mapped("credit")),
                msg=f"{move.display_name} is balanced",
            )

    def quantities(self, order):
        return [(line.qty_delivered, line.qty_invoiced) for line in order.order_line]

    # ---- multi-step warehouses, lots ---------------------------------------------------------
    def validate(self, picking, qty=None, backorder=True):
        """Validate `picking` for `qty` per move (all of it by default), keeping a backorder
        for the rest unless `backorder` is false."""
        for move in picking.move_ids.filtered(lambda m: m.state not in ("done", "cancel")):
            move.quantity = move.product_uom_qty if qty is None else qty
            move.picked = True
        ctx = (
            {}
            if backorder
            else {"skip_backorder": True, "picking_ids_not_to_backorder": picking.ids}
        )
        res = picking.with_context(**ctx).button_validate()
        if isinstance(res, dict) and res.get("res_model") == "stock.backorder.confirmation":
            wizard = self.env["stock.backorder.confirmation"].with_context(**res["context"])
            wizard.create({}).process()
        return picking

    def open_picking(self, order, picking_type):
        """The order's open picking of `picking_type` (pick, pack, delivery)."""
        return order.picking_ids.filtered(
            lambda p: p.picking_type_id == picking_type and p.state not in ("done", "cancel")
        )

    def on_hand(self, location, product=None, lot=None):
        """Quantity of `product` (the storable chair by default) in `location` and below."""
        domain = [
            ("product_id", "=", (product or self.storable).id),
            ("location_id", "child_of", location.id),
        ]
        if lot:
            domain.append(("lot_id", "=", lot.id))
        # Reading quants is the test's observation, not the user's action.
        return sum(self.env["stock.quant"].sudo().search(domain).mapped("quantity"))

    def stock_by_location(self, product=None, lot=None):
        """{'stock', 'packing', 'output', 'customers'}: where the goods are."""
        warehouse = self.warehouse
        return {
            "stock": self.on_hand(warehouse.lot_stock_id, product, lot),
            "packing": self.on_hand(warehouse.wh_pack_stock_loc_id, product, lot),
            "output": self.on_hand(warehouse.wh_output_stock_loc_id, product, lot),
            "customers": self.on_hand(self.env.ref("stock.stock_location_customers"), product, lot),
        }


class DemoProviderMixin:
    """Odoo's demo payment provider (installed in the test database only, by bin/run-tests) of
    the test company, and demo transactions made the way Odoo makes them."""

    @classmethod
    def setup_demo_provider(cls):
        module = cls.env["ir.module.module"].search([("name", "=", "payment_demo")])
        if module.state != "installed":
            # bin/run-tests installs it in the test database; a skipped test fails the run.
            cls.skipTest(cls, "payment_demo is not installed in the test database")
        base = cls.env.ref("payment.payment_provider_demo").sudo()
        cls.provider = base.copy({"company_id": cls.company.id, "name": "Demo card"})
        cls.provider.write(
            {"state": "test", "journal_id": cls.company_data["default_journal_bank"].id}
        )
        cls.method = cls.env.ref("payment_demo.payment_method_demo")

    def demo_transaction(self, orders, amount, invoices=None, state="done", prefix=None):
        """A demo transaction of `orders` (and `invoices`) notified in `state` ("done", or
        "authorized" through a provider capturing manually) and post-processed as Odoo does."""
        Transaction = self.env["payment.transaction"].sudo()
        invoices = invoices or self.env["account.move"]
        tx = Transaction.create(
            {
                "provider_id": self.provider.id,
                "payment_method_id": self.method.id,
                "reference": Transaction._compute_reference(
                    "demo", prefix=prefix or (invoices or orders)[:1].name
                ),
                "amount": amount,
                "currency_id": orders[:1].currency_id.id,
                "partner_id": orders[:1].partner_id.id,
                "operation": "online_direct",
                "invoice_ids": [Command.set(invoices.ids)],
                "sale_order_ids": [Command.set(orders.ids)],
            }
        )
        if state == "authorized":
            self.provider.capture_manually = True
        tx._handle_notification_data(
            "demo", {"reference": tx.reference, "simulated_state": "done", "payment_details": "42"}
        )
        self.assertEqual(tx.state, state)
        tx._post_process()
        return tx
