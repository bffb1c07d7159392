"""The invariants of the purchases made for the orders (make to order, dropship), with the
company's `cancel_purchase_effect = 'apply'`:

- a cancellation (of the order or of lines) changes the purchase lines exactly as its ledger
  (`purchase_effect_ids`) says, which the preview must list (`_check_preview`): each effect's
  quantity before and after is the line's, a cancelled purchase keeps nothing, and no other
  purchase line moves;
- steps that neither sell, cancel nor revoke leave the purchase quantities alone;
- nothing is bought beyond what is still ordered and not delivered: per product, what the
  live purchases still bring (ordered, not received) is at most what the live orders still
  need (quantity in force less delivered); received goods the buyer was notified about are
  outside the bound (already received);
- after a revoke procurement buys again: per product, what the live purchases still bring and
  what is in stock covers what the live orders need.
"""

from collections import defaultdict

from .base import TOLERANCE, Violation

# Steps that may not change a purchase quantity at all (they neither sell, cancel, revoke,
# close nor reopen): a purchase confirmed or received keeps its quantities too.
_NO_PURCHASE_CHANGE = frozenset(
    {
        "deliver",
        "invoice",
        "pay",
        "pay_online",
        "credit_note",
        "receive",
        "repair_return",
        "close",
        "confirm_purchase",
        "receive_purchase",
    }
)


