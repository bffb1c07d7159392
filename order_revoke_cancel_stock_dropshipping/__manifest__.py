{
    "name": "Order Revoke Cancel - Dropshipping",
    "summary": "Cancelled quantities of dropshipped lines are not bought again.",
    "version": "18.0.1.0.0",
    "category": "Sales/Sales",
    "license": "LGPL-3",
    "author": "Order End of Life",
    "website": "https://github.com/order-end-of-life/order-addons",
    "depends": ["order_revoke_cancel", "stock_dropshipping"],
    "auto_install": True,
}
