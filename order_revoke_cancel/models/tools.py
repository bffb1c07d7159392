"""Small helpers shared by the order and cancellation models."""


def picking_demand(picking):
    """Total demand of a picking's live moves."""
    return sum(picking.move_ids.filtered(lambda m: m.state != "cancel").mapped("product_uom_qty"))


def reconcile_receivables(moves):
    """Reconcile what is still open on the receivable lines of `moves` with each other."""
    lines = moves.line_ids.filtered(
        lambda line: line.account_id.account_type == "asset_receivable" and not line.reconciled
    )
    if any(line.balance > 0 for line in lines) and any(line.balance < 0 for line in lines):
        lines.reconcile()
