"""The invariants of stock, quantities and the receivable, and what each step means."""

from collections import defaultdict

from .base import TOLERANCE, Violation, _close


class InvariantChecks:
    """`_check_consistency` holds after any step; `_check_<kind>` says what a step means."""

    def _check_consistency(self, snap):
        """What holds after any step: the documents agree with each other."""
        # On hand per internal location = what the done moves imply.
        expected = defaultdict(float, self.start_quants)
        for key, qty in snap["move_lines"].items():
            expected[key] += qty - self.start_move_lines.get(key, 0.0)
        locations = self.env["stock.location"].browse({loc for _p, loc in expected})
        # Internal locations, and the customers': goods appear or vanish in neither.
        internal = set(locations.filtered(lambda loc: loc.usage in ("internal", "customer")).ids)
        for (product, location), qty in expected.items():
            if location in internal and not _close(snap["quants"].get((product, location)), qty):
                raise Violation(
                    "on hand differs from the done moves",
                    f"{self._name_of('product.product', product)} in "
                    f"{self._name_of('stock.location', location)}: on hand "
                    f"{snap['quants'].get((product, location), 0):g}, moves say {qty:g}",
                )
        self._check_customer_holdings(snap)
        # Nothing stranded in Output / Packing: goods there wait for a live move.
        for (product, location), qty in snap["quants"].items():
            if location not in self.intermediate_locations.ids or qty <= TOLERANCE:
                continue
            waiting = snap["live_out"].get((product, location), 0.0)
            if qty > waiting + TOLERANCE:
                raise Violation(
                    "goods stranded in an intermediate location",
                    f"{qty:g} x {self._name_of('product.product', product)} in "
                    f"{self._name_of('stock.location', location)}, but live moves take away "
                    f"only {waiting:g}",
                )
        for order in snap["orders"].values():
            for line_id, line in order["lines"].items():
                if not _close(line["delivered"], line["moves_delivered"]):
                    raise Violation(
                        "qty_delivered differs from the done moves",
                        f"{self._line_name(line_id)}: qty_delivered {line['delivered']:g}, "
                        f"moves say {line['moves_delivered']:g}",
                    )
                if not _close(line["invoiced"], line["lines_invoiced"]):
                    raise Violation(
                        "qty_invoiced differs from the invoice lines",
                        f"{self._line_name(line_id)}: qty_invoiced {line['invoiced']:g}, "
                        f"invoice lines say {line['lines_invoiced']:g}",
                    )
                if line["invoiced"] < -TOLERANCE:
                    raise Violation(
                        "negative qty_invoiced (credited more than invoiced)",
                        f"{self._line_name(line_id)}: qty_invoiced {line['invoiced']:g}",
                    )
        # Every posted entry balanced.
        self.env.cr.execute(
            """
            SELECT m.name FROM account_move_line l JOIN account_move m ON m.id = l.move_id
             WHERE m.state = 'posted' AND m.company_id = %s
             GROUP BY m.id, m.name HAVING ABS(SUM(l.debit) - SUM(l.credit)) > 0.001
            """,
            [self.company.id],
        )
        unbalanced = [name for (name,) in self.env.cr.fetchall()]
        if unbalanced:
            raise Violation("unbalanced journal entry", ", ".join(unbalanced))
        if not _close(snap["balance"], snap["residual"], 0.01):
            raise Violation(
                "receivable differs from the open residuals",
                f"receivable balance {snap['balance']:.2f}, open residuals {snap['residual']:.2f}",
            )

    def _check_customer_holdings(self, snap):
        """What the customers hold of each product is what the orders' done moves left them
        (delivered less every return, with or without "update quantities on SO"): nothing
        comes back that the customer does not hold."""
        customers = self.customer_location_ids
        held = defaultdict(float)
        for order in snap["orders"].values():
            for line_id, line in order["lines"].items():
                held[self._line_product(line_id)] += line["held"]
                if line["held"] < -TOLERANCE:
                    raise Violation(
                        "customer holds a negative quantity",
                        f"{self._line_name(line_id)}: delivered less returned {line['held']:g}",
                    )
        for product in self.products.ids:
            at_customers = sum(
                snap["quants"].get((product, loc), 0.0) - self.start_quants.get((product, loc), 0.0)
                for loc in customers
            )
            if not _close(at_customers, held[product]):
                raise Violation(
                    "goods at the customers differ from what the orders delivered",
                    f"{self._name_of('product.product', product)}: {at_customers:g} at the "
                    f"customers, the orders delivered less returned {held[product]:g}",
                )

    def _check_step(self, step, before, after, refused):
        """What the step means: its effect, and nothing else."""
        # Posted entries are never rewritten (nor unposted, nor deleted).
        for move_id, lines in before["posted"].items():
            if after["posted"].get(move_id) != lines:
                move = self.env["account.move"].browse(move_id)
                raise Violation(
                    "posted entry rewritten",
                    f"{move.display_name} ({move.state}) changed",
                )
        acted = set(step.orders.ids)
        for order_id, was in before["orders"].items():
            now = after["orders"][order_id]
            if refused or order_id not in acted:
                # What a payment on a shared invoice settles is the sibling's business too,
                # and so is a credit note shared with it.
                shared = ("paid", "credit_held")
                was = {k: v for k, v in was.items() if k not in shared}
                if {k: v for k, v in now.items() if k not in shared} != was:
                    raise Violation(
                        "order changed by a step on another order"
                        if not refused
                        else "refused step changed the order",
                        f"{self._label(self.env['sale.order'].browse(order_id))}: "
                        f"{self._diff(was, now)}",
                    )
        self._check_purchase_step(step, before, after, refused)
        delta = after["balance"] - before["balance"]
        if refused:
            if not _close(delta, 0, 0.01):
                raise Violation("refused step moved the receivable", f"by {delta:.2f}")
            return
        check = getattr(self, f"_check_{step.kind}", None)
        if check:
            check(step, before, after, delta)

    def _check_invoice(self, step, before, after, delta):
        invoices = step.result
        billed = sum(invoices.filtered(lambda m: m.state == "posted").mapped("amount_total"))
        if not _close(delta, billed, 0.01):
            raise Violation(
                "receivable moved by other than the invoice",
                f"receivable moved by {delta:.2f}, invoices posted for {billed:.2f}",
            )

    def _check_pay(self, step, before, after, delta):
        """The receivable drops by what the payment settled: the money, plus the discount or
        the write-off it booked."""
        if not _close(delta, -step.settled, 0.01):
            raise Violation(
                "receivable moved by other than the payment",
                f"receivable moved by {delta:.2f}, paid {step.amount:.2f} settling "
                f"{step.settled:.2f}",
            )

    # Paid by card: the receivable drops by the money, as any payment.
    _check_pay_online = _check_pay

    def _check_confirm_purchase(self, step, before, after, delta):
        if not _close(delta, 0, 0.01):
            raise Violation("a purchase step moved the receivable", f"by {delta:.2f}")

    _check_receive_purchase = _check_confirm_purchase

    def _check_repair_return(self, step, before, after, delta):
        """A return without "update quantities on SO" changes stock only: Odoo still counts
        the goods delivered, nothing is billed or credited."""
        if not _close(delta, 0, 0.01):
            raise Violation("a return for repair moved the receivable", f"by {delta:.2f}")
        was, now = before["orders"][step.orders.id], after["orders"][step.orders.id]
        for line_id, line in now["lines"].items():
            if not _close(line["delivered"], was["lines"][line_id]["delivered"]):
                raise Violation(
                    "a return for repair changed qty_delivered",
                    f"{self._line_name(line_id)}: {was['lines'][line_id]['delivered']:g} -> "
                    f"{line['delivered']:g}",
                )

    def _check_credit(self, step, before, after, delta):
        if not _close(delta, -step.result.amount_total, 0.01):
            raise Violation(
                "receivable moved by other than the credit note",
                f"receivable moved by {delta:.2f}, credit note of {step.result.amount_total:.2f}",
            )

    def _check_cancel(self, step, before, after, delta):
        order = step.orders
        was, now = before["orders"][order.id], after["orders"][order.id]
        cancellation = order._get_last_cancellation()
        if now["state"] != "cancel":
            raise Violation("cancel did not cancel", f"state {now['state']}")
        # Cash rounding lines belong to no sale line: the credit notes credit them too.
        credited = sum(line["billed"] for line in was["lines"].values()) + was["rounding"]
        refunded = sum(cancellation.refund_payment_ids.mapped("amount"))
        for line_id, line in now["lines"].items():
            if not _close(line["invoiced"], 0) or not _close(line["billed"], 0, 0.01):
                raise Violation(
                    "cancel left something invoiced",
                    f"{self._line_name(line_id)}: qty_invoiced {line['invoiced']:g}, "
                    f"billed net {line['billed']:.2f}",
                )
            if cancellation.receive_returns and not _close(line["delivered"], 0):
                raise Violation(
                    "cancel with receive_returns left goods at the customer",
                    f"{self._line_name(line_id)}: qty_delivered {line['delivered']:g}",
                )
        if not cancellation.refund_payments and refunded:
            raise Violation("refund without refund_payments", f"refunded {refunded:.2f}")
        # What the customer held as credit on earlier credit notes is refunded too.
        if refunded > min(credited + was["credit_held"], was["paid"]) + 0.01:
            raise Violation(
                "refund exceeds what was paid for the order",
                f"refunded {refunded:.2f}, credited {credited:.2f}, held as credit "
                f"{was['credit_held']:.2f}, paid on its invoices {was['paid']:.2f}",
            )
        # A discount or write-off the credit note reverses comes back on the receivable.
        reversed_off = self._writeoff_reversed(cancellation)
        if not _close(delta, -credited + refunded + reversed_off, self._rounding_step(order)):
            raise Violation(
                "cancel moved the receivable by other than credit notes and refunds",
                f"receivable moved by {delta:.2f}; the order was billed {credited:.2f} net, "
                f"refunded {refunded:.2f}, discounts and write-offs reversed {reversed_off:.2f}",
            )
        self.cancel_snapshots[order.id] = (was, credited - reversed_off, refunded)
        self._check_cancel_money(step, cancellation)
        self._check_preview(step, cancellation)

    def _check_revoke(self, step, before, after, delta):
        order = step.orders
        self._check_revoke_preview(step)
        snapshot = self.cancel_snapshots.pop(order.id, None)
        if snapshot is None:
            return
        # `credited`: what the cancellation credited less the discounts and write-offs it
        # reversed, which the revoke applies again.
        was, credited, _refunded = snapshot
        self._check_restored("revoke", order, was, after["orders"][order.id])
        if not _close(delta, credited, self._rounding_step(order)):
            raise Violation(
                "revoke did not restore the receivable",
                f"receivable moved by {delta:.2f}, the cancellation had credited {credited:.2f} "
                "net of discounts and write-offs",
            )

    def _check_cancel_lines(self, step, before, after, delta):
        """Cancelling quantities of lines: they are cancelled, what is left is what is planned
        and invoiced at most, and the receivable moves by the credit notes, refunds and fee
        only. Cancelling every line in full is the order's cancellation."""
        order = step.orders
        cancellation = step.result
        if cancellation.scope == "order":
            self._check_cancel(step, before, after, delta)
            return
        was, now = before["orders"][order.id], after["orders"][order.id]
        if now["state"] != "sale":
            raise Violation("cancel lines changed the order's state", f"state {now['state']}")
        pending = self._pending_return_quantities(cancellation)
        chosen = {line.id for line in step.quantities}
        for line, qty in step.quantities.items():
            if not _close(
                now["lines"][line.id]["cancelled"], was["lines"][line.id]["cancelled"] + qty
            ):
                raise Violation(
                    "cancel lines did not cancel the quantity",
                    f"{self._line_name(line.id)}: qty_cancelled "
                    f"{was['lines'][line.id]['cancelled']:g} -> "
                    f"{now['lines'][line.id]['cancelled']:g}, cancelled {qty:g}",
                )
        for line_id, line in now["lines"].items():
            left = line["ordered"] - line["cancelled"]
            if line["invoiced"] > left + TOLERANCE and line_id in chosen:
                raise Violation(
                    "cancel lines left more invoiced than is still ordered",
                    f"{self._line_name(line_id)}: qty_invoiced {line['invoiced']:g}, still "
                    f"ordered {left:g}",
                )
            planned = (
                line["delivered"] - pending.get(line_id, 0.0) + line["open_demand"] + line["rfq"]
            )
            if planned > left + TOLERANCE and line_id in chosen:
                raise Violation(
                    "cancel lines left more to deliver than is still ordered",
                    f"{self._line_name(line_id)}: delivered {line['delivered']:g} less returns "
                    f"coming {pending.get(line_id, 0.0):g} plus still to deliver "
                    f"{line['open_demand']:g} (and on requests for quotation {line['rfq']:g}), "
                    f"still ordered {left:g}",
                )
        credited = sum(cancellation.credit_note_ids.mapped("amount_total"))
        refunded = sum(cancellation.refund_payment_ids.mapped("amount"))
        fee = cancellation.fee_invoice_id.amount_total
        if not cancellation.refund_payments and refunded:
            raise Violation("refund without refund_payments", f"refunded {refunded:.2f}")
        reversed_off = self._writeoff_reversed(cancellation)
        expected = fee - credited + refunded + reversed_off
        if not _close(delta, expected, self._rounding_step(order)):
            raise Violation(
                "cancel lines moved the receivable by other than credit notes and refunds",
                f"receivable moved by {delta:.2f}; credit notes {credited:.2f}, refunded "
                f"{refunded:.2f}, write-offs reversed {reversed_off:.2f}, fee {fee:.2f}",
            )
        self.line_cancel_snapshots[cancellation.id] = (was, credited - reversed_off - fee)
        self._check_preview(step, cancellation)

    def _pending_return_quantities(self, cancellation):
        """{sale line id: quantity} the cancellation's returns not yet received bring back."""
        result = defaultdict(float)
        for move in cancellation._get_return_pickings().move_ids:
            if move.state not in ("done", "cancel") and move.to_refund:
                result[move.sale_line_id.id] += move.product_uom_qty
        return result

    def _check_revoke_lines(self, step, before, after, delta):
        """Revoking a cancellation of lines puts the order back as it was before it."""
        order = step.orders
        self._check_revoke_preview(step)
        for cancellation in step.result:
            snapshot = self.line_cancel_snapshots.pop(cancellation.id, None)
            if snapshot is None:
                continue
            was, credited = snapshot
            self._check_restored("revoke", order, was, after["orders"][order.id])
            for line_id, line in was["lines"].items():
                if not _close(
                    after["orders"][order.id]["lines"][line_id]["cancelled"], line["cancelled"]
                ):
                    raise Violation(
                        "revoke did not restore the cancelled quantity",
                        f"{self._line_name(line_id)}: qty_cancelled "
                        f"{after['orders'][order.id]['lines'][line_id]['cancelled']:g}, was "
                        f"{line['cancelled']:g}",
                    )
            if not _close(delta, credited, self._rounding_step(order)):
                raise Violation(
                    "revoke did not restore the receivable",
                    f"receivable moved by {delta:.2f}, the cancellation of lines had moved it "
                    f"by {-credited:.2f} net",
                )

    def _check_close_lines(self, step, before, after, delta):
        """Closing a line settles it at what was delivered: nothing left to deliver, nothing
        invoiced beyond the deliveries, the receivable moved by its credit notes and refunds."""
        line = step.line
        now = after["orders"][step.orders.id]["lines"][line.id]
        if not now["closed"]:
            raise Violation("close lines did not close the line", self._line_name(line.id))
        if now["open_demand"] > TOLERANCE:
            raise Violation(
                "a closed line still has something to deliver",
                f"{self._line_name(line.id)}: {now['open_demand']:g} still to deliver",
            )
        if now["invoiced"] > now["delivered"] + TOLERANCE:
            raise Violation(
                "a closed line stays invoiced beyond what was delivered",
                f"{self._line_name(line.id)}: qty_invoiced {now['invoiced']:g}, delivered "
                f"{now['delivered']:g}",
            )
        credit_notes = line.close_credit_note_ids.filtered(lambda m: m.state == "posted")
        credited = sum(credit_notes.mapped("amount_total"))
        refunded = sum(line.close_refund_payment_ids.mapped("amount"))
        # A discount or write-off the credit note reverses comes back on the receivable.
        reversed_off = self._writeoff_reversed(None, credit_notes=credit_notes)
        expected = -credited + refunded + reversed_off
        if not _close(delta, expected, self._rounding_step(step.orders) + 0.01):
            raise Violation(
                "close lines moved the receivable by other than its credit notes and refunds",
                f"receivable moved by {delta:.2f}; credit notes {credited:.2f}, refunds "
                f"{refunded:.2f}, write-offs reversed {reversed_off:.2f}",
            )

    def _check_close(self, step, before, after, delta):
        now = after["orders"][step.orders.id]
        if not now["is_closed"] or not now["locked"]:
            raise Violation("close did not close", f"is_closed {now['is_closed']}")
        if not _close(delta, 0, 0.01):
            raise Violation("close of a finished order moved the receivable", f"{delta:.2f}")
        self.close_snapshots[step.orders.id] = (before["orders"][step.orders.id], 0.0)

    def _check_force_close(self, step, before, after, delta):
        order = step.orders
        was, now = before["orders"][order.id], after["orders"][order.id]
        if not now["is_closed"] or not now["locked"]:
            raise Violation("close did not close", f"is_closed {now['is_closed']}")
        open_pickings = [
            pid for pid, state in now["pickings"].items() if state not in ("done", "cancel")
        ]
        if open_pickings:
            raise Violation(
                "short close left open pickings",
                ", ".join(self.env["stock.picking"].browse(open_pickings).mapped("name")),
            )
        if now["invoice_status"] == "to invoice":
            raise Violation("short-closed order still to invoice", "invoice_status to invoice")
        for line_id, line in now["lines"].items():
            if self.env["sale.order.line"].browse(line_id).product_type == "combo":
                # Odoo delivers a combo line's items, never the combo line itself: the items
                # are settled at what was delivered, as the close checklist counts them.
                continue
            if not _close(line["invoiced"], line["delivered"]):
                raise Violation(
                    "short close did not settle at what was delivered",
                    f"{self._line_name(line_id)}: invoiced {line['invoiced']:g}, "
                    f"delivered {line['delivered']:g}",
                )
        # Cash rounding lines belong to no sale line: the short close credits them too.
        credited = sum(
            was["lines"][lid]["billed"] - line["billed"] for lid, line in now["lines"].items()
        ) + (was["rounding"] - now["rounding"])
        self.close_snapshots[order.id] = (was, credited)

    def _check_reopen(self, step, before, after, delta):
        order = step.orders
        now = after["orders"][order.id]
        if now["is_closed"]:
            raise Violation("reopen did not reopen", "is_closed still set")
        snapshot = self.close_snapshots.pop(order.id, None)
        if snapshot is None:
            return
        was, credited = snapshot
        self._check_restored("reopen", order, was, now)
        if not _close(delta, credited, 0.01):
            raise Violation(
                "reopen did not restore the receivable",
                f"receivable moved by {delta:.2f}, the close had credited {credited:.2f}",
            )

    def _check_restored(self, action, order, was, now):
        """Revoke and reopen put the order back as it was before cancel or close."""
        for key in ("state", "locked"):
            if now[key] != was[key]:
                raise Violation(
                    f"{action} did not restore the order",
                    f"{key} is {now[key]}, was {was[key]}",
                )
        for line_id, line in was["lines"].items():
            current = now["lines"][line_id]
            if not _close(current["invoiced"], line["invoiced"]) or not _close(
                current["billed"], line["billed"], 0.01
            ):
                raise Violation(
                    f"{action} did not restore what was invoiced",
                    f"{self._line_name(line_id)}: qty_invoiced {current['invoiced']:g} "
                    f"(billed {current['billed']:.2f}), was {line['invoiced']:g} "
                    f"(billed {line['billed']:.2f})",
                )
            planned_before = line["delivered"] + line["open_demand"] + line["rfq"]
            planned_now = current["delivered"] + current["open_demand"] + current["rfq"]
            if was["state"] == "sale" and not _close(planned_now, planned_before):
                raise Violation(
                    f"{action} did not restore the deliveries",
                    f"{self._line_name(line_id)}: delivered + still to deliver "
                    f"{planned_now:g}, was {planned_before:g}",
                )

    # ---- names for the report ------------------------------------------------------------
    def _rounding_step(self, order):
        """0.01, or half the cash rounding step of an invoice the order shares with another
        order: the credit note of a part of it is rounded on its own, as Odoo does."""
        shared = order.invoice_ids.filtered(
            lambda m: (
                m.invoice_cash_rounding_id and m.invoice_line_ids.sale_line_ids.order_id != order
            )
        )
        steps = shared.mapped("invoice_cash_rounding_id.rounding")
        return max([0.01] + [step / 2 + 0.01 for step in steps])

    def _name_of(self, model, record_id):
        return self.env[model].browse(record_id).display_name

    def _line_product(self, line_id):
        return self.env["sale.order.line"].browse(line_id).product_id.id

    def _line_name(self, line_id):
        line = self.env["sale.order.line"].browse(line_id)
        return f"{self._label(line.order_id)}, {line.product_id.name}"

    def _diff(self, was, now):
        return "; ".join(
            f"{key}: {was[key]} -> {now.get(key)}" for key in was if was[key] != now.get(key)
        )
