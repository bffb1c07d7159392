"""What the histories are made of: warehouses, products (storable, lot-tracked, taxed at a
price that does not round, combo), payment terms and cash roundings."""

from odoo import Command

from odoo.addons.order_revoke_cancel.tests import common


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
