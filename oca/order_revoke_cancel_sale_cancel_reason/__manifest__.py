{
    "name": "Revoke Cancel - OCA Sale Cancel Reason",
    "summary": "Lets order_revoke_cancel and OCA's sale_cancel_reason share one cancel reason.",
    "version": "18.0.1.0.0",
    "category": "Sales",
    "license": "AGPL-3",
    "author": "Order End of Life",
    "website": "https://github.com/order-end-of-life/order-addons",
    "depends": ["order_revoke_cancel", "sale_cancel_reason"],
    "data": ["views/sale_cancel_reason_glue_views.xml"],
    "post_init_hook": "post_init_hook",
    "auto_install": True,
}
