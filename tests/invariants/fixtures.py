"""What the histories are made of: warehouses, products (storable, lot-tracked, taxed at a
price that does not round, combo, bought to order or dropshipped from a vendor), payment terms,
cash roundings and a card payment provider (Odoo's demo provider)."""

from odoo import Command

from odoo.addons.order_revoke_cancel.tests import common
from odoo.addons.sale_stock.models.sale_order_line import SaleOrderLine as SaleStockLine


class MachineFixtures:
    """Class-level data of the machine, made once per test class."""

    @classmethod
    def _setup_machine(cls):
        cls.manager = cls.company_user(
            "inv_manager",
            common.SALES_MANAGER_GROUPS + ",stock.group_production_lot",
        )
        cls.partner = cls.partner_a
        cls._setup_warehouses()
        cls._setup_products()
        cls._setup_money()
        cls._setup_purchases()
        cls._setup_online()
        cls.close_reason = cls.env.ref("order_termination.close_reason_short_close")

    @classmethod
    def _setup_warehouses(cls):
        Warehouse = cls.env["stock.warehouse"]
        cls.warehouses = {"ship_only": cls.warehouse}
        cls.warehouse.delivery_steps = "ship_only"
        for steps, code in (("pick_ship", "IW2"), ("pick_pack_ship", "IW3")):
            cls.warehouses[steps] = Warehouse.create(
                {
                    "name": f"Invariants {steps}",
                    "code": code,
                    "company_id": cls.company.id,
                    "delivery_steps": steps,
                }
            )
        cls.intermediate_locations = cls.env["stock.location"]
        for warehouse in cls.warehouses.values():
            if warehouse.delivery_steps != "ship_only":
                cls.intermediate_locations |= warehouse.wh_output_stock_loc_id
            if warehouse.delivery_steps == "pick_pack_ship":
                cls.intermediate_locations |= warehouse.wh_pack_stock_loc_id
        cls.customer_location_ids = frozenset(
            cls.env["stock.location"].search([("usage", "=", "customer")]).ids
        )

    @classmethod
    def _setup_products(cls):
        company = cls.company
        cls.lot_product = cls.lot_tracked_product()
        # 10 % VAT included in the price plus a 5 % tax on top, at a price whose taxes do not
        # fall on whole cents: where a cent can be lost (issue 17).
        cls.tax_vat_included = cls.env["account.tax"].create(
            {
                "name": "VAT 10 % included",
                "amount": 10.0,
                "type_tax_use": "sale",
                "price_include_override": "tax_included",
                "company_id": company.id,
                "sequence": 1,
            }
        )
        cls.tax_second = cls.env["account.tax"].create(
            {
                "name": "Second tax 5 %",
                "amount": 5.0,
                "type_tax_use": "sale",
                "price_include_override": "tax_excluded",
                "company_id": company.id,
                "sequence": 2,
            }
        )
        Product = cls.env["product.product"]
        storable = {"type": "consu", "is_storable": True, "invoice_policy": "order"}
        cls.taxed_product = Product.create(
            {
                **storable,
                "name": "Lamp (two taxes)",
                "list_price": 109.99,
                "taxes_id": [Command.set((cls.tax_vat_included | cls.tax_second).ids)],
            }
        )
        cls.side_product = Product.create(
            {**storable, "name": "Side (combo item)", "list_price": 4.99, "taxes_id": []}
        )
        combos = cls.env["product.combo"].create(
            [
                {"name": "Main", "combo_item_ids": [Command.create({"product_id": product.id})]}
                for product in (cls.storable, cls.side_product)
            ]
        )
        cls.combo_items = combos.combo_item_ids
        cls.combo_product = Product.create(
            {
                "name": "Menu (combo)",
                "type": "combo",
                "list_price": 104.99,
                "combo_ids": [Command.set(combos.ids)],
            }
        )
        Quant = cls.env["stock.quant"]
        for warehouse in cls.warehouses.values():
            for product in (cls.storable, cls.taxed_product, cls.side_product):
                if warehouse != cls.warehouse or product != cls.storable:
                    Quant._update_available_quantity(product, warehouse.lot_stock_id, 1000)
            for lot_name in ("A", "B"):
                lot = cls.env["stock.lot"].create(
                    {
                        "name": f"{warehouse.code}-{lot_name}",
                        "product_id": cls.lot_product.id,
                        "company_id": company.id,
                    }
                )
                Quant._update_available_quantity(
                    cls.lot_product, warehouse.lot_stock_id, 300, lot_id=lot
                )
        cls.products = cls.storable | cls.lot_product | cls.taxed_product | cls.side_product
        cls.prices = {
            cls.storable.id: 100.0,
            cls.lot_product.id: 30.0,
            cls.taxed_product.id: 109.99,
            cls.side_product.id: 4.99,
        }

    @classmethod
    def _setup_money(cls):
        company = cls.company
        if not company.account_journal_early_pay_discount_loss_account_id:
            company.account_journal_early_pay_discount_loss_account_id = cls.company_data[
                "default_account_expense"
            ]
        if not company.account_journal_early_pay_discount_gain_account_id:
            company.account_journal_early_pay_discount_gain_account_id = cls.company_data[
                "default_account_revenue"
            ]
        cls.term_early = cls.env["account.payment.term"].create(
            {
                "name": "2/10 net 30",
                "early_discount": True,
                "discount_percentage": 2,
                "discount_days": 10,
                "early_pay_discount_computation": "included",
                "line_ids": [
                    Command.create({"value": "percent", "value_amount": 100, "nb_days": 30})
                ],
            }
        )
        cls.writeoff_account = cls.company_data["default_account_expense"]
        cls.cash_roundings = {
            strategy: cls.env["account.cash.rounding"].create(
                {
                    "name": f"0.05 {strategy}",
                    "rounding": 0.05,
                    "strategy": strategy,
                    "rounding_method": "HALF-UP",
                    "profit_account_id": cls.company_data["default_account_revenue"].id,
                    "loss_account_id": cls.company_data["default_account_expense"].id,
                }
            )
            for strategy in ("add_invoice_line", "biggest_tax")
        }

    @classmethod
    def _setup_purchases(cls):
        """A desk made to order (MTO + buy, a receipt into stock chained to the delivery) and a
        lamp dropshipped (a stand-in route of its own: a buy rule from the vendor straight to
        the customer, whether stock_dropshipping is installed or not), both bought from one
        vendor by a buyer; the company cancels or reduces the purchases of a cancelled order
        (`cancel_purchase_effect`)."""
        mto_route = cls.env.ref("stock.route_warehouse0_mto")
        mto_route.active = True
        mto_route.rule_ids.procure_method = "make_to_order"
        buy_route = cls.env.ref("purchase_stock.route_warehouse0_buy")
        cls.vendor = cls.env["res.partner"].create({"name": "Invariants vendor"})
        cls.buyer = cls.company_user(
            "inv_buyer", "purchase.group_purchase_user,stock.group_stock_user"
        )
        customers = cls.env.ref("stock.stock_location_customers")
        dropship_type = cls.warehouse.in_type_id.copy(
            {
                "name": "Dropship (invariants)",
                "sequence_code": "IDS",
                "default_location_src_id": cls.env.ref("stock.stock_location_suppliers").id,
                "default_location_dest_id": customers.id,
            }
        )
        dropship_route = cls.env["stock.route"].create(
            {
                "name": "Dropship (invariants)",
                "product_selectable": True,
                "company_id": cls.company.id,
                "rule_ids": [
                    Command.create(
                        {
                            "name": "Vendor to customer",
                            "action": "buy",
                            "location_src_id": dropship_type.default_location_src_id.id,
                            "location_dest_id": customers.id,
                            "picking_type_id": dropship_type.id,
                            "company_id": cls.company.id,
                        }
                    )
                ],
            }
        )
        Product = cls.env["product.product"]
        bought = {
            "type": "consu",
            "is_storable": True,
            "invoice_policy": "order",
            "taxes_id": [Command.clear()],
        }
        cls.mto_product = Product.create(
            {
                **bought,
                "name": "Desk (made to order)",
                "route_ids": [Command.set((mto_route | buy_route).ids)],
                "seller_ids": [Command.create({"partner_id": cls.vendor.id, "price": 40.0})],
            }
        )
        cls.dropship_product = Product.create(
            {
                **bought,
                "name": "Lamp (dropshipped)",
                "route_ids": [Command.set(dropship_route.ids)],
                "seller_ids": [Command.create({"partner_id": cls.vendor.id, "price": 20.0})],
            }
        )
        cls.bought_products = cls.mto_product | cls.dropship_product
        cls._count_dropship_rfqs_as_procured()
        cls.products |= cls.bought_products
        cls.prices[cls.mto_product.id] = 80.0
        cls.prices[cls.dropship_product.id] = 35.0
        cls.company.cancel_purchase_effect = "apply"

    @classmethod
    def _setup_online(cls):
        """Odoo's demo provider as the customer's card (installed in the test database by
        bin/run-tests); without it "pay online" is never drawn."""
        cls.provider = None
        module = cls.env["ir.module.module"].search([("name", "=", "payment_demo")])
        if module.state != "installed":
            return
        base = cls.env.ref("payment.payment_provider_demo").sudo()
        cls.provider = base.copy({"company_id": cls.company.id, "name": "Demo card"})
        cls.provider.write(
            {"state": "test", "journal_id": cls.company_data["default_journal_bank"].id}
        )
        cls.payment_method = cls.env.ref("payment_demo.payment_method_demo")

    @classmethod
    def _count_dropship_rfqs_as_procured(cls):
        """What stock_dropshipping (not installed) adds to the stand-in route: a dropshipped line
        counts as procured what its live purchase lines buy (a request for quotation has no
        move yet), so that procurement run again does not buy it twice. Its
        `sale.order.line._get_qty_procurement`, for the machine's dropshipped lamp only, put
        under the addons' override (sale_stock's), as if stock_dropshipping loaded first:
        on top, it would drop what the addons add (the quantities cancelled by lines). Where
        stock_dropshipping is installed (bin/run-tests installs it), its own override and the
        glue addon order_revoke_cancel_stock_dropshipping do it, and nothing is patched."""
        module = cls.env["ir.module.module"].search([("name", "=", "stock_dropshipping")])
        if module.state == "installed":
            return
        original = SaleStockLine._get_qty_procurement
        dropship = cls.dropship_product

        def _get_qty_procurement(self, previous_product_uom_qty=False):
            lines = self.sudo().purchase_line_ids.filtered(lambda pl: pl.state != "cancel")
            if self.product_id == dropship and lines:
                return sum(
                    pl.product_uom._compute_quantity(
                        pl.product_qty, self.product_uom, rounding_method="HALF-UP"
                    )
                    for pl in lines
                )
            return original(self, previous_product_uom_qty=previous_product_uom_qty)

        cls.classPatch(SaleStockLine, "_get_qty_procurement", _get_qty_procurement)
