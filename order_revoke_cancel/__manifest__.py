{
    "name": "Order Revoke Cancel",
    "summary": "Cancel sales orders with returns, credit notes and refunds, "
    "with a recorded reason and an exact revoke",
    "version": "18.0.1.1.0",
    "category": "Sales/Sales",
    "license": "LGPL-3",
    "author": "Order End of Life",
    "website": "https://github.com/order-end-of-life/order-addons",
    "depends": ["sale_management", "sale_stock"],
    "data": [
        "security/order_revoke_cancel_security.xml",
        "security/ir.model.access.csv",
        "security/order_revoke_cancel_rules.xml",
        "data/product_data.xml",
        "data/sale_cancel_reason_data.xml",
        "data/mail_activity_type_data.xml",
        "data/ir_cron_data.xml",
        "views/sale_cancel_reason_views.xml",
        "views/sale_order_cancellation_views.xml",
        "views/sale_order_views.xml",
        "views/sale_order_portal_templates.xml",
        "views/sale_order_batch_views.xml",
        "views/res_config_settings_views.xml",
        "wizard/sale_order_cancel_views.xml",
        "wizard/sale_mass_cancel_orders_views.xml",
        "wizard/sale_order_revoke_cancel_views.xml",
        "views/order_revoke_cancel_menus.xml",
    ],
    "demo": [
        "demo/order_revoke_cancel_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "order_revoke_cancel/static/tests/tours/*.js",
        ],
    },
}
