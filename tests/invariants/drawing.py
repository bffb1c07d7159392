"""Which steps make sense in a state, and drawing one with its arguments."""

from hypothesis import note
from hypothesis import strategies as st

from odoo import Command

from .base import FEATURES, WEIGHTS, Step


class HistoryDrawing:
    """Draws a history: the orders to start with, then one step at a time."""

    def _start_history(self, data):
        kinds = ["ship_only"] + [k for k in ("pick_ship", "pick_pack_ship") if k in FEATURES]
        products = [self.storable]
        products += [self.lot_product] if "lots" in FEATURES else []
        products += [self.taxed_product] if "multi_tax" in FEATURES else []
        products += [self.combo_product] if "combo" in FEATURES else []
        products += [self.mto_product] if "mto" in FEATURES else []
        products += [self.dropship_product] if "dropship" in FEATURES else []
        n_orders = data.draw(st.integers(1, 3), label="orders")
        self.orders = []
        descriptions = []
        env = self.env(user=self.manager)
        for index in range(n_orders):
            kind = data.draw(st.sampled_from(kinds), label="warehouse")
            chosen = data.draw(
                st.lists(st.sampled_from(products), min_size=1, max_size=2, unique=True),
                label="products",
            )
            lines = [(product, data.draw(st.integers(1, 10), label="qty")) for product in chosen]
            early = "early_discount" in FEATURES and data.draw(st.booleans(), label="2/10 net 30")
            order = env["sale.order"].create(
                {
                    "partner_id": self.partner.id,
                    "warehouse_id": self.warehouses[kind].id,
                    "payment_term_id": self.term_early.id if early else False,
                    "order_line": [
                        Command.create(self._order_line_vals(product, qty))
                        for product, qty in lines
                    ],
                }
            )
            self._add_combo_items(order)
            self.orders.append(order)
            descriptions.append(
                f"order {index + 1} ({kind}{', 2/10 net 30' if early else ''}): "
                + ", ".join(f"{qty} x {product.name}" for product, qty in lines)
            )
        if self._pays_online():
            # How the card's provider refunds, for the whole history (rolled back after it).
            support = data.draw(
                st.sampled_from(["partial", "partial", "full_only", "none"]), label="card refunds"
            )
            self.provider.support_refund = support
            descriptions.append(f"card refunds: {support}")
        self.steps.append("create " + "; ".join(descriptions))
        note(self.steps[-1])
        self.start_quants = self._quants()
        self.start_move_lines = self._done_move_lines()
        self.last_snapshot = self._snapshot()

    def _order_line_vals(self, product, qty):
        vals = {"product_id": product.id, "product_uom_qty": qty}
        if product != self.combo_product:
            vals["price_unit"] = self.prices[product.id]
        return vals

    def _add_combo_items(self, order):
        """The item lines of each combo line, as the combo configurator adds them: their prices
        are Odoo's share of the combo's price."""
        for combo_line in order.order_line.filtered(lambda sol: sol.product_type == "combo"):
            order.order_line = [
                Command.create(
                    {
                        "product_id": item.product_id.id,
                        "product_uom_qty": combo_line.product_uom_qty,
                        "combo_item_id": item.id,
                        "linked_line_id": combo_line.id,
                    }
                )
                for item in self.combo_items
            ]

    def _label(self, order):
        return f"order {self.orders.index(order) + 1}"

    def _draw_step(self, data):
        """Choose one step among those that make sense now; None when nothing does."""
        self.env.invalidate_all()
        candidates = []
        for order in self.orders:
            candidates += self._candidates(order)
        if not candidates:
            return None
        # Steps that build history are drawn more often than the ones that end it.
        weighted = [c for c in candidates for _ in range(WEIGHTS.get(c[0], 1))]
        kind, order = data.draw(st.sampled_from(weighted), label="step")
        return getattr(self, f"_draw_{kind}")(data, order)

    def _candidates(self, order):
        result = []
        closed = order.is_closed
        if order.state in ("draft", "sent"):
            result.append(("confirm", order))
            if not order.cancellation_ids:
                result.append(("cancel", order))
        elif order.state == "sale" and not closed:
            if self._ready_deliveries(order):
                result.append(("deliver", order))
            if self._invoiceable(order):
                result.append(("invoice", order))
            if "hand_credit_note" in FEATURES and self._creditable_lines(order):
                result.append(("credit_note", order))
            result.append(("cancel", order))
            if "cancel_lines" in FEATURES and self._line_cancellable(order):
                result.append(("cancel_lines", order))
            if "cancel_lines" in FEATURES and order._get_last_cancellation().scope == "lines":
                result.append(("revoke_lines", order))
            if "short_close" in FEATURES and order._get_closable_lines():
                result.append(("close_lines", order))
            if "short_close" in FEATURES or (
                "close" in FEATURES and all(c["ok"] for c in order.get_close_checklist())
            ):
                result.append(("close", order))
        elif order.state == "cancel":
            result.append(("revoke", order))
        if closed:
            result.append(("reopen", order))
        if self._open_invoices(order):
            result.append(("pay", order))
            if self._pays_online():
                result.append(("pay_online", order))
        if self._draft_purchases(order):
            result.append(("confirm_purchase", order))
        if self._receivable_purchases(order):
            result.append(("receive_purchase", order))
        if self._pending_returns(order):
            result.append(("receive", order))
        # A closed order's pickings cannot be validated (contract): no return for repair either.
        if (
            "repair_return" in FEATURES
            and order.state == "sale"
            and not closed
            and self._repairable(order)
        ):
            result.append(("repair_return", order))
        return result

    # ---- the documents of an order -------------------------------------------------------
    def _pays_online(self):
        return "pay_online" in FEATURES and self.provider is not None

    def _purchases_of(self, order):
        """The purchases made for `order` (make to order, dropship), as the engine finds them."""
        return order.sudo()._get_purchase_orders().with_env(self.env).sorted("id")

    def _draft_purchases(self, order):
        return self._purchases_of(order).filtered(lambda p: p.state in ("draft", "sent"))

    def _receivable_purchases(self, order):
        return self._purchases_of(order).filtered(
            lambda p: p.state == "purchase" and self._ready_receipts(p)
        )

    def _ready_receipts(self, purchase):
        return purchase.picking_ids.filtered(
            lambda p: p.state == "assigned" and p.picking_type_code == "incoming"
        ).sorted("id")

    def _served_orders(self, purchase):
        """The orders of the history a purchase buys for: a step on it acts on all of them."""
        return self.env["sale.order"].union(
            *(o for o in self.orders if purchase in self._purchases_of(o))
        )

    def _ready_deliveries(self, order):
        return order.picking_ids.filtered(
            lambda p: (
                p.state == "assigned" and not p.return_id and p.picking_type_code != "incoming"
            )
        ).sorted("id")

    def _pending_returns(self, order):
        return order.picking_ids.filtered(
            lambda p: p.return_id and p.state not in ("done", "cancel", "draft")
        ).sorted("id")

    def _repairable(self, order):
        """{done move to a customer: quantity still at the customer}, untracked goods only:
        what Odoo's Return may take back without "update quantities on SO"."""
        result = {}
        for move in order.picking_ids.move_ids:
            if (
                move.state == "done"
                and move.location_dest_id.usage == "customer"
                and move.has_tracking == "none"
            ):
                back = sum(m.product_uom_qty for m in move.returned_move_ids if m.state != "cancel")
                if move.quantity - back >= 1:
                    result[move] = move.quantity - back
        return result

    def _invoiceable(self, order):
        """A regular invoice bills positive quantities only: an order whose lines are only
        over-invoiced (goods came back after a draft invoice) shows "to invoice" but Odoo
        answers "No items are available to invoice", as it does without these addons."""
        return any(line.qty_to_invoice > 0 for line in order.order_line)

    def _line_cancellable(self, order):
        """Lines of which at least one unit is still ordered and may be cancelled."""
        return order.order_line.filtered(
            lambda line: (
                line._can_cancel_quantity()
                and not line.is_closed
                and line._get_qty_ordered_in_force() >= 1
            )
        ).sorted("id")

    def _open_invoices(self, order):
        return order.invoice_ids.filtered(
            lambda m: (
                m.state == "posted" and m.move_type == "out_invoice" and m.amount_residual > 0.01
            )
        ).sorted("id")

    def _creditable_lines(self, order):
        """Posted invoice lines of the order whose sale line still has something invoiced."""
        return (
            order.invoice_ids.filtered(
                lambda m: m.state == "posted" and m.move_type == "out_invoice"
            )
            .invoice_line_ids.filtered(
                lambda li: (
                    li.display_type == "product"
                    and li.sale_line_ids.order_id == order
                    and li.sale_line_ids.qty_invoiced >= 1
                )
            )
            .sorted("id")
        )

    # ---- drawing the steps ---------------------------------------------------------------
    def _draw_confirm(self, data, order):
        return Step(f"{self._label(order)}: confirm", order, order.action_confirm)

    def _draw_deliver(self, data, order):
        pickings = self._ready_deliveries(order)
        picking = data.draw(st.sampled_from(list(pickings)), label="picking")
        full = data.draw(st.booleans(), label="full")
        tenths = data.draw(st.integers(1, 9), label="part")
        quantities = {}
        for move in picking.move_ids.filtered(lambda m: m.state not in ("done", "cancel")):
            demand = move.product_uom_qty
            qty = demand if full or demand <= 1 else max(1, min(demand - 1, demand * tenths // 10))
            if move.product_id in self.bought_products:
                # Goods bought for the order leave only once received: what is reserved.
                qty = min(qty, move.quantity)
                if qty <= 0:
                    continue
            quantities[move.id] = qty
        warehouse = picking.picking_type_id.warehouse_id
        if picking.location_dest_id.usage == "customer":
            step_name = "ship"
        elif picking.location_id == warehouse.lot_stock_id:
            step_name = "pick"
        else:
            step_name = "pack"
        kind = warehouse.delivery_steps
        amount = "all" if full else "+".join(str(int(q)) for q in quantities.values())
        return Step(
            f"{self._label(order)}: deliver {amount} ({step_name} of {kind})",
            order,
            lambda: self._validate(picking, quantities),
        )

    def _draw_receive(self, data, order):
        returns = self._pending_returns(order)
        partial = "partial_receive" in FEATURES and data.draw(st.booleans(), label="partial")
        quantities = {}
        for move in returns.move_ids.filtered(lambda m: m.state not in ("done", "cancel")):
            demand = move.product_uom_qty
            quantities[move.id] = max(1, demand // 2) if partial and demand > 1 else demand
        return Step(
            f"{self._label(order)}: receive pending returns"
            + (" in part (backorder)" if partial else ""),
            order,
            lambda: self._receive(returns, quantities),
        )

    def _draw_invoice(self, data, order):
        orders = order
        siblings = [
            o
            for o in self.orders
            if o != order and o.state == "sale" and not o.is_closed and self._invoiceable(o)
        ]
        if "consolidated" in FEATURES and siblings and data.draw(st.booleans(), label="together"):
            orders |= data.draw(st.sampled_from(siblings), label="sibling")
        post = "draft_invoice" not in FEATURES or data.draw(
            st.booleans() | st.just(True), label="post"
        )
        rounding = False
        if "cash_rounding" in FEATURES:
            rounding = data.draw(
                st.sampled_from([False, "add_invoice_line", "biggest_tax"]), label="rounding"
            )
        labels = "+".join(str(self.orders.index(o) + 1) for o in orders.sorted("id"))
        prefix = (
            f"orders {labels}: invoice together"
            if len(orders) > 1
            else (f"{self._label(order)}: invoice")
        )
        return Step(
            prefix
            + (f" (cash rounding 0.05 {rounding})" if rounding else "")
            + ("" if post else " (left in draft)"),
            orders,
            lambda: self._invoice(orders, post, rounding),
        )

    def _draw_credit_note(self, data, order):
        line = data.draw(st.sampled_from(list(self._creditable_lines(order))), label="line")
        sale_line = line.sale_line_ids[:1]
        qty = data.draw(
            st.integers(1, max(1, int(min(line.quantity, sale_line.qty_invoiced)))), label="cn qty"
        )
        edited = data.draw(st.booleans(), label="edited price")
        price = round(line.price_unit * (0.5 if edited else 1.0), 2)
        wizard = data.draw(st.booleans(), label="by wizard")
        how = "reversal wizard, edited" if wizard else "by hand"
        return Step(
            f"{self._label(order)}: credit note {qty} x {line.product_id.name} at {price:g} "
            f"on {line.move_id.name} ({how})",
            order,
            lambda: self._credit_note(line, qty, price, wizard),
        )

    def _draw_pay(self, data, order):
        invoice = data.draw(st.sampled_from(list(self._open_invoices(order))), label="invoice")
        residual = invoice.amount_residual
        early = (
            "early_discount" in FEATURES
            and invoice.invoice_payment_term_id.early_discount
            and invoice.currency_id.compare_amounts(residual, invoice.amount_total) == 0
            and data.draw(st.booleans(), label="at the discount")
        )
        writeoff = (
            not early
            and "writeoff" in FEATURES
            and residual >= 1.0
            and data.draw(st.booleans(), label="write-off")
        )
        if early:
            what = f"pay within 10 days at the discount (2 %) {residual:g} on {invoice.name}"
        elif writeoff:
            amount = round(residual * 0.99, 2)
            what = (
                f"pay {amount:g} of {residual:g} on {invoice.name}, the rest written off "
                "(mark as fully paid)"
            )
        else:
            full = data.draw(st.booleans(), label="full payment")
            amount = residual if full else round(residual / 2, 2)
            what = f"pay {amount:g} of {residual:g} on {invoice.name}"
        step = Step(f"{self._label(order)}: {what}", order, None, kind="pay")

        def action():
            step.amount = self._pay(
                invoice, None if early else amount, early=early, writeoff=writeoff
            )

        step.action = action
        step.settled = residual if early or writeoff else amount
        return step

    def _draw_pay_online(self, data, order):
        invoice = data.draw(st.sampled_from(list(self._open_invoices(order))), label="invoice")
        residual = invoice.amount_residual
        full = data.draw(st.booleans(), label="full payment")
        amount = residual if full else round(residual / 2, 2)
        step = Step(
            f"{self._label(order)}: pay online {amount:g} of {residual:g} on {invoice.name} "
            "(demo card)",
            order,
            lambda: self._pay_online(invoice, amount),
            kind="pay_online",
        )
        step.amount = step.settled = amount
        return step

    def _draw_confirm_purchase(self, data, order):
        purchase = data.draw(st.sampled_from(list(self._draft_purchases(order))), label="rfq")
        what = ", ".join(
            f"{line.product_qty:g} x {line.product_id.name}"
            for line in purchase.order_line.filtered(lambda pl: not pl.display_type)
        )
        return Step(
            f"{self._label(order)}: confirm the purchase {purchase.name} ({what}, buyer)",
            self._served_orders(purchase),
            lambda: purchase.with_user(self.buyer).button_confirm(),
            kind="confirm_purchase",
        )

    def _draw_receive_purchase(self, data, order):
        purchase = data.draw(
            st.sampled_from(list(self._receivable_purchases(order))), label="purchase"
        )
        picking = self._ready_receipts(purchase)[0]
        full = data.draw(st.booleans(), label="full")
        tenths = data.draw(st.integers(1, 9), label="part")
        quantities = {}
        for move in picking.move_ids.filtered(lambda m: m.state not in ("done", "cancel")):
            demand = move.product_uom_qty
            qty = demand if full or demand <= 1 else max(1, min(demand - 1, demand * tenths // 10))
            quantities[move.id] = qty
        amount = "all" if full else "+".join(str(int(q)) for q in quantities.values())
        where = "dropship" if picking.location_dest_id.usage == "customer" else "receipt"
        return Step(
            f"{self._label(order)}: receive the purchase {purchase.name}: {amount} "
            f"({where} {picking.name}, buyer)",
            self._served_orders(purchase),
            lambda: self._validate(picking, quantities, user=self.buyer),
            kind="receive_purchase",
        )

    def _draw_repair_return(self, data, order):
        moves = self._repairable(order)
        move = data.draw(st.sampled_from(sorted(moves, key=lambda m: m.id)), label="move")
        qty = data.draw(st.integers(1, int(moves[move])), label="repair qty")
        return Step(
            f"{self._label(order)}: return {qty} x {move.product_id.name} of "
            f"{move.picking_id.name} for repair (Odoo's Return, update SO quantities unticked)",
            order,
            lambda: self._repair_return(move, qty),
            kind="repair_return",
        )

    def _draw_cancel(self, data, order):
        receive = data.draw(st.booleans(), label="receive_returns")
        refund = data.draw(st.booleans(), label="refund_payments")
        step = Step(
            f"{self._label(order)}: cancel(receive_returns={receive}, refund_payments={refund})",
            order,
            lambda: order.with_user(self.manager).cancel_with_reversal(
                self.reason, receive_returns=receive, refund_payments=refund
            ),
            kind="cancel",
        )
        step.options = {"receive_returns": receive, "refund_payments": refund}
        return step

    def _draw_revoke(self, data, order):
        return Step(
            f"{self._label(order)}: revoke",
            order,
            lambda: order.with_user(self.manager).revoke_cancel(note="Revoked by the machine"),
            kind="revoke",
        )

    def _draw_close(self, data, order):
        finished = all(check["ok"] for check in order.get_close_checklist())
        force = not finished or (
            "short_close" in FEATURES and data.draw(st.booleans(), label="force")
        )
        return Step(
            f"{self._label(order)}: close" + (" (forced, manager)" if force else ""),
            order,
            lambda: order.with_user(self.manager).close(
                reason=self.close_reason, note="Machine", force=force
            ),
            kind="force_close" if force else "close",
        )

    def _draw_reopen(self, data, order):
        return Step(
            f"{self._label(order)}: reopen",
            order,
            lambda: order.with_user(self.manager).reopen("Reopened by the machine"),
            kind="reopen",
        )

    def _draw_cancel_lines(self, data, order):
        lines = list(self._line_cancellable(order))
        chosen = data.draw(
            st.lists(st.sampled_from(lines), min_size=1, max_size=2, unique=True), label="lines"
        )
        quantities = {
            line: data.draw(st.integers(1, int(line._get_qty_ordered_in_force())), label="qty")
            for line in chosen
        }
        receive = data.draw(st.booleans(), label="receive_returns")
        refund = data.draw(st.booleans(), label="refund_payments")
        what = ", ".join(f"{qty} x {line.product_id.name}" for line, qty in quantities.items())
        step = Step(
            f"{self._label(order)}: cancel lines {what} (receive_returns={receive}, "
            f"refund_payments={refund})",
            order,
            lambda: order.with_user(self.manager).cancel_lines(
                {line.id: qty for line, qty in quantities.items()},
                self.reason,
                receive_returns=receive,
                refund_payments=refund,
            ),
            kind="cancel_lines",
        )
        step.options = {"receive_returns": receive, "refund_payments": refund}
        step.quantities = quantities
        return step

    def _draw_revoke_lines(self, data, order):
        return Step(
            f"{self._label(order)}: revoke the last cancellation of lines",
            order,
            lambda: order.with_user(self.manager).revoke_cancel(note="Revoked by the machine"),
            kind="revoke_lines",
        )

    def _draw_close_lines(self, data, order):
        line = data.draw(
            st.sampled_from(list(order._get_closable_lines().sorted("id"))), label="line"
        )
        step = Step(
            f"{self._label(order)}: close line {line.product_id.name} (short, manager)",
            order,
            lambda: order.with_user(self.manager).close_lines(
                [line.id], self.close_reason, note="Machine"
            ),
            kind="close_lines",
        )
        step.line = line
        return step
