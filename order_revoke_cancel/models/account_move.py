from collections import defaultdict

from odoo import Command, models
from odoo.exceptions import UserError

from ..tools import reconcile_receivables
from ..tools.call_scope import call_scope, get_call_scope

# Name of the call scope in which `_reverse_moves_together` collects the copies that Odoo's
# `_reverse_moves` asks for, to make them in one creation.
REVERSE_TOGETHER_SCOPE = "order_revoke_cancel_reverse_together"


class AccountMove(models.Model):
    _inherit = "account.move"

    def _reverse_moves_together(self, default_values_list):
        """`_reverse_moves(default_values_list)` of these customer invoices or credit notes,
        the reversals made in one `create` instead of one `copy` per move (a copy of one move
        costs a hundred queries, a creation of many about forty each).

        Odoo's `_reverse_moves` and its overrides run as they are: they complete each move's
        default values and ask for the copy of each move, in their context; the copies asked
        for are collected (`copy`), then made together exactly as `copy` makes them
        (`copy_data` per move with its values, one `create`, translations, the chatter's
        "reversed from" message), and the lines Odoo's `_reverse_moves` turns over after its
        copies (entries, COGS lines) are turned over as it does. Journal entries, and a
        single move, go through `_reverse_moves` itself."""
        if len(self) < 2 or any(m.move_type not in ("out_invoice", "out_refund") for m in self):
            return self._reverse_moves(default_values_list)
        collected = []
        with call_scope(self.env, REVERSE_TOGETHER_SCOPE, collected):
            self._reverse_moves(default_values_list)
        if len(collected) != len(self):
            raise UserError(
                self.env._(
                    "The reversal of %s did not ask for one copy per entry: reverse them one "
                    "by one.",
                    ", ".join(self.mapped("display_name")),
                )
            )
        reverse_moves = self.browse()
        groups = []
        for move, default in collected:
            if groups and groups[-1][0].env.context == move.env.context:
                groups[-1][1].append((move, default))
            else:
                groups.append((move, [(move, default)]))
        for first, pairs in groups:
            reverse_moves |= first._copy_together(pairs)
        reverse_moves.with_context(skip_invoice_sync=False).write(
            {
                "line_ids": [
                    Command.update(
                        line.id,
                        {"balance": -line.balance, "amount_currency": -line.amount_currency},
                    )
                    for line in reverse_moves.line_ids
                    if line.move_id.move_type == "entry" or line.display_type == "cogs"
                ]
            }
        )
        return reverse_moves

    def _copy_together(self, pairs):
        """The copies of `pairs` (``[(move, default values)]``, moves in this one's context),
        made as `copy` makes each (see `_reverse_moves_together`), in one creation."""
        moves = self.browse([move.id for move, _default in pairs])
        vals_list = []
        for move, default in pairs:
            vals_list += move.with_context(active_test=False).copy_data(dict(default))
        new_moves = moves.create(vals_list)
        for (move, default), new_move in zip(pairs, new_moves, strict=True):
            move.copy_translations(new_move, excluded=default or ())
        # As `account.move.copy` logs it; a reversal is no recurring entry (its origin is not
        # copied), so the message has no "originated from" part.
        bodies = {
            new_move.id: move._get_copy_message_content(default)
            for (move, default), new_move in zip(pairs, new_moves, strict=True)
        }
        new_moves._message_log_batch(bodies=bodies)
        return new_moves

    def copy(self, default=None):
        """Extend: within `_reverse_moves_together`, the copies `_reverse_moves` asks for are
        collected, to be made together; nothing is created here then."""
        collected = get_call_scope(self.env, REVERSE_TOGETHER_SCOPE)
        if collected is None:
            return super().copy(default)
        collected.extend((move, dict(default or {})) for move in self)
        return self.browse()

    def _get_open_receivable_lines(self):
        return self.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable" and not line.reconciled
        )

    def _get_money_settlements(self):
        """How this customer invoice was settled by money: ``[(counterpart move, settled,
        received)]`` per payment or bank statement line reconciled with it, `settled` the part of
        the invoice it settled and `received` the money in it (invoice currency).

        This is the one definition of "received" of both addons: only payments (provider
        transactions make payments) and bank statement lines bring money; a payment also
        settles by its write-off lines (an early-payment discount, a "mark as fully paid"
        write-off), which are no money and are split pro rata over what the payment settled.
        Credit notes, exchange differences and other entries settle without money."""
        self.ensure_one()
        receivables = self.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )
        result = []
        for partial in receivables.matched_credit_ids:
            move = partial.credit_move_id.move_id
            liquidity = (
                move.origin_payment_id._seek_for_lines()[0]
                if move.origin_payment_id
                else (
                    move.statement_line_id._seek_for_lines()[0] if move.statement_line_id else None
                )
            )
            if liquidity is None:
                continue
            counterpart = move.line_ids.filtered(
                lambda line: line.account_id.account_type == "asset_receivable"
            )
            settled_balance = -sum(counterpart.mapped("balance"))
            share = (
                min(max(sum(liquidity.mapped("balance")) / settled_balance, 0.0), 1.0)
                if settled_balance > 0
                else 1.0
            )
            settled = partial.debit_amount_currency
            result.append((move, partial, settled, settled * share))
        return result

    def _get_received_amount(self):
        """Money received on this customer invoice (invoice currency), see
        `_get_money_settlements`."""
        self.ensure_one()
        return self.currency_id.round(sum(item[3] for item in self._get_money_settlements()))

    def _get_written_off_amount(self):
        """What payments settled of this invoice without money (early-payment discounts,
        write-offs), invoice currency."""
        self.ensure_one()
        return self.currency_id.round(
            sum(item[2] - item[3] for item in self._get_money_settlements())
        )

    def _prepare_writeoff_reversal_line_vals(self, ratio):
        """Lines of the entry reversing `ratio` of the write-off lines (discount, its taxes,
        write-off) of the payments that settled this invoice, each line a copy of the
        payment's line with the opposite amount (taxes and tax tags kept, so the tax report
        is reversed too), and the customer's receivable as counterpart. Empty when nothing
        was written off."""
        self.ensure_one()
        vals_list = []
        for move, partial, settled, received in self._get_money_settlements():
            if self.currency_id.is_zero(settled - received):
                continue
            payment = move.origin_payment_id
            writeoffs = (
                payment._seek_for_lines()[2]
                if payment
                else move.line_ids.filtered(
                    lambda line: line.account_id.account_type != "asset_receivable"
                )
                - move.statement_line_id._seek_for_lines()[0]
            )
            counterpart = move.line_ids.filtered(
                lambda line: line.account_id.account_type == "asset_receivable"
            )
            part = ratio * partial.amount / -sum(counterpart.mapped("balance"))
            for line in writeoffs:
                vals_list.append(
                    {
                        "name": line.name,
                        "account_id": line.account_id.id,
                        "partner_id": line.partner_id.id,
                        "currency_id": line.currency_id.id,
                        "amount_currency": -line.currency_id.round(line.amount_currency * part),
                        "balance": -line.company_currency_id.round(line.balance * part),
                        "display_type": line.display_type,
                        "tax_ids": [Command.set(line.tax_ids.ids)],
                        "tax_tag_ids": [Command.set(line.tax_tag_ids.ids)],
                        "tax_repartition_line_id": line.tax_repartition_line_id.id,
                        "analytic_distribution": line.analytic_distribution,
                    }
                )
        if not vals_list:
            return []
        receivable = self.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )[:1]
        vals_list.append(
            {
                "name": self.env._("Reversal of the discount or write-off of %s", self.name),
                "account_id": receivable.account_id.id,
                "partner_id": self.commercial_partner_id.id,
                "currency_id": vals_list[0]["currency_id"],
                "amount_currency": -sum(vals["amount_currency"] for vals in vals_list),
                "balance": -sum(vals["balance"] for vals in vals_list),
            }
        )
        return vals_list

    def _set_credit_lines(self, invoice, plan_lines):
        """Make this draft credit note of `invoice` credit only `plan_lines`
        (``{invoice line: [credit line values]}``): the other orders' lines of a shared
        invoice, and what earlier credit notes already credited, are left out."""
        self.ensure_one()
        sources = invoice.invoice_line_ids.filtered(_is_credited_line)
        copies = self.invoice_line_ids.filtered(_is_credited_line)
        commands = []
        for source, copy in zip(sources.sorted("id"), copies.sorted("id"), strict=True):
            vals_list = plan_lines.get(source)
            if not vals_list:
                commands.append(Command.unlink(copy.id))
                continue
            commands.append(Command.update(copy.id, vals_list[0]))
            if len(vals_list) > 1:
                data = copy.with_context(include_business_fields=True).copy_data()[0]
                # The amounts follow from quantity and price: a copied amount_currency would
                # be kept as is and credit the copied line's amount once more (found by the
                # soak: an amount-only credit of a revoke invoice credited twice).
                for field in ("move_id", "amount_currency", "balance", "debit", "credit"):
                    data.pop(field, None)
                commands += [Command.create({**data, **vals}) for vals in vals_list[1:]]
        kept_sale_lines = sources.filtered(lambda aml: aml in plan_lines).sale_line_ids
        for other in self.invoice_line_ids.filtered(lambda aml: not _is_credited_line(aml)):
            if not other.sale_line_ids & kept_sale_lines:
                commands.append(Command.unlink(other.id))
        self.write({"invoice_line_ids": commands})

    def _get_earlier_credit_notes(self, invoice):
        """The posted credit notes that reverse `invoice`, this one excepted."""
        return (
            invoice.reversal_move_ids.filtered(
                lambda m: m.state == "posted" and m.move_type == "out_refund"
            )
            - self
        )

    def _credit_what_is_left(self, invoice):
        """Make this draft credit note, which credits everything still left of `invoice`,
        credit each base, tax and rounding line to the cent of what is left of it.

        Why: the credit note's taxes are computed on its own lines, rounded on its own, so
        after a hand-made credit note the invoice and its credit notes can net to 0.01 on a
        tax line (a price-included tax and a second tax on 7 x 109.99 less a 21.13 rebate),
        and a cash rounding line to its rounding step. What is left is read from the ledger
        and set with `_match_ledger`. Returns whether lines were changed (such a credit note
        is posted by `_post_as_matched`)."""
        self.ensure_one()
        return self._match_ledger(invoice | self._get_earlier_credit_notes(invoice), invoice)

    def _match_ledger(self, moves, rounded_like):
        """Make this draft's base, tax and rounding lines the opposite of `moves`' together,
        per kind of line, tax and account (`_ledger_key`): the difference is put on this
        draft's biggest line of each group, as Odoo does when a tax amount is edited on a bill
        (`_inverse_tax_totals`), and the receivable follows. A difference larger than the
        roundings involved (cents, and the cash rounding step of `rounded_like`, the invoice
        whose rounding the moves follow, on a rounding line)
        means this draft is not their opposite: nothing is changed then. Returns whether
        lines were changed."""
        self.ensure_one()
        kinds = ("product", "tax", "rounding", "epd")
        left = defaultdict(lambda: [0.0, 0.0])
        for line in moves.line_ids:
            if line.display_type in kinds:
                left[_ledger_key(line)][0] += line.amount_currency
                left[_ledger_key(line)][1] += line.balance
        mine = defaultdict(lambda: self.env["account.move.line"])
        for line in self.line_ids.filtered(lambda aml: aml.display_type in kinds):
            mine[_ledger_key(line)] |= line
        currency, company_currency = self.currency_id, self.company_currency_id
        terms = self.line_ids.filtered(lambda aml: aml.display_type == "payment_term")
        commands, total_currency, total_balance = [], 0.0, 0.0
        rounding_left = [key for key in left if key[0] == "rounding"]
        rounding_mine = [key for key in mine if key[0] == "rounding"]
        moved = {}
        if (
            len(rounding_left) == len(rounding_mine) == 1
            and rounding_mine[0][:3] == rounding_left[0][:3]
            and rounding_mine[0] != rounding_left[0]
        ):
            # Odoo books a rounding line on the cash rounding's loss or profit account by its
            # sign: the opposite of the moves' rounding goes to their account.
            lines = mine.pop(rounding_mine[0])
            mine[rounding_left[0]] = lines
            moved[max(lines, key=lambda aml: abs(aml.amount_currency))] = rounding_left[0][3]
        for key, lines in mine.items():
            amount_currency, balance = left.get(key, (0.0, 0.0))
            delta_currency = currency.round(-amount_currency - sum(lines.mapped("amount_currency")))
            delta_balance = company_currency.round(-balance - sum(lines.mapped("balance")))
            tolerance = (len(lines) + 1) * 2
            # A cash rounding line is rounded to its own step (0.05), not to the cent: after an
            # edited credit note what is left of it can be that step away from what this one
            # computed.
            step = rounded_like.invoice_cash_rounding_id.rounding if key[0] == "rounding" else 0.0
            rate = rounded_like.invoice_currency_rate or 1.0  # per unit of company currency
            if (
                abs(delta_currency) > tolerance * currency.rounding + step
                or abs(delta_balance) > tolerance * company_currency.rounding + step / rate
            ):
                return False
            biggest = max(lines, key=lambda aml: abs(aml.amount_currency))
            if biggest in moved:
                commands.append(Command.update(biggest.id, {"account_id": moved[biggest]}))
            if currency.is_zero(delta_currency) and company_currency.is_zero(delta_balance):
                continue
            commands.append(
                Command.update(
                    biggest.id,
                    {
                        "amount_currency": biggest.amount_currency + delta_currency,
                        "balance": biggest.balance + delta_balance,
                    },
                )
            )
            total_currency += delta_currency
            total_balance += delta_balance
        if not commands or not terms:
            return False
        term = max(terms, key=lambda aml: abs(aml.amount_currency))
        commands.append(
            Command.update(
                term.id,
                {
                    "amount_currency": currency.round(term.amount_currency - total_currency),
                    "balance": company_currency.round(term.balance - total_balance),
                },
            )
        )
        # The lines' own synchronisation would compute the taxes again from the base lines:
        # skipped; the receivable takes the differences so that the move stays balanced.
        self.with_context(skip_invoice_sync=True).write({"line_ids": commands})
        return True

    def _post_as_matched(self):
        """Post these drafts whose lines `_match_ledger` set to the cent.

        Why not a plain `action_post`: posting writes the draft once more (`checked`), and
        that write computes the cash rounding line again from the other lines, which undoes
        a rounding line set to what is left of the invoice's (a 760.00 credit note would
        post as 759.95). The lines are complete and balanced: nothing is left to compute."""
        return self.with_context(skip_invoice_sync=True).action_post()

    def _get_partials_with(self, invoice):
        """Reconciliations between this credit note and `invoice`."""
        receivables = invoice.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )
        own = self.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )
        return own.matched_debit_ids.filtered(lambda p: p.debit_move_id in receivables)

    def _limit_settlement(self, invoice, limit):
        """Odoo reconciles a credit note with the invoice it reverses as soon as it is posted,
        for as much as both hold. Undo that when it settled more than `limit` (the order's open
        part of a shared or paid invoice), so `_reconcile_with_invoice` can settle just that.
        Odoo's reconciliation is kept rather than skipped because it also matches the other
        reconcilable lines (cash basis transition accounts); in a foreign currency the
        exchange difference it booked is reversed with the partial, by Odoo."""
        self.ensure_one()
        partials = self._get_partials_with(invoice)
        applied = sum(partials.mapped("debit_amount_currency"))
        if invoice.currency_id.compare_amounts(applied, limit) > 0:
            partials.unlink()

    def _reconcile_with_invoice(self, invoice, limit):
        """Let this posted credit note settle at most `limit` (invoice currency) of `invoice`
        in all: on a shared invoice it settles its own order's open part, never the other
        orders'; what it holds beyond stays as the customer's credit."""
        self.ensure_one()
        limit -= sum(self._get_partials_with(invoice).mapped("debit_amount_currency"))
        credit_lines = self._get_open_receivable_lines()
        debit_lines = invoice._get_open_receivable_lines().sorted(
            lambda line: (line.date_maturity or line.date, line.id)
        )
        currency = invoice.currency_id
        credit_open = -sum(credit_lines.mapped("amount_residual_currency"))
        debit_open = sum(debit_lines.mapped("amount_residual_currency"))
        if currency.compare_amounts(limit, 0.0) <= 0:
            return
        if currency.compare_amounts(limit, min(credit_open, debit_open)) >= 0:
            reconcile_receivables(self | invoice)
            return
        # Line pair by line pair: whole residuals through Odoo's `reconcile()`, the last,
        # capped part through `_reconcile_up_to`, which books the same exchange difference.
        for debit in debit_lines:
            for credit in credit_lines:
                if currency.compare_amounts(limit, 0.0) <= 0:
                    return
                whole = min(debit.amount_residual_currency, -credit.amount_residual_currency)
                if currency.compare_amounts(whole, 0.0) <= 0:
                    continue
                if currency.compare_amounts(limit, whole) >= 0:
                    (debit | credit).reconcile()
                    limit -= whole
                else:
                    debit._reconcile_up_to(credit, limit)
                    return

    def _reverse_by_invoices(self, default_values_list):
        """Undo these posted credit notes with new posted invoices, each reconciled with its
        credit note: the invoices are linked to the same sale lines, so `qty_invoiced` and the
        receivable come back without any posted entry being rewritten."""
        if not self:
            return self
        reversals = {credit_note: credit_note._get_writeoff_reversals() for credit_note in self}
        invoices = self._reverse_moves_together(default_values_list)
        for invoice in invoices.filtered("invoice_cash_rounding_id"):
            # The copy has no rounding line yet: Odoo adds it when it next computes the draft
            # (at posting, at the latest); added now, so that it can be matched below.
            invoice._recompute_cash_rounding_lines()
        # The copy computes its taxes and cash rounding again: made the credit note's opposite
        # to the cent (a credit note matched to what was left of an invoice may differ).
        matched = invoices.browse().union(
            *(
                invoice
                for credit_note, invoice in zip(self, invoices, strict=True)
                if invoice._match_ledger(credit_note, credit_note)
            )
        )
        (invoices - matched).action_post()
        matched._post_as_matched()
        for credit_note, invoice in zip(self, invoices, strict=True):
            reconcile_receivables(credit_note | invoice)
            entries = reversals[credit_note]
            if entries:
                # The discount or write-off the cancellation reversed applies again: its
                # reversal entry is reversed (never rewritten) against the new invoice.
                again = entries._reverse_moves(
                    [{"date": invoice.date, "ref": invoice.ref} for _entry in entries]
                )
                again.action_post()
                reconcile_receivables(again | invoice)
        return invoices

    def _create_writeoff_reversal(self, invoice, ratio):
        """Post the entry reversing `ratio` of what payments wrote off on `invoice` (see
        `_prepare_writeoff_reversal_line_vals`) and let it settle this credit note: the
        customer is credited with the money received only, and neither owes nor holds the
        discount. Returns the entry (empty when nothing was written off)."""
        self.ensure_one()
        line_vals = invoice._prepare_writeoff_reversal_line_vals(ratio)
        if not line_vals:
            return self.browse()
        journal = self.env["account.journal"].search(
            [
                *self.env["account.journal"]._check_company_domain(self.company_id),
                ("type", "=", "general"),
            ],
            limit=1,
        )
        entry = self.create(
            {
                "move_type": "entry",
                "journal_id": journal.id or self.journal_id.id,
                "date": self.date,
                "ref": self.env._("Discount or write-off reversed by %s", self.name),
                "partner_id": self.commercial_partner_id.id,
                "line_ids": [Command.create(vals) for vals in line_vals],
            }
        )
        entry.action_post()
        reconcile_receivables(self | entry)
        return entry

    def _get_writeoff_reversals(self):
        """The entries `_create_writeoff_reversal` reconciled with this credit note."""
        self.ensure_one()
        receivables = self.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )
        partials = receivables.matched_debit_ids
        moves = partials.debit_move_id.move_id
        return moves.filtered(
            lambda m: (
                m.move_type == "entry"
                and not m.origin_payment_id
                and not m.statement_line_id
                and m not in partials.exchange_move_id
                and not m.reversed_entry_id
            )
        )


def _ledger_key(line):
    """What a line is to the tax report: its kind, the tax it carries and the taxes it is the
    base of, and the account of a base line (an invoice and its credit notes book a tax on
    their own repartition lines, which may have accounts of their own)."""
    return (
        line.display_type,
        line.tax_line_id.id,
        frozenset(line.tax_ids.ids),
        line.account_id.id if not line.tax_line_id else False,
    )


def _is_credited_line(line):
    """Whether a credit note credits `line` on its own: product lines, and the section that
    stands for a combo product (Odoo invoices the combo line as a section with its quantity,
    so that its `qty_invoiced` follows the invoices)."""
    return line.display_type == "product" or (
        line.display_type == "line_section" and line.sale_line_ids.product_type == "combo"
    )
