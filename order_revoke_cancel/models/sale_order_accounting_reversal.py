"""Accounting reversal: which invoices a cancellation cancels or credits, the credit plan
per invoice line (combo lines, shares of consolidated invoices, what is left to the cent), the
credit notes, their settlement and the refunds of the money received.

The plan (`_get_credit_plan`) is read by the preview and by execution alike.
"""

from odoo import Command, fields, models
from odoo.tools import float_compare

from ..tools import (
    reconcile_receivables,
)
from .sale_order_refund import _split_refund, provider_refunds_unit


class SaleOrderAccountingReversal(models.Model):
    _inherit = "sale.order"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------
    # Invoices: what is cancelled and what is credited
    # ------------------------------------------------------------------
    def _get_invoices_to_cancel(self):
        return self.invoice_ids.filtered(lambda m: m.state == "draft")

    def _split_shared_draft_invoices(self):
        """Before the cancellation cancels the orders' draft invoices: a draft shared with
        other orders gives this order's lines to a draft of their own, which is cancelled
        (and put back to draft by revoke), so the other orders' lines stay invoiced."""
        for order in self:
            for invoice in order._get_invoices_to_cancel():
                mine = order._get_shared_draft_lines(invoice)
                if not mine:
                    continue
                lines = invoice.invoice_line_ids.sorted("id")
                split = invoice.with_context(include_business_fields=True).copy()
                copies = split.invoice_line_ids.sorted("id")
                pairs = list(zip(lines, copies, strict=True))
                split.write(
                    {
                        "invoice_line_ids": [
                            Command.unlink(copy.id) for line, copy in pairs if line not in mine
                        ]
                    }
                )
                invoice.write({"invoice_line_ids": [Command.unlink(line.id) for line in mine]})

    def _get_shared_draft_lines(self, invoice):
        """This order's lines of the draft `invoice` when the draft is shared with other
        orders (they go to a draft of their own, which is cancelled); empty otherwise."""
        self.ensure_one()
        lines = invoice.invoice_line_ids
        mine = lines.filtered(lambda aml: aml.sale_line_ids.order_id == self)
        if not (lines - mine).sale_line_ids:
            return mine.browse()
        return mine

    def _get_cancelled_draft_total(self, invoice, mine=None):
        """Total of the draft that the cancellation cancels for `invoice`: the draft itself,
        or, for a draft shared with other orders, the draft of this order's lines split off
        it (`mine`, see `_get_shared_draft_lines`), computed by Odoo's tax engine as that draft
        will compute it."""
        if mine is None:
            mine = self._get_shared_draft_lines(invoice)
        if not mine:
            return invoice.amount_total
        products = mine.filtered(lambda aml: aml.display_type == "product")
        lines = {
            aml: [
                {"price_unit": aml.price_unit, "quantity": aml.quantity, "discount": aml.discount}
            ]
            for aml in products
        }
        return _document_total(invoice, lines, is_refund=False)

    def _get_invoices_to_credit(self):
        invoices = self.env["account.move"]
        for order in self:
            invoices |= invoices.union(*(item["invoice"] for item in order._get_credit_plan()))
        return invoices

    def _get_credit_impact(self, refund_payments, keep=0.0, credits=None, whole=True):
        """Preview lines of `_credit_invoices` with the same options and credit plan
        (`credits`, planned when not given): the credit note of each invoice, and the money
        received for the order's share that is refunded or kept as the customer's credit, less
        what pays the cancellation fee (`keep`)."""
        self.ensure_one()
        impact = []
        action = "refund_payment" if refund_payments else "customer_credit"
        plan = self._get_credit_plan() if credits is None else credits
        kept_parts = _split_kept(plan, keep)
        for item, kept in zip(plan, kept_parts, strict=True):
            invoice = item["invoice"]
            impact.append(self._impact_line("credit_note", invoice, False, item["amount"]))
            if item["writeoff"]:
                impact.append(
                    self._impact_line("reverse_writeoff", invoice, False, item["writeoff"])
                )
            amount = item["refund"] - kept
            if refund_payments:
                # Money back the way it came: what a provider can refund goes back through it.
                through, amount = _split_refund(item, amount)
                for transaction, part in through:
                    impact.append(self._refund_transaction_impact_line(transaction, part))
            if not invoice.currency_id.is_zero(amount):
                impact.append(self._impact_line(action, invoice, False, amount))
        if refund_payments and whole:
            # As `_credit_invoices`: only a whole cancellation pays out the credit the customer
            # holds on earlier credit notes (`whole` false: quantities of lines, a short close).
            keep -= sum(kept_parts)
            held = self._get_held_credit([item["invoice"] for item in plan])[1]
            for credit_note, amount in held.items():
                kept = min(max(keep, 0.0), amount)
                keep -= kept
                if not credit_note.currency_id.is_zero(amount - kept):
                    impact.append(self._impact_line(action, credit_note, False, amount - kept))
        return impact

    def _get_credit_plan(self, quantities=None):
        """What crediting this order does, per posted customer invoice, latest first:
        ``{'invoice', 'lines': {invoice line: [credit line values]}, 'amount': credit note total,
        'refund': money received for the order's share that the credit note gives back,
        'transactions': [(payment transaction, amount)] the part of that money that came through
        a provider transaction refundable through its provider (see
        `_get_refundable_transactions`)}``.

        `quantities` (``{sale line: quantity}``) limits the credit to those quantities, taken
        from the latest invoices (short close); by default everything still uncredited.
        Allocation rule on an invoice shared by several orders: each order's lines are credited
        on their own, and money received on the invoice is split over its orders pro rata to
        their lines' amounts, so an order refunds at most its share of it."""
        self.ensure_one()
        uncredited = self.order_line._get_uncredited_invoice_lines()
        if quantities is not None:
            uncredited = _limit_to_quantities(uncredited, quantities)
        by_invoice = {}
        for invoice_line, (quantity, amount) in uncredited.items():
            vals_list = invoice_line.sale_line_ids[:1]._prepare_credit_line_vals(
                invoice_line, quantity, amount
            )
            if vals_list:
                by_invoice.setdefault(invoice_line.move_id, {})[invoice_line] = vals_list
        plan = []
        combos = self._get_combo_credits(by_invoice, uncredited, quantities)
        held = self._get_held_credit(list(by_invoice))[0]
        # What is left to refund of each provider transaction, shared by the invoices it paid.
        refundable = {}
        for invoice, lines in by_invoice.items():
            currency = invoice.currency_id
            amount = _document_total(invoice, lines)
            whole = quantities is None and self._credits_whole_invoice(invoice)
            if whole:
                # What the credit note will post: what is left of the invoice, when it is
                # within the roundings of the computed total (see `_credit_what_is_left`).
                earlier = self.env["account.move"]._get_earlier_credit_notes(invoice)
                left = currency.round(invoice.amount_total - sum(earlier.mapped("amount_total")))
                if abs(left - amount) <= 2 * (len(invoice.line_ids) + 1) * currency.rounding:
                    amount = left
                else:
                    whole = False
            if currency.compare_amounts(amount, 0.0) <= 0:
                continue  # a credit note cannot have a negative total
            ratio = self._get_invoice_share(invoice)
            received = currency.round(invoice._get_received_amount() * ratio)
            # Money the customer already holds as credit is not given back a second time.
            refund = min(amount, max(received - held.get(invoice, 0.0), 0.0))
            writeoff = 0.0
            line_vals = invoice._prepare_writeoff_reversal_line_vals(ratio)
            if line_vals:
                # What the reversal entry will post, not a second formula.
                writeoff = min(line_vals[-1]["amount_currency"], amount - refund)
            plan.append(
                {
                    "invoice": invoice,
                    "lines": {**lines, **combos.get(invoice, {})},
                    "amount": amount,
                    "refund": refund,
                    "writeoff": writeoff if currency.compare_amounts(writeoff, 0.0) > 0 else 0.0,
                    "ratio": ratio,
                    "whole": whole,
                    "transactions": self._get_refundable_transactions(
                        invoice, ratio, refund, refundable
                    ),
                }
            )
        return plan

    def _credits_whole_invoice(self, invoice):
        """Whether crediting all of this order's uncredited lines leaves nothing of `invoice`
        to credit: no other order's line of it is still uncredited, and
        every credit note of its lines reverses an invoice (one made by hand without it is
        not known to credit this invoice rather than another, so what is left of it cannot
        be read from the ledger)."""
        self.ensure_one()
        products = invoice.invoice_line_ids.filtered(lambda aml: aml.display_type == "product")
        if not products or any(not aml.sale_line_ids for aml in products):
            return False
        others = products.sale_line_ids.filtered(lambda sol: sol.order_id != self)
        if any(aml.move_id == invoice for aml in others._get_uncredited_invoice_lines()):
            return False
        credits = products.sale_line_ids.invoice_lines.move_id.filtered(
            lambda m: m.state == "posted" and m.move_type == "out_refund"
        )
        return all(credits.mapped("reversed_entry_id"))

    def _get_combo_credits(self, by_invoice, uncredited, quantities):
        """The combo sections to credit with the lines of `by_invoice`: ``{invoice: {section:
        [{'quantity': q}]}}``. As Odoo's own credit note does, a combo line is credited with
        its items: its section is credited for what is left of it once none of its items on
        that invoice stays uncredited."""
        self.ensure_one()
        full = uncredited if quantities is None else self.order_line._get_uncredited_invoice_lines()
        result = {}
        for invoice, lines in by_invoice.items():
            sections = invoice.invoice_line_ids.filtered(
                lambda aml: (
                    aml.display_type == "line_section"
                    and aml.sale_line_ids.product_type == "combo"
                    and aml.sale_line_ids.order_id == self
                )
            )
            for section in sections:
                items = invoice.invoice_line_ids.filtered(
                    lambda aml, s=section: (
                        aml.display_type == "product"
                        and aml.sale_line_ids & s.sale_line_ids.linked_line_ids
                    )
                )
                if not any(item in lines for item in items) or any(
                    item in full and (item not in lines or full[item] != uncredited.get(item))
                    for item in items
                ):
                    continue
                credited = section.sale_line_ids.invoice_lines.filtered(
                    lambda aml, s=section: (
                        aml.display_type == "line_section"
                        and aml.parent_state == "posted"
                        and aml.move_id.move_type == "out_refund"
                        and aml.move_id.reversed_entry_id == s.move_id
                    )
                )
                left = section.quantity - sum(credited.mapped("quantity"))
                if left > 0:
                    result.setdefault(invoice, {})[section] = [{"quantity": left}]
        return result

    def _get_invoice_share(self, invoice):
        """This order's part of `invoice` (0 to 1): its lines' share of the invoice lines, so
        an invoice of this order alone is 1 whatever rounding lines it holds. Money received
        and written off is split by it (see `_get_credit_plan`)."""
        self.ensure_one()
        lines = invoice.invoice_line_ids.filtered(lambda line: line.display_type == "product")
        total = sum(lines.mapped("price_total"))
        mine = lines.filtered(lambda line: line.sale_line_ids.order_id == self)
        if mine == lines:
            return 1.0
        if invoice.currency_id.is_zero(total):
            return 0.0
        return sum(mine.mapped("price_total")) / total

    def _get_received_share(self, invoice):
        """This order's part of the money received on `invoice`: pro rata to its lines."""
        self.ensure_one()
        received = invoice._get_received_amount() * self._get_invoice_share(invoice)
        return max(invoice.currency_id.round(received), 0.0)

    def _get_open_receivable(self):
        invoices = self.invoice_ids.filtered(lambda m: m.state == "posted")
        return sum(invoices.mapped("amount_residual_signed"))

    # ------------------------------------------------------------------
    # Credit notes and refunds
    # ------------------------------------------------------------------
    def _credit_invoices(
        self, refund_payments, quantities=None, keep=0.0, reason=None, credits=None
    ):
        """Credit this order's part of its posted invoices (see `_get_credit_plan`): one posted
        credit note per invoice with this order's lines only; the money received for its share
        is refunded (`refund_payments`) or kept as the customer's credit, and the rest of the
        credit note settles the order's open part of the invoice. `keep` (a cancellation fee)
        is never refunded: it stays open on the credit notes for the fee invoice. `reason`
        (a cancellation reason) is named in the credit notes' reference, for the customer.
        `credits`: the credit plan read before the cancellation changed anything (the one the
        preview showed); planned here when not given. Returns (credit notes, refund
        payments).

        Several orders are credited together when `credits` is ``{order id: credit plan}`` (and
        `keep` ``{order id: amount}``, or one amount for all): their credit notes are created and
        posted in one go, their refunds paid in one pass of the payment register, and the
        result is ``{order id: (credit notes, refund payments)}``. Each order's documents are
        what crediting it alone makes (see `_credit_orders`)."""
        if isinstance(credits, dict):
            keeps = keep if isinstance(keep, dict) else dict.fromkeys(self.ids, keep)
            with provider_refunds_unit(self.env):
                return self._credit_orders(refund_payments, quantities, keeps, reason, credits)
        self.ensure_one()
        plan = self._get_credit_plan(quantities) if credits is None else credits
        with provider_refunds_unit(self.env):
            return self._credit_orders(
                refund_payments, quantities, {self.id: keep}, reason, {self.id: plan}
            )[self.id]

    def _credit_orders(self, refund_payments, quantities, keeps, reason, credits):
        """`_credit_invoices` of these orders together (``{order id: (credit notes, refund
        payments)}``), from their credit plans (`credits`, ``{order id: plan}``).

        Orders whose plans credit the same invoice (a shared invoice) are credited one after
        the other, in their order, as they would be alone: Odoo reconciles a credit note with
        the invoice it reverses when it is posted, and what the first order's credit note
        settles is not the second's to settle. The others share each step: one creation and one
        posting of the credit notes, one pass of the payment register for the refunds."""
        Move, Payment = self.env["account.move"], self.env["account.payment"]
        result = {order.id: (Move, Payment) for order in self}
        earlier = {order.id: order._get_open_earlier_credit_notes() for order in self}
        todo = self.filtered(
            lambda o: (
                credits.get(o.id) or (refund_payments and quantities is None and earlier[o.id])
            )
        )
        for batch in _rounds_without_shared_invoices(todo, credits):
            result.update(
                batch._credit_round(refund_payments, quantities, keeps, reason, credits, earlier)
            )
        return result

    def _credit_round(self, refund_payments, quantities, keeps, reason, credits, earlier):
        """One round of `_credit_orders`: these orders credit no invoice in common. Per credit
        note, the steps of crediting its order alone, in their order: settlement limited,
        refund, write-off reversed, the rest settles the invoice; then per order, its earlier
        open credit notes settle what is left and, on a whole cancellation, are refunded."""
        Move, Payment = self.env["account.move"], self.env["account.payment"]
        today = fields.Date.context_today(self)
        items = [(order, item) for order in self for item in credits.get(order.id) or []]
        invoices = Move.union(*(item["invoice"] for _order, item in items))
        credit_notes = invoices._reverse_moves_together(
            [
                order._prepare_credit_note_vals(item["invoice"], today, reason)
                for order, item in items
            ]
        )
        exact = Move
        for (_order, item), credit_note in zip(items, credit_notes, strict=True):
            credit_note._set_credit_lines(item["invoice"], item["lines"])
            if item["whole"] and credit_note._credit_what_is_left(item["invoice"]):
                exact |= credit_note
        (credit_notes - exact).action_post()
        exact._post_as_matched()
        kept = {
            order.id: _split_kept(credits.get(order.id) or [], keeps.get(order.id, 0.0))
            for order in self
        }
        parts = [part for order in self for part in kept[order.id]]
        steps = []
        for (order, item), credit_note, part in zip(items, credit_notes, parts, strict=True):
            refund = min(item["refund"], credit_note.amount_total)
            # What was settled without money (discount, write-off) is reversed, not refunded.
            open_part = credit_note.amount_total - refund - item["writeoff"]
            credit_note._limit_settlement(item["invoice"], open_part)
            steps.append((order, item, credit_note, refund - part, open_part))
        # Paid out first: what the credit notes still hold then settles the invoices.
        result = {order.id: [Move, Payment] for order in self}
        for order, credit_note in zip([order for order, _item in items], credit_notes, strict=True):
            result[order.id][0] |= credit_note
        to_refund = [
            (order, credit_note, amount, item)
            for order, item, credit_note, amount, _open in steps
            if refund_payments and not credit_note.currency_id.is_zero(amount)
        ]
        self._refund_in_one_pass(to_refund, result)
        for _order, item, credit_note, _amount, open_part in steps:
            if item["writeoff"]:
                credit_note._create_writeoff_reversal(item["invoice"], item["ratio"])
            credit_note._reconcile_with_invoice(item["invoice"], open_part)
        to_refund = []
        for order in self:
            mine = Move.union(*(item["invoice"] for item in credits.get(order.id) or []))
            order._settle_with_open_credit_notes(mine, earlier[order.id])
            if refund_payments and quantities is None:
                # A whole cancellation gives back every cent received: what the customer holds
                # on earlier credit notes too (see `_get_held_credit`), less what pays the fee.
                keep = keeps.get(order.id, 0.0) - sum(kept[order.id])
                for credit_note in earlier[order.id].filtered(lambda m: m.amount_residual > 0):
                    part = min(max(keep, 0.0), credit_note.amount_residual)
                    keep -= part
                    if not credit_note.currency_id.is_zero(credit_note.amount_residual - part):
                        to_refund.append(
                            (order, credit_note, credit_note.amount_residual - part, None)
                        )
        self._refund_in_one_pass(to_refund, result)
        return {order_id: tuple(documents) for order_id, documents in result.items()}

    def _get_open_earlier_credit_notes(self):
        """The order's posted credit notes still open that carry nothing but its lines (typed
        by hand, or made with the reversal wizard of a paid invoice, which Odoo leaves open):
        the customer holds what is open of them as credit."""
        own = self._moves_of_this_order_only
        return self.invoice_ids.filtered(
            lambda m: (
                m.move_type == "out_refund"
                and m.state == "posted"
                and not m.currency_id.is_zero(m.amount_residual)
                and own(m)
            )
        )

    def _get_held_credit(self, invoices):
        """What the customer holds of the money received on `invoices` (the invoices a
        cancellation credits, latest first) as credit on the order's open earlier credit notes
        (`_get_open_earlier_credit_notes`): ``({invoice: amount}, {credit note: amount})``.

        Why: such a credit note gave back part of what was paid as credit; the cancellation
        credits only the rest of the invoice, so it gives back as money only what is not held
        already, and the rest of its credit note reverses the discount or write-off. Each of
        those credit notes first settles what is still open of the invoice it reverses, then
        of the others (`_settle_with_open_credit_notes`): only what remains of it is held, and
        it is counted against its own invoice's money first."""
        own = [invoice for invoice in invoices if self._moves_of_this_order_only(invoice)]
        open_left = {invoice: max(invoice.amount_residual, 0.0) for invoice in own}
        room = {invoice: invoice._get_received_amount() for invoice in own}
        held, leftovers = dict.fromkeys(own, 0.0), {}
        credit_notes = self._get_open_earlier_credit_notes()
        for credit_note in credit_notes.sorted(lambda m: (not m.reversed_entry_id, m.id)):
            first = [credit_note.reversed_entry_id] if credit_note.reversed_entry_id in own else []
            targets = first + [invoice for invoice in own if invoice not in first]
            left = credit_note.amount_residual
            for invoice in targets:
                settled = min(left, open_left[invoice])
                open_left[invoice] -= settled
                left -= settled
            leftovers[credit_note] = left
            for invoice in targets:
                part = min(left, room[invoice] - held[invoice])
                if part > 0:
                    held[invoice] += part
                    left -= part
        return held, leftovers

    def _settle_with_open_credit_notes(self, invoices, earlier):
        """Let the order's open credit notes made before the cancellation (`earlier`, read by
        `_get_open_earlier_credit_notes` before it made its own) settle what is still open of
        its credited `invoices`.

        Why: the plan counts those credit notes (it credits only the rest), but Odoo leaves
        them open beside the invoice, so after the cancel the customer's total is right while
        both documents still read open. Only documents that carry nothing but this order's
        lines are matched: no other order's money settles anything."""
        own = self._moves_of_this_order_only
        earlier = earlier.filtered(lambda m: not m.currency_id.is_zero(m.amount_residual))
        still_open = invoices.filtered(
            lambda m: not m.currency_id.is_zero(m.amount_residual) and own(m)
        )
        if earlier and still_open:
            reconcile_receivables(earlier | still_open)

    def _moves_of_this_order_only(self, move):
        """Whether every product line of `move` is invoiced for this order."""
        lines = move.invoice_line_ids.filtered(lambda line: line.display_type == "product")
        return bool(lines) and all(line.sale_line_ids.order_id == self for line in lines)

    def _prepare_credit_note_vals(self, invoice, date, reason=None):
        """Values of the credit note of `invoice`; its reference says which order's
        cancellation made it, and why when there is a `reason`, in the customer's language
        (the credit note is the customer's document)."""
        env = self.with_context(lang=invoice.partner_id.lang or self.env.lang).env
        if reason:
            ref = env._(
                "Cancellation of %(order)s (%(reason)s): %(invoice)s",
                order=invoice.invoice_origin or "",
                reason=reason.with_env(env).display_name,
                invoice=invoice.name,
            )
        else:
            ref = env._(
                "Cancellation of %(order)s: %(invoice)s",
                order=invoice.invoice_origin or "",
                invoice=invoice.name,
            )
        return {
            "ref": ref,
            "date": date,
            "invoice_date": date,
            "invoice_date_due": False,
            "invoice_payment_term_id": False,
        }