class PurchaseChecks:
    """Reads of the purchases of the vendor of the machine, and their invariants."""

    def _purchase_lines(self):
        """{purchase line id: (product, quantity, purchase state, received)} of the vendor."""
        self.env.flush_all()
        self.env.cr.execute(
            """
            SELECT l.id, l.product_id, l.product_qty, o.state, l.qty_received
              FROM purchase_order_line l JOIN purchase_order o ON o.id = l.order_id
             WHERE o.partner_id = %s AND l.display_type IS NULL
            """,
            [self.vendor.id],
        )
        return {
            line_id: (product, round(qty, 4), state, round(received or 0.0, 4))
            for line_id, product, qty, state, received in self.env.cr.fetchall()
        }

    # ---- after any step ----------------------------------------------------------------------
    def _check_purchase_bound(self, snap):
        """Nothing bought beyond what the live orders still need (per product)."""
        open_qty, need, skipped = self._purchase_supply(snap)
        for product in self.bought_products.ids:
            if product in skipped:
                continue
            if open_qty[product] > need[product] + TOLERANCE:
                raise Violation(
                    "bought beyond what is still ordered and not delivered",
                    f"{self._name_of('product.product', product)}: the live purchases still "
                    f"bring {open_qty[product]:g}, the live orders need {need[product]:g} "
                    f"(purchase lines: {self._purchase_lines_text(snap, product)})",
                )

    def _purchase_supply(self, snap):
        """({product: ordered and not received on live purchases}, {product: still needed by
        the live orders}, products a closed order or line holds: a close leaves the purchases
        as they are, outside these bounds)."""
        open_qty = defaultdict(float)
        for line_id, (product, qty, state, received) in snap["purchase_lines"].items():
            if state != "cancel":
                # Received goods the buyer was told about are the buyer's decision, even when
                # a return to the vendor took them off the line since.
                received = max(received, self.notified_received.get(line_id, 0.0))
                open_qty[product] += max(qty - received, 0.0)
        need = defaultdict(float)
        skipped = set()
        for order in snap["orders"].values():
            for line_id, line in order["lines"].items():
                product = self._line_product(line_id)
                if product not in self.bought_products.ids:
                    continue
                if order["is_closed"] or line["closed"]:
                    skipped.add(product)
                    continue
                if order["state"] != "sale":
                    continue
                in_force = line["ordered"] - line["cancelled"]
                need[product] += max(in_force - line["delivered"], 0.0)
        return open_qty, need, skipped

    def _purchase_lines_text(self, snap, product):
        lines = self.env["purchase.order.line"].browse(
            sorted(lid for lid, (p, *_rest) in snap["purchase_lines"].items() if p == product)
        )
        return ", ".join(
            f"{line.order_id.name} {snap['purchase_lines'][line.id][2]} "
            f"{snap['purchase_lines'][line.id][1]:g} (received "
            f"{snap['purchase_lines'][line.id][3]:g})"
            for line in lines
        )

    # ---- what a step means ---------------------------------------------------------------------
    def _check_purchase_step(self, step, before, after, refused):
        self._check_purchase_changes(step, before, after, refused)
        self._check_purchase_bound(after)

    def _check_purchase_changes(self, step, before, after, refused):
        was, now = before["purchase_lines"], after["purchase_lines"]
        if refused or step.kind in _NO_PURCHASE_CHANGE:
            # Confirming or receiving a purchase changes its state or what was received only.
            changed = [
                line_id
                for line_id in sorted(set(was) | set(now))
                if abs(_in_force(was.get(line_id)) - _in_force(now.get(line_id))) > TOLERANCE
            ]
            if changed:
                raise Violation(
                    "purchase quantity changed by a step that neither cancels nor revokes"
                    if not refused
                    else "refused step changed a purchase",
                    self._purchase_changes_text(was, now, changed),
                )
            return
        if step.kind in ("cancel", "cancel_lines"):
            self._check_purchase_effects(step, was, now)
        if step.kind in ("revoke", "revoke_lines"):
            self._check_bought_again(after)

    def _check_purchase_effects(self, step, was, now):
        """The purchase lines moved exactly as the cancellation's ledger says."""
        cancellation = step.result
        effects = cancellation.sudo().purchase_effect_ids
        for purchase in effects.filtered(lambda e: e.action == "notify").purchase_id:
            for line_id in purchase.order_line.ids:
                if line_id in was:
                    self.notified_received[line_id] = max(
                        self.notified_received.get(line_id, 0.0), was[line_id][3]
                    )
        expected = {}
        for effect in effects.filtered(lambda e: e.action in ("cancel", "reduce")):
            line_id = effect.purchase_line_id.id
            before = was.get(line_id)
            if before is None or abs(before[1] - effect.previous_qty) > TOLERANCE:
                raise Violation(
                    "purchase effect's quantity before is not the line's",
                    f"{effect.purchase_name} {effect.product_id.name}: the ledger says "
                    f"{effect.previous_qty:g} before, the line had "
                    f"{before[1] if before else 'nothing'}",
                )
            expected[line_id] = effect.new_qty
        for line_id in set(was) | set(now):
            old, new = was.get(line_id), now.get(line_id)
            old_qty, new_qty = _in_force(old), _in_force(new)
            if abs(new_qty - expected.get(line_id, old_qty)) > TOLERANCE:
                raise Violation(
                    "purchase changed by other than the cancellation's purchase effects",
                    f"{self.env['purchase.order.line'].browse(line_id).order_id.name} "
                    f"{self._name_of('product.product', (new or old)[0])}: {old_qty:g} -> "
                    f"{new_qty:g}, the ledger says "
                    + (f"{expected[line_id]:g}" if line_id in expected else "unchanged"),
                )

    def _check_bought_again(self, after):
        """After a revoke, what the live purchases still bring and the stock cover what the
        live orders need: procurement bought again what the cancellation had removed."""
        open_qty, need, skipped = self._purchase_supply(after)
        for product in self.bought_products.ids:
            if product in skipped:
                continue
            stock = sum(
                qty
                for (p, location), qty in after["quants"].items()
                if p == product and location not in self.customer_location_ids
            )
            if open_qty[product] + stock < need[product] - TOLERANCE:
                raise Violation(
                    "revoke did not buy again",
                    f"{self._name_of('product.product', product)}: the live orders need "
                    f"{need[product]:g}, the live purchases still bring {open_qty[product]:g} "
                    f"and {stock:g} are in stock "
                    f"(purchase lines: {self._purchase_lines_text(after, product)})",
                )

    def _purchase_changes_text(self, was, now, line_ids):
        Line = self.env["purchase.order.line"]
        none = (None, 0.0, "none", 0.0)
        return "; ".join(
            f"{Line.browse(lid).order_id.name} {Line.browse(lid).product_id.name}: "
            f"{was.get(lid, none)[1]:g} ({was.get(lid, none)[2]}) -> "
            f"{now.get(lid, none)[1]:g} ({now.get(lid, none)[2]})"
            for lid in line_ids
        )


def _in_force(entry):
    """What a purchase line still buys: its quantity, 0 when absent or cancelled."""
    if not entry or entry[2] == "cancel":
        return 0.0
    return entry[1]
