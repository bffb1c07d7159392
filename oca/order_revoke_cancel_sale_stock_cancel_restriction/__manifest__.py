{
    "name": "Revoke Cancel - OCA Sale Stock Cancel Restriction",
    "summary": "Delivered orders are cancelled only with reversal, which returns the deliveries.",
    "version": "18.0.1.0.0",
    "category": "Sales",
    "license": "AGPL-3",
    "author": "Order End of Life",
    "website": "https://github.com/order-end-of-life/order-addons",
    "depends": ["order_revoke_cancel", "sale_stock_cancel_restriction"],
    "auto_install": True,
}