def _rounds_without_shared_invoices(orders, credits):
    """`orders` in rounds (recordsets, in their order) in which no two orders credit the same
    invoice: an order comes in the round after the last one holding an order that credits one
    of its invoices, so that such orders are credited one after the other, in their order."""
    rounds, placed = [], {}
    for order in orders:
        invoices = {item["invoice"].id for item in credits.get(order.id) or []}
        index = max((placed[i] + 1 for i in invoices if i in placed), default=0)
        if index == len(rounds):
            rounds.append(order.browse())
        rounds[index] |= order
        for invoice_id in invoices:
            placed[invoice_id] = index
    return rounds


def _split_kept(plan, keep):
    """How much of `keep` (a cancellation fee) each item of a credit plan keeps of the money
    it would give back, latest invoice first: the fee is paid from what was received."""
    parts = []
    for item in plan:
        currency = item["invoice"].currency_id
        part = currency.round(min(max(keep, 0.0), item["refund"]))
        parts.append(part)
        keep -= part
    return parts


def _document_total(invoice, lines, is_refund=True):
    """Total of the credit note of `invoice` crediting `lines` (``{invoice line: [credit line
    values]}``), or with `is_refund` False of a draft invoice of `invoice`'s journal, currency
    and terms with those lines, computed by Odoo's own tax engine as the draft computes it: taxes
    rounded per document as the company rounds them, and the invoice's cash rounding (a
    rounding line or a rounded biggest tax) applied."""
    AccountTax = invoice.env["account.tax"]
    base_lines = [
        AccountTax._prepare_base_line_for_taxes_computation(
            line,
            price_unit=vals["price_unit"],
            quantity=vals["quantity"],
            discount=vals["discount"],
            rate=invoice.invoice_currency_rate,
            is_refund=is_refund,
        )
        for line, vals_list in lines.items()
        for vals in vals_list
    ]
    AccountTax._add_tax_details_in_base_lines(base_lines, invoice.company_id)
    AccountTax._round_base_lines_tax_details(base_lines, invoice.company_id)
    totals = AccountTax._get_tax_totals_summary(
        base_lines,
        invoice.currency_id,
        invoice.company_id,
        cash_rounding=invoice.invoice_cash_rounding_id,
    )
    return invoice.currency_id.round(totals["total_amount_currency"])


def _limit_to_quantities(uncredited, quantities):
    """Keep of `uncredited` (see `_get_uncredited_invoice_lines`) only `quantities` per sale
    line, from its latest invoices, each part at its invoice line's uncredited unit amount."""
    result = {}
    left = dict(quantities)
    for invoice_line, (quantity, amount) in uncredited.items():
        sale_line = invoice_line.sale_line_ids[:1]
        wanted = left.get(sale_line, 0.0)
        rounding = sale_line.product_uom.rounding or 0.01
        if float_compare(wanted, 0.0, precision_rounding=rounding) <= 0:
            continue
        if float_compare(quantity, 0.0, precision_rounding=rounding) <= 0:
            continue
        take = min(wanted, quantity)
        part = (
            amount if take == quantity else invoice_line.currency_id.round(amount * take / quantity)
        )
        result[invoice_line] = (take, part)
        left[sale_line] = wanted - take
    return result
