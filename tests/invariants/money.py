"""The invariants of money at a cancellation, computed from the journal on their own (never
through the addon's `_get_received_amount`), and the preview against the execution.

- refund = money received for what is reversed: per credit note the cancellation made, the
  money that payments brought on the invoice it credits (a payment's liquidity share of what it
  settled: never its discount or write-off, never a credit note), at most the credit note;
- a fully cancelled order is settled to 0.00: each of its invoices has nothing left to pay;
  with refunds each of its credit notes is settled too, and the customer holds for the order
  exactly the money received less the money refunded (0 with refunds);
- every invoice line and tax line is credited to the cent: per account and tax, the order's
  invoices and credit notes add up to 0 (rounding lines together);
- with the "preview" feature, `get_cancel_impact` read before the step lists the documents
  the step made, to the cent.
"""

from collections import defaultdict

from .base import FEATURES, Violation


class MoneyChecks:
    """Checks run by `_check_cancel` once the order is cancelled."""

    # ---- money from the journal ------------------------------------------------------------
    def _money_received(self, invoice):
        """Money received on `invoice`: for each reconciliation of its receivable with the
        entry of a payment or of a bank statement line, the part of it the entry's money lines
        (the payment's outstanding or bank account) bring, pro rata to what the entry settles."""
        return self._payment_settlements(invoice)[0]

    def _written_off(self, invoice):
        """What payments settled of `invoice` without money (discount, write-off)."""
        return self._payment_settlements(invoice)[1]

    def _writeoff_reversed(self, cancellation, credit_notes=None):
        """What the cancellation put back on the receivable by reversing discounts and
        write-offs: the receivable debits of its reversal entries, read from the journal. Per
        credit note it is at most what was written off on its invoice; that it is exactly
        right follows from the money invariants (`_check_cancel_money`: the customer ends with
        the money received, no more), which a wrong reversal would break. `credit_notes`: those
        of a close of lines instead of a cancellation's."""
        total = 0.0
        if credit_notes is None:
            credit_notes = cancellation.credit_note_ids
        for credit_note in credit_notes:
            reversed_here = sum(
                line.balance
                for entry in credit_note._get_writeoff_reversals()
                for line in entry.line_ids
                if line.account_id.account_type == "asset_receivable"
            )
            invoice = credit_note.reversed_entry_id
            written_off = self._payment_settlements(invoice)[1] if invoice else 0.0
            if reversed_here > written_off + 0.01:
                raise Violation(
                    "cancel reversed more than was written off",
                    f"{credit_note.name} reverses {reversed_here:.2f}, {invoice.name} had "
                    f"{written_off:.2f} written off",
                )
            total += reversed_here
        return total

    def _refunds_of(self, order):
        """Every refund paid for the order: outbound payments reconciled with its credit notes
        (cancellations and short closes alike), from the journal."""
        credit_notes = self._order_moves(order).filtered(lambda m: m.move_type == "out_refund")
        lines = credit_notes.line_ids.filtered(
            lambda li: li.account_id.account_type == "asset_receivable"
        )
        payments = lines.matched_debit_ids.debit_move_id.move_id.origin_payment_id
        return payments.filtered(lambda p: p.payment_type == "outbound")

    def _payment_settlements(self, invoice):
        """(money received, settled without money) on `invoice` by payments and statement
        lines, from the journal."""
        self.env.cr.execute(
            """
            SELECT p.amount, counterpart.move_id
              FROM account_partial_reconcile p
              JOIN account_move_line own ON own.id = p.debit_move_id
              JOIN account_move_line counterpart ON counterpart.id = p.credit_move_id
              JOIN account_move entry ON entry.id = counterpart.move_id
              JOIN account_account a ON a.id = own.account_id
             WHERE own.move_id = %s AND a.account_type = 'asset_receivable'
               AND (entry.origin_payment_id IS NOT NULL OR entry.statement_line_id IS NOT NULL)
            """,
            [invoice.id],
        )
        received = settled_total = 0.0
        for amount, entry_id in self.env.cr.fetchall():
            settled_total += amount
            entry = self.env["account.move"].browse(entry_id)
            payment = entry.origin_payment_id
            money_accounts = (
                payment.outstanding_account_id | payment.journal_id.default_account_id
                if payment
                else entry.statement_line_id.journal_id.default_account_id
            )
            money = sum(
                line.balance for line in entry.line_ids if line.account_id in money_accounts
            )
            settled = -sum(
                line.balance
                for line in entry.line_ids
                if line.account_id.account_type == "asset_receivable"
            )
            received += amount * (min(max(money / settled, 0.0), 1.0) if settled > 0 else 1.0)
        return round(received, 2), round(settled_total - received, 2)

    def _order_moves(self, order):
        return order.invoice_ids.filtered(
            lambda m: m.state == "posted" and m.move_type in ("out_invoice", "out_refund")
        )

    def _is_alone_on_its_invoices(self, order):
        """Whether every invoice line of the order's invoices is the order's: money on a shared
        invoice is split by a rule of the engine, checked by the bound of `_check_cancel`."""
        lines = self._order_moves(order).invoice_line_ids.filtered(
            lambda li: li.display_type == "product"
        )
        return all(li.sale_line_ids.order_id == order for li in lines)

    # ---- the invariants --------------------------------------------------------------------
    def _check_cancel_money(self, step, cancellation):
        order = step.orders
        if not self._is_alone_on_its_invoices(order) or not order.invoice_ids:
            return
        currency = order.currency_id
        refunded = sum(cancellation.refund_payment_ids.mapped("amount"))
        moves = self._order_moves(order)
        refunds = self._refunds_of(order)
        money_in = sum(
            self._money_received(m) for m in moves.filtered(lambda m: m.move_type == "out_invoice")
        )
        if cancellation.refund_payments:
            # All of the order is reversed: every cent received that no earlier refund gave
            # back (a revoke bills again, it does not take a refund back).
            before = sum((refunds - cancellation.refund_payment_ids).mapped("amount"))
            if currency.compare_amounts(refunded, money_in - before) != 0:
                raise Violation(
                    "refund differs from the money received for what is reversed",
                    f"refunded {refunded:.2f}; the order's invoices received {money_in:.2f} in "
                    f"money, of which earlier refunds gave back {before:.2f}",
                )
        for invoice in moves.filtered(lambda m: m.move_type == "out_invoice"):
            if not currency.is_zero(invoice.amount_residual):
                raise Violation(
                    "invoice of a cancelled order not settled to 0.00",
                    f"{invoice.name} (total {invoice.amount_total:.2f}) still open for "
                    f"{invoice.amount_residual:.2f}",
                )
        net = money_in - sum(refunds.mapped("amount"))
        holds = -sum(moves.mapped("amount_residual_signed"))
        if cancellation.refund_payments:
            for credit_note in moves.filtered(lambda m: m.move_type == "out_refund"):
                if not currency.is_zero(credit_note.amount_residual):
                    raise Violation(
                        "credit note of an order cancelled with refund not settled to 0.00",
                        f"{credit_note.name} (total {credit_note.amount_total:.2f}) open for "
                        f"{credit_note.amount_residual:.2f}; money received {money_in:.2f}, "
                        f"refunded {sum(refunds.mapped('amount')):.2f}",
                    )
        elif currency.compare_amounts(holds, net) != 0:
            raise Violation(
                "customer credit of a cancelled order differs from the money received",
                f"the customer holds {holds:.2f} for the order; money received {money_in:.2f}, "
                f"refunded {sum(refunds.mapped('amount')):.2f}",
            )
        self._check_fully_credited(order, moves)

    def _check_fully_credited(self, order, moves):
        """Per account and tax, the order's invoices and credit notes add up to 0."""
        totals = defaultdict(float)
        for line in moves.line_ids:
            if line.account_id.account_type == "asset_receivable":
                continue
            key = (
                ("rounding",)
                if line.display_type == "rounding"
                else (line.account_id.code, line.tax_line_id.name or "", line.display_type)
            )
            totals[key] += line.balance
        left = {key: total for key, total in totals.items() if abs(total) > 0.005}
        if left:
            raise Violation(
                "cancel left an invoice or tax line uncredited",
                "; ".join(
                    f"{' '.join(str(k) for k in key if k)}: {total:+.2f}"
                    for key, total in sorted(left.items())
                ),
            )

    # ---- preview = execution -------------------------------------------------------------------
    def _check_preview(self, step, cancellation):
        """Every preview line is a document the cancel made, with its quantity and amount, and
        nothing was made that the preview did not list. Soft: recorded, the history goes on."""
        if "preview" not in FEATURES or step.impact is None:
            return
        previewed = defaultdict(lambda: defaultdict(float))
        for item in step.impact:
            previewed[item["action"]][item["res_id"]] += item["amount"] or item["quantity"] or 0
        made = defaultdict(lambda: defaultdict(float))
        for picking in cancellation.cancelled_picking_ids:
            made["cancel_picking"][picking.id] += sum(picking.move_ids.mapped("product_uom_qty"))
        for picking in cancellation.reduced_picking_ids:
            made["reduce_picking"][picking.id] += 0.0
            # Odoo's transfer back of what a done step had brought on the way (the other way
            # round): previewed as a return of that step.
            done_step = cancellation.order_id.picking_ids.filtered(
                lambda p, picking=picking: (
                    p.state == "done"
                    and not p.return_id
                    and p.location_id == picking.location_dest_id
                    and p.location_dest_id == picking.location_id
                )
            ).sorted("id")[-1:]
            if (
                not picking.return_id
                and done_step
                and picking not in cancellation.return_picking_ids
            ):
                # Only the moves of the lines this cancellation cancelled: Odoo puts the
                # transfer back of an earlier cancellation's lines into the same open picking.
                lines = cancellation.line_ids.sale_line_id
                made["return_picking"][done_step.id] += sum(
                    picking.move_ids.filtered(
                        lambda m, lines=lines: m.state != "cancel" and m.sale_line_id in lines
                    ).mapped("product_uom_qty")
                )
                made["reduce_picking"].pop(picking.id)
        for picking in cancellation.return_picking_ids:
            made["return_picking"][picking.return_id.id] += sum(
                picking.move_ids.filtered(lambda m: m.state != "cancel").mapped("product_uom_qty")
            )
        for invoice in cancellation.cancelled_invoice_ids:
            made["cancel_invoice"][invoice.id] += invoice.amount_total
        for credit_note in cancellation.credit_note_ids:
            invoice_id = credit_note.reversed_entry_id.id
            made["credit_note"][invoice_id] += credit_note.amount_total
            for entry in credit_note._get_writeoff_reversals():
                # The reversal puts the written-off amount back on the receivable (a debit).
                made["reverse_writeoff"][invoice_id] += sum(
                    line.balance
                    for line in entry.line_ids
                    if line.account_id.account_type == "asset_receivable"
                )
            if not cancellation.refund_payments and credit_note.amount_residual:
                made["customer_credit"][invoice_id] += credit_note.amount_residual
        for payment in cancellation.refund_payment_ids:
            # A refund through the provider is previewed per source transaction.
            refund_tx = payment.sudo().payment_transaction_id
            if refund_tx.operation == "refund":
                made["refund_transaction"][refund_tx.source_transaction_id.id] += payment.amount
            else:
                made["refund_payment"][None] += payment.amount
        # order_termination's purchase effects (cancel_purchase_effect = 'apply'): the quantity
        # each purchase lost, per purchase; the buyers notified are compared as documents below.
        purchase_actions = {"cancel": "cancel_purchase", "reduce": "reduce_purchase"}
        effects = (
            cancellation._fields.get("purchase_effect_ids") and cancellation.purchase_effect_ids
        )
        for effect in effects or ():
            if effect.action in purchase_actions:
                made[purchase_actions[effect.action]][effect.purchase_id.id] += (
                    effect.previous_qty - effect.new_qty
                )
        # Refunds are compared in total: a payment names no invoice of its own.
        if "refund_payment" in previewed:
            previewed["refund_payment"] = {None: sum(previewed["refund_payment"].values())}
        self._match_split_drafts(previewed["cancel_invoice"], made["cancel_invoice"])
        for action in sorted(set(previewed) | set(made)):
            if action in ("notify_purchase", "cancel_picking", "reduce_picking"):
                # Only the documents are compared for these (the quantity of a cancelled
                # picking is its demand, the amount of a cancelled invoice its total).
                want, got = set(previewed.get(action, {})), set(made.get(action, {}))
                if want != got and action != "notify_purchase":
                    self._soft_preview(action, f"previewed {sorted(want)}, made {sorted(got)}")
                continue
            want, got = previewed.get(action, {}), made.get(action, {})
            for res_id in sorted(set(want) | set(got), key=str):
                if abs(want.get(res_id, 0.0) - got.get(res_id, 0.0)) > 0.005:
                    self._soft_preview(
                        action,
                        f"{self._preview_name(action, res_id)}: previewed "
                        f"{want.get(res_id, 0.0):g}, made {got.get(res_id, 0.0):g}",
                    )

    def _check_revoke_preview(self, step):
        """`get_revoke_impact` read before the revoke lists what it did (one revoke plan):
        the returns it cancelled, the invoices back to draft, the credit notes reversed by new
        invoices (to the cent), the fee invoice credited. What procurement delivers again is
        Odoo's (checked by the restored quantities), and refunds due again are checked by the
        receivable. Soft: recorded, the history goes on."""
        if "preview" not in FEATURES or step.impact is None:
            return
        previewed = defaultdict(lambda: defaultdict(float))
        for item in step.impact:
            previewed[item["action"]][item["res_id"]] += item["amount"] or item["quantity"] or 0
        made = defaultdict(lambda: defaultdict(float))
        for cancellation in step.result:
            for picking in cancellation.revoke_cancelled_return_ids:
                made["cancel_return"][picking.id] += 0.0
            for invoice in cancellation.restored_invoice_ids:
                made["restore_invoice"][invoice.id] += invoice.amount_total
            for invoice in cancellation.revoke_invoice_ids:
                made["reverse_credit_note"][invoice.reversed_entry_id.id] += invoice.amount_total
            fee_credit_note = cancellation.fee_credit_note_id
            if fee_credit_note:
                made["credit_fee_invoice"][fee_credit_note.reversed_entry_id.id] += (
                    fee_credit_note.amount_total
                )
        for action in ("cancel_return", "restore_invoice", "reverse_credit_note"):
            want, got = previewed.get(action, {}), made.get(action, {})
            if action == "cancel_return":
                if set(want) != set(got):
                    self._soft_revoke_preview(
                        action, f"previewed {sorted(want)}, made {sorted(got)}"
                    )
                continue
            for res_id in sorted(set(want) | set(got)):
                if abs(want.get(res_id, 0.0) - got.get(res_id, 0.0)) > 0.005:
                    self._soft_revoke_preview(
                        action,
                        f"{self.env['account.move'].browse(res_id).display_name}: previewed "
                        f"{want.get(res_id, 0.0):g}, made {got.get(res_id, 0.0):g}",
                    )
        want, got = previewed.get("credit_fee_invoice", {}), made.get("credit_fee_invoice", {})
        if {k: round(v, 2) for k, v in want.items()} != {k: round(v, 2) for k, v in got.items()}:
            self._soft_revoke_preview(
                "credit_fee_invoice", f"previewed {dict(want)}, made {dict(got)}"
            )

    def _soft_revoke_preview(self, action, detail):
        self._record_soft(Violation(f"preview differs from the revoke ({action})", detail, True))

    def _match_split_drafts(self, previewed, made):
        """A draft shared with other orders is previewed under its own id and cancelled as the
        draft of this order's lines split off it (a new id): key that draft by the shared one
        it came from, matched by amount, so that documents and amounts are compared."""
        Move = self.env["account.move"]
        shared = [i for i in previewed if i not in made and Move.browse(i).state == "draft"]
        copies = [i for i in made if i not in previewed]
        for shared_id in shared:
            for copy_id in copies:
                if abs(made[copy_id] - previewed[shared_id]) <= 0.005:
                    made[shared_id] = made.pop(copy_id)
                    copies.remove(copy_id)
                    break

    def _preview_name(self, action, res_id):
        if res_id is None:
            return "in total"
        if action.endswith("purchase"):
            return self.env["purchase.order"].browse(res_id).display_name
        model = "stock.picking" if action.endswith("picking") else "account.move"
        return self.env[model].browse(res_id).display_name

    def _soft_preview(self, action, detail):
        self._record_soft(Violation(f"preview differs from the cancel ({action})", detail, True))
