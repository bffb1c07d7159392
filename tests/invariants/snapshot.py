"""What the database says after a step, read with SQL where the ORM would compute."""

from collections import defaultdict


class DatabaseSnapshot:
    """Reads of quants, done moves, posted entries, the receivable and each order's lines."""

    def _quants(self):
        """{(product, location): quantity} in internal locations, and at the customers (what
        they hold: quants there follow the done moves too)."""
        self.env.flush_all()
        self.env.cr.execute(
            """
            SELECT q.product_id, q.location_id, SUM(q.quantity)
              FROM stock_quant q JOIN stock_location l ON l.id = q.location_id
             WHERE q.product_id IN %s AND l.usage IN ('internal', 'customer')
             GROUP BY q.product_id, q.location_id
            """,
            [tuple(self.products.ids)],
        )
        return {(p, loc): qty for p, loc, qty in self.env.cr.fetchall()}

    def _done_move_lines(self):
        """{(product, location): net quantity moved in by done move lines}."""
        self.env.cr.execute(
            """
            SELECT product_id, location_dest_id, SUM(quantity) FROM stock_move_line
             WHERE state = 'done' AND product_id IN %s GROUP BY product_id, location_dest_id
            """,
            [tuple(self.products.ids)],
        )
        result = defaultdict(float)
        for product, location, qty in self.env.cr.fetchall():
            result[(product, location)] += qty
        self.env.cr.execute(
            """
            SELECT product_id, location_id, SUM(quantity) FROM stock_move_line
             WHERE state = 'done' AND product_id IN %s GROUP BY product_id, location_id
            """,
            [tuple(self.products.ids)],
        )
        for product, location, qty in self.env.cr.fetchall():
            result[(product, location)] -= qty
        return result

    def _posted_entries(self):
        self.env.cr.execute(
            """
            SELECT l.move_id, l.id, l.account_id, ROUND(l.debit, 2), ROUND(l.credit, 2),
                   l.partner_id, ROUND(l.amount_currency, 2)
              FROM account_move_line l JOIN account_move m ON m.id = l.move_id
             WHERE m.state = 'posted' AND m.company_id = %s
            """,
            [self.company.id],
        )
        entries = defaultdict(set)
        for move_id, *line in self.env.cr.fetchall():
            entries[move_id].add(tuple(line))
        return {move_id: frozenset(lines) for move_id, lines in entries.items()}

    def _receivable(self):
        self.env.cr.execute(
            """
            SELECT COALESCE(SUM(l.balance), 0), COALESCE(SUM(l.amount_residual), 0)
              FROM account_move_line l JOIN account_account a ON a.id = l.account_id
             WHERE a.account_type = 'asset_receivable' AND l.parent_state = 'posted'
               AND l.partner_id = %s AND l.company_id = %s
            """,
            [self.partner.commercial_partner_id.id, self.company.id],
        )
        return self.env.cr.fetchone()

    def _snapshot(self):
        self.env.flush_all()
        self.env.invalidate_all()
        orders = {}
        for order in self.orders:
            lines = {}
            in_force = order.state == "cancel" and "cancelled" in order.cancellation_ids.mapped(
                "state"
            )
            for line in order.order_line.filtered(lambda sol: not sol.display_type):
                moves = line.move_ids
                values = {
                    "delivered": line.qty_delivered,
                    "invoiced": line.qty_invoiced,
                    "to_invoice": line.qty_to_invoice,
                    "ordered": line.product_uom_qty,
                    "cancelled": line.qty_cancelled,
                    "closed": float(line.is_closed),
                    "billed": self._billed(line),
                    # Live moves on their way to the customer: the ship, and in a multi-step
                    # warehouse the pick or pack whose chain ends there (the next step's move
                    # is made only when the previous one is done, so nothing counts twice).
                    "open_demand": sum(
                        m.product_uom_qty
                        for m in moves
                        if m.state not in ("done", "cancel")
                        and (m.location_final_id or m.location_dest_id).usage == "customer"
                    ),
                    # Odoo's count: returns without "update quantities on SO" are still
                    # delivered.
                    "moves_delivered": sum(
                        m.quantity
                        for m in moves
                        if m.state == "done" and m.location_dest_id.usage == "customer"
                    )
                    - sum(
                        m.quantity
                        for m in moves
                        if m.state == "done" and m.location_id.usage == "customer" and m.to_refund
                    ),
                    # What the customer holds: every done return is back.
                    "held": sum(
                        m.quantity
                        for m in moves
                        if m.state == "done" and m.location_dest_id.usage == "customer"
                    )
                    - sum(
                        m.quantity
                        for m in moves
                        if m.state == "done" and m.location_id.usage == "customer"
                    ),
                    # A dropshipped line's requests for quotation: bought for it, no move yet.
                    "rfq": sum(
                        pl.product_qty
                        for pl in line.sudo().purchase_line_ids
                        if pl.state in ("draft", "sent")
                    ),
                    "lines_invoiced": sum(
                        (1 if il.move_id.move_type == "out_invoice" else -1) * il.quantity
                        for il in line.invoice_lines
                        if il.move_id.state != "cancel"
                    ),
                }
                if in_force:
                    # A cancelled order counts what the customer holds (the engine's rule:
                    # a cancelled order holds nothing that Odoo would call undelivered).
                    values["moves_delivered"] = values["held"]
                # Rounded: a float summed twice must compare equal.
                lines[line.id] = {key: round(value, 4) for key, value in values.items()}
            orders[order.id] = {
                "state": order.state,
                "locked": order.locked,
                "is_closed": order.is_closed,
                "invoice_status": order.invoice_status,
                "lines": lines,
                "pickings": {p.id: p.state for p in order.picking_ids},
                "paid": self._paid(order),
                # What the customer holds as credit on the order's open credit notes.
                "credit_held": round(
                    sum(
                        m.amount_residual
                        for m in order.invoice_ids
                        if m.state == "posted" and m.move_type == "out_refund"
                    ),
                    2,
                ),
                "rounding": self._rounding(order),
            }
        balance, residual = self._receivable()
        return {
            "orders": orders,
            "balance": balance,
            "residual": residual,
            "quants": self._quants(),
            "move_lines": self._done_move_lines(),
            "posted": self._posted_entries(),
            "live_out": self._live_moves_from_intermediate(),
            "purchase_lines": self._purchase_lines(),
        }

    def _billed(self, line):
        """What the sale line is billed for, net of credit notes (posted entries only)."""
        return sum(
            (1 if il.move_id.move_type == "out_invoice" else -1) * il.price_total
            for il in line.invoice_lines
            if il.move_id.state == "posted"
        )

    def _rounding(self, order):
        """What cash rounding lines add to the order's posted invoices, net of credit notes,
        on the invoices that bill this order alone (no sale line carries them)."""
        total = 0.0
        for move in order.invoice_ids.filtered(lambda m: m.state == "posted"):
            products = move.invoice_line_ids.filtered(lambda li: li.display_type == "product")
            if products.sale_line_ids.order_id != order:
                continue
            rounding = move.line_ids.filtered(lambda li: li.display_type == "rounding")
            # What it adds to the receivable: positive on an invoice, negative on a credit note.
            total -= sum(rounding.mapped("balance"))
        return round(total, 2)

    def _paid(self, order):
        """Payments reconciled with the order's invoices (all of each shared invoice)."""
        paid = 0.0
        for invoice in order.invoice_ids.filtered(
            lambda m: m.state == "posted" and m.move_type == "out_invoice"
        ):
            for line in invoice.line_ids.filtered(
                lambda li: li.account_id.account_type == "asset_receivable"
            ):
                for partial in line.matched_credit_ids:
                    if partial.credit_move_id.move_id.origin_payment_id:
                        paid += partial.amount
        return paid

    def _live_moves_from_intermediate(self):
        self.env.cr.execute(
            """
            SELECT product_id, location_id, SUM(product_qty) FROM stock_move
             WHERE state NOT IN ('done', 'cancel', 'draft') AND location_id IN %s
               AND product_id IN %s
             GROUP BY product_id, location_id
            """,
            [tuple(self.intermediate_locations.ids), tuple(self.products.ids)],
        )
        return {(p, loc): qty for p, loc, qty in self.env.cr.fetchall()}
