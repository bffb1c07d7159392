from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import float_compare, float_is_zero, float_round


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    cancellation_line_ids = fields.One2many(
        "sale.order.cancellation.line", "sale_line_id", readonly=True
    )
    qty_cancelled = fields.Float(
        "Cancelled Quantity",
        digits="Product Unit of Measure",
        compute="_compute_qty_cancelled",
        store=True,
        help="Quantity cancelled by the cancellations in force, in the line's unit. The line "
        "keeps the ordered quantity; what is still to deliver and to invoice is the ordered "
        "quantity less this one.",
    )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        if any("qty_cancelled" in vals for vals in vals_list):
            self._raise_qty_cancelled_write()
        return super().create(vals_list)

    def write(self, vals):
        if "qty_cancelled" in vals:
            self._raise_qty_cancelled_write()
        return super().write(vals)

    def _raise_qty_cancelled_write(self):
        """`qty_cancelled` is what the cancellations in force say: computed from the ledger,
        never written (Odoo stores its value without `write`). A value sent over RPC would
        cancel quantities without a cancellation, nothing to revoke, nothing credited."""
        raise AccessError(
            self.env._(
                "The cancelled quantity of %s is set by its cancellations only: use Cancel "
                "Lines, or revoke a cancellation.",
                ", ".join(self.order_id.mapped("name")) or self.env._("an order line"),
            )
        )

    @api.constrains("product_uom_qty", "qty_cancelled")
    def _check_qty_cancelled(self):
        """The ordered quantity keeps what cancellations took off it: lowering it below that
        would leave a cancellation of more than was ordered."""
        for line in self:
            if (
                line.qty_cancelled
                and float_compare(
                    line.product_uom_qty,
                    line.qty_cancelled,
                    precision_rounding=line.product_uom.rounding or 0.01,
                )
                < 0
            ):
                raise ValidationError(
                    self.env._(
                        "%(qty)s of “%(line)s” on %(order)s are cancelled: the ordered quantity "
                        "cannot be less; revoke the cancellation first.",
                        qty=line.qty_cancelled,
                        line=line.name,
                        order=line.order_id.name,
                    )
                )

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    @api.depends(
        "cancellation_line_ids.qty_cancelled", "cancellation_line_ids.cancellation_id.state"
    )
    def _compute_qty_cancelled(self):
        for line in self:
            line.qty_cancelled = sum(
                snapshot.qty_cancelled
                for snapshot in line.cancellation_line_ids
                if snapshot.cancellation_id.state == "cancelled"
            )

    def _get_qty_cancelled_by_lines(self):
        """What cancellations of lines in force cancelled of this line (line's unit): the part
        of `qty_cancelled` that a confirmed order no longer delivers nor invoices. A whole-order
        cancellation is left out: its order is cancelled, and while its revoke plans the
        deliveries again it is still in force."""
        self.ensure_one()
        return sum(
            snapshot.qty_cancelled
            for snapshot in self.cancellation_line_ids
            if snapshot.cancellation_id.state == "cancelled"
            and snapshot.cancellation_id.scope == "lines"
        )

    def _get_qty_ordered_in_force(self):
        """The ordered quantity less what cancellations of lines took off it (line's unit)."""
        self.ensure_one()
        return self.product_uom_qty - self._get_qty_cancelled_by_lines()

    @api.depends("state", "move_ids.to_refund", "order_id.cancellation_ids.state")
    def _compute_qty_delivered(self):
        """Extend `sale_stock`: on an order cancelled with reversal, the delivered quantity is
        what the customer still holds. Odoo keeps counting goods that came back through a
        return without "update quantities on SO" (sent in for a repair) as delivered; once
        the cancellation has taken back the rest and credited every invoice, counting them
        would leave the cancelled order delivered but not invoiced. Revoke puts the order
        back in state `sale`, where Odoo's own count applies again."""
        res = super()._compute_qty_delivered()
        for line in self._filtered_counting_customer_holdings():
            line.qty_delivered -= line._get_unrefunded_return_qty()
        return res

    def _filtered_counting_customer_holdings(self):
        """Stock lines of orders whose cancellation with reversal is in force."""
        return self.filtered(
            lambda line: (
                line.qty_delivered_method == "stock_move"
                and line.state == "cancel"
                and "cancelled" in line.order_id.cancellation_ids.mapped("state")
            )
        )

    def _get_unrefunded_return_qty(self):
        """Net quantity (in the line's unit) that came back from the customer through returns
        that did not update the order, less what such returns of returns took back to them:
        what Odoo counts as delivered although the customer does not hold it."""
        self.ensure_one()
        qty = 0.0
        returns = self.move_ids.filtered(
            lambda m: (
                m.state == "done"
                and not m.scrapped
                and m.origin_returned_move_id
                and not m.to_refund
                and m.product_id == self.product_id
            )
        )
        for move in returns:
            done = move.product_uom._compute_quantity(
                move.quantity, self.product_uom, rounding_method="HALF-UP"
            )
            if move.location_id._is_outgoing():
                qty += done
            elif move.location_dest_id._is_outgoing():
                qty -= done
        return qty

    def _get_qty_delivered_in_force(self):
        """What Odoo counts as delivered once the order is live again (revoke): the delivered
        quantity without the customer-holdings view of a cancelled order."""
        self.ensure_one()
        if self in self._filtered_counting_customer_holdings():
            return self.qty_delivered + self._get_unrefunded_return_qty()
        return self.qty_delivered

    @api.depends(
        "move_ids.state",
        "move_ids.product_uom_qty",
        "order_id.cancellation_ids.revoke_picking_ids",
        "qty_cancelled",
    )
    def _compute_qty_to_invoice(self):
        """Extend `sale`: while a revoke delivers again goods that were invoiced, billed again
        by the revoke and not yet back at the customer, the line is not "to invoice" a negative
        quantity, which would make Create Invoice draft a credit note for them. Only the part
        the revoke's own deliveries bring is discounted; once delivered, Odoo's rule applies."""
        res = super()._compute_qty_to_invoice()
        for line in self._filtered_with_cancelled_quantity():
            # What was cancelled is neither delivered nor invoiced any more: Odoo's rule on
            # the quantity in force.
            in_force = line._get_qty_ordered_in_force()
            if line.product_id.invoice_policy == "order":
                line.qty_to_invoice = in_force - line.qty_invoiced
            else:
                line.qty_to_invoice = min(line.qty_delivered, in_force) - line.qty_invoiced
        for line in self:
            if (
                line.state != "sale"
                or line.display_type
                or line.product_id.invoice_policy != "delivery"
                or line.qty_delivered_method != "stock_move"
                or float_compare(
                    line.qty_to_invoice, 0.0, precision_rounding=line.product_uom.rounding or 0.01
                )
                >= 0
            ):
                continue
            redelivering = line._get_qty_redelivering()
            if redelivering:
                line.qty_to_invoice = min(0.0, line.qty_to_invoice + redelivering)
        return res

    @api.depends("qty_cancelled")
    def _compute_invoice_status(self):
        """Extend `sale`: a line whose cancelled part is credited is invoiced once what is in
        force is."""
        res = super()._compute_invoice_status()
        precision = self.env["decimal.precision"].precision_get("Product Unit of Measure")
        for line in self._filtered_with_cancelled_quantity():
            if line.invoice_status == "no" and (
                float_compare(
                    line.qty_invoiced,
                    line._get_qty_ordered_in_force(),
                    precision_digits=precision,
                )
                >= 0
            ):
                line.invoice_status = "invoiced"
        return res

    @api.depends("qty_cancelled")
    def _compute_untaxed_amount_to_invoice(self):
        """Extend `sale`: what was cancelled is not to invoice any more."""
        res = super()._compute_untaxed_amount_to_invoice()
        for line in self._filtered_with_cancelled_quantity():
            in_force = line._get_qty_ordered_in_force()
            if line.product_id.invoice_policy == "order":
                gone = line.product_uom_qty - in_force
            else:
                gone = max(line.qty_delivered - in_force, 0.0)
            if gone and line.product_uom_qty:
                line.untaxed_amount_to_invoice -= line.currency_id.round(
                    line.price_subtotal * gone / line.product_uom_qty
                )
        return res

    def _filtered_with_cancelled_quantity(self):
        """Lines of confirmed orders that cancellations of lines took quantities off."""
        return self.filtered(
            lambda line: (
                line.state == "sale"
                and not line.display_type
                and line.product_id.type != "combo"
                and line._get_qty_cancelled_by_lines()
            )
        )

    # ------------------------------------------------------------------
    # Cancelling part of a line
    # ------------------------------------------------------------------
    def _can_cancel_quantity(self):
        """Whether quantities of this line can be cancelled on their own (a pure predicate):
        a product line, not a down payment, nor a combo or one of its items (a combo is sold
        whole)."""
        self.ensure_one()
        return bool(
            not self.display_type
            and self.product_id
            and not self.is_downpayment
            and self.product_id.type != "combo"
            and not self.combo_item_id
            and not self.linked_line_id.product_id.type == "combo"
        )

    def _get_moves_to_reduce(self, quantity):
        """What Odoo's procurement does to this line's deliveries when `quantity` (line's
        unit) of what is not delivered yet is cancelled: ``({open move: quantity in the move's
        unit taken off it}, {done step: quantity in the product's unit sent back to stock})``.

        Why two: Odoo's negative demand starts at the first step and is taken off its open
        moves, latest first; what they cannot absorb at a step already done (a pick whose goods
        wait in Output) goes back to stock through a transfer the other way, and the rest is
        taken off the next step."""
        self.ensure_one()
        reduced, reversed_steps = {}, {}
        rounding = self.product_uom.rounding or 0.01
        if float_compare(quantity, 0.0, precision_rounding=rounding) <= 0:
            return reduced, reversed_steps
        moves = self.move_ids.filtered(
            lambda m: (
                m.state not in ("cancel", "draft")
                and not m.scrapped
                and not m.origin_returned_move_id
                and m.product_id == self.product_id
                and m.location_id.usage == "internal"
            )
        )
        # From the first step (where Odoo's procurement starts) towards the customer: what a
        # step's open moves absorb goes no further; what they cannot absorb goes back to stock
        # from a step already done, and on to the next step.
        left = quantity
        for _step, step_moves in reversed(_group_by_step(moves)):
            if float_compare(left, 0.0, precision_rounding=rounding) <= 0:
                break
            open_moves = step_moves.filtered(lambda m: m.state != "done")
            for move in open_moves.sorted("id", reverse=True):
                if float_compare(left, 0.0, precision_rounding=rounding) <= 0:
                    break
                demand = move.product_uom._compute_quantity(
                    move.product_uom_qty, self.product_uom, round=False
                )
                take = min(left, demand)
                reduced[move] = self.product_uom._compute_quantity(
                    take, move.product_uom, round=False
                )
                left -= take
            done = (step_moves - open_moves).filtered(
                lambda m: not m.location_dest_id._is_outgoing()
            )
            if done and float_compare(left, 0.0, precision_rounding=rounding) > 0:
                reversed_steps[done.sorted("id")[-1].picking_id] = (
                    self.product_uom._compute_quantity(left, self.product_id.uom_id, round=False)
                )
        return reduced, reversed_steps

    def _get_line_return_quantities(self, quantity):
        """``{done delivery: {move: quantity in the product's unit}}``: the returns that take
        back `quantity` (line's unit) of what this line delivered to the customer, from its
        latest deliveries (lots and serial numbers follow those moves)."""
        self.ensure_one()
        uom = self.product_id.uom_id
        left = self.product_uom._compute_quantity(quantity, uom, round=False)
        result = {}
        returnable = self.order_id._get_returnable_quantities()
        moves = [
            (move, qty)
            for quantities in returnable.values()
            for move, qty in quantities.items()
            if move.sale_line_id == self and move.location_dest_id.usage == "customer"
        ]
        for move, qty in sorted(moves, key=lambda item: item[0].id, reverse=True):
            if float_compare(left, 0.0, precision_rounding=uom.rounding) <= 0:
                break
            take = min(left, qty)
            result.setdefault(move.picking_id, {})[move] = take
            left -= take
        return result

    def _get_revoke_moves(self):
        """This line's moves of the deliveries revokes made, their backorders and the steps
        chained after them (the ship after a pick)."""
        self.ensure_one()
        revoked = self.order_id.cancellation_ids.filtered(lambda c: c.state == "revoked")
        pickings = revoked.revoke_picking_ids
        backorders = pickings.backorder_ids - pickings
        while backorders:
            pickings |= backorders
            backorders = pickings.backorder_ids - pickings
        moves = pickings.move_ids.filtered(lambda m: m.sale_line_id == self)
        chain = moves
        while moves:
            moves = moves.move_dest_ids.filtered(lambda m: m.sale_line_id == self) - chain
            chain |= moves
        return chain

    def _get_qty_redelivering(self):
        """Quantity (line's unit) on its way to the customer while a delivery made by a revoke
        is still open: what is procured and not delivered yet; 0 otherwise."""
        self.ensure_one()
        if not self._get_revoke_moves().filtered(lambda m: m.state not in ("done", "cancel")):
            return 0.0
        procured = self._get_qty_procurement() - self._get_qty_cancelled_by_lines()
        return max(procured - self.qty_delivered, 0.0)

    def _get_qty_procurement(self, previous_product_uom_qty=False):
        """Extend `sale_stock`: goods that a cancellation sent back to stock from a pick or
        pack step are no longer on their way to the customer. sale_stock still counts the done
        pick as procured, so a revoke (or a later change of quantity) would not pick them
        again. Only returns made by the engine count (`sale.order._get_reversal_returns`: a
        cancellation's, a short close's): one made by hand on a live order leaves its ship step
        waiting for the goods."""
        qty = super()._get_qty_procurement(previous_product_uom_qty)
        # What cancellations of lines cancelled is not to procure: counted as procured, so that
        # Odoo's procurement reduces the open moves by it (and plans it again once revoked).
        qty += self._get_qty_cancelled_by_lines()
        # Goods that a cancellation of lines sent back to stock from a pick or pack step
        # (Odoo's transfer the other way, see `_get_moves_to_reduce`) left the way to the
        # customer too: sale_stock still counts the done step they came from.
        reduced = self.order_id.cancellation_ids.reduced_picking_ids
        if reduced:
            # Only the step sale_stock counts (the first one, its triggering rule): a chain of
            # such transfers (Output to Packing, then Packing to stock) brings the goods back
            # once.
            counted = self._get_outgoing_incoming_moves(strict=False)[0].rule_id
            for move in self.move_ids.filtered(
                lambda m: (
                    m.state != "cancel"
                    and m.rule_id in counted
                    and m.picking_id in reduced
                    and not m.origin_returned_move_id
                    and m.location_id.usage == "internal"
                    and m.location_dest_id.usage == "internal"
                    and not (m.location_final_id or m.location_dest_id)._is_outgoing()
                )
            ):
                done = move.quantity if move.state == "done" else move.product_uom_qty
                qty -= move.product_uom._compute_quantity(
                    done, self.product_uom, rounding_method="HALF-UP"
                )
        step_returns = self.move_ids.filtered(
            lambda m: (
                m.state == "done"
                and m.origin_returned_move_id
                and m.location_id.usage == "internal"
            )
        )
        if step_returns:
            outgoing = self._get_outgoing_incoming_moves(strict=False)[0]
            cancel_returns = self.order_id._get_reversal_returns()
            for move in step_returns.filtered(
                lambda m: m.origin_returned_move_id in outgoing and m.picking_id in cancel_returns
            ):
                qty -= move.product_uom._compute_quantity(
                    move.quantity, self.product_uom, rounding_method="HALF-UP"
                )
        return qty

    def _get_uncredited_invoice_lines(self):
        """What no posted credit note credits yet, per posted customer invoice line of these
        sale lines: ``{invoice line: (quantity in the sale line's unit, untaxed amount in the
        invoice currency)}``, latest invoice first for each sale line.

        This is the one computation of "still to credit" that the cancel preview, the
        cancellation and the short close share. Every posted customer credit note line tied to
        the sale line counts, however it was made (reversal wizard, by hand, with an edited
        quantity, price or discount): its amount and its quantity are deducted, each on its
        own, first from the invoice it reverses, then from the sale line's latest invoices. A
        credit note never makes an invoice line negative: what it credited beyond is ignored.
        """
        result = {}
        for sale_line in self.filtered(lambda sol: not sol.display_type):
            lines = sale_line.invoice_lines.filtered(
                lambda aml: aml.parent_state == "posted" and aml.display_type == "product"
            )
            invoiced = lines.filtered(lambda aml: aml.move_id.move_type == "out_invoice").sorted(
                lambda aml: (aml.move_id.invoice_date or aml.date, aml.move_id.id, aml.id),
                reverse=True,
            )
            remaining = {
                aml: [
                    aml.product_uom_id._compute_quantity(
                        aml.quantity, sale_line.product_uom, round=False
                    ),
                    aml.price_subtotal,
                ]
                for aml in invoiced
            }
            credits = lines.filtered(lambda aml: aml.move_id.move_type == "out_refund")
            for credit in credits.sorted("id"):
                candidates = invoiced.filtered(
                    lambda aml, credit=credit: aml.move_id == credit.move_id.reversed_entry_id
                )
                candidates += invoiced - candidates
                quantity = credit.product_uom_id._compute_quantity(
                    credit.quantity, sale_line.product_uom, round=False
                )
                _deduct(remaining, candidates, 0, quantity)
                # Credit notes are in their invoice's currency; one entered by hand in another
                # currency counts at its date's rate.
                amount = credit.price_subtotal
                for currency in candidates.currency_id:
                    group = candidates.filtered(lambda aml, c=currency: aml.currency_id == c)
                    converted = credit.currency_id._convert(
                        amount, currency, credit.company_id, credit.date
                    )
                    left = _deduct(remaining, group, 1, converted)
                    amount = amount * left / converted if converted else 0.0
            rounding = sale_line.product_uom.rounding or 0.01
            for aml, (quantity, amount) in remaining.items():
                if not (
                    float_is_zero(quantity, precision_rounding=rounding)
                    and aml.currency_id.is_zero(amount)
                ):
                    result[aml] = (quantity, aml.currency_id.round(amount))
        return result

    def _prepare_credit_line_vals(self, invoice_line, quantity, amount):
        """Values of the credit note line(s) crediting `quantity` (in this sale line's unit)
        for exactly `amount` (untaxed, invoice currency) of `invoice_line`.

        A plain copy of the invoice line's price when the amount is proportional to the
        quantity; otherwise a net price, split over two lines when a single price cannot hit
        the amount to the cent; when only an amount is left (an earlier credit note took the
        quantity at a lower price), one unit at that amount and one unit back at no price, so
        the quantities still net to what is left."""
        self.ensure_one()
        currency = invoice_line.currency_id
        sign = -1 if float_compare(invoice_line.quantity, 0.0, precision_digits=6) < 0 else 1
        qty = self.product_uom._compute_quantity(
            quantity * sign, invoice_line.product_uom_id, round=False
        )
        amount *= sign
        rounding = invoice_line.product_uom_id.rounding or 0.01
        has_qty = float_compare(qty, 0.0, precision_rounding=rounding) > 0
        unit = invoice_line.price_subtotal * sign / abs(invoice_line.quantity or 1.0)
        if currency.compare_amounts(amount, 0.0) <= 0:
            return [_credit_vals(sign * qty, 0.0)] if has_qty else []
        if has_qty and currency.compare_amounts(qty * unit, amount) == 0:
            return [_credit_vals(sign * qty, invoice_line.price_unit, invoice_line.discount)]
        # Net unit price to gross price: 1 unless taxes are included in the price.
        gross = (
            invoice_line.price_unit * (1 - invoice_line.discount / 100.0) / unit
            if not currency.is_zero(unit)
            else 1.0
        )
        digits = self.env["decimal.precision"].precision_get("Product Price")
        if not has_qty:
            return [
                _credit_vals(sign, float_round(amount * gross, precision_digits=digits)),
                _credit_vals(-sign, 0.0),
            ]
        price = float_round(amount / qty * gross, precision_digits=digits)
        if currency.compare_amounts(qty * price / gross, amount) == 0 or qty <= 1:
            return [_credit_vals(sign * qty, price)]
        rest = amount - currency.round((qty - 1) * price / gross)
        return [
            _credit_vals(sign * (qty - 1), price),
            _credit_vals(sign, float_round(rest * gross, precision_digits=digits)),
        ]


def _credit_vals(quantity, price_unit, discount=0.0):
    return {"quantity": quantity, "price_unit": price_unit, "discount": discount}


def _deduct(remaining, candidates, index, value):
    """Take `value` off `remaining[line][index]`, line after line, never past zero nor across
    signs; return what could not be taken."""
    for line in candidates:
        if float_is_zero(value, precision_digits=6):
            break
        left = remaining[line][index]
        if left * value <= 0:
            continue
        take = min(abs(left), abs(value)) * (1 if value > 0 else -1)
        remaining[line][index] -= take
        value -= take
    return value


def _group_by_step(moves):
    """`moves` grouped by the step of the delivery they belong to (their picking type), the
    step nearest the customer first."""
    steps = {}
    for move in moves:
        steps.setdefault(move.picking_type_id, move.browse())
        steps[move.picking_type_id] |= move
    return sorted(
        steps.items(),
        key=lambda item: (not item[1][:1].location_dest_id._is_outgoing(), -item[0].sequence),
    )
