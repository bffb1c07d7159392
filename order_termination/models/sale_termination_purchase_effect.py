from odoo import api, fields, models
from odoo.tools import float_compare, float_is_zero

from odoo.addons.order_revoke_cancel.tools.call_scope import get_call_scope

# Name of the call scope open while a cancellation is planned and made with its returns
# received at once (`receive_returns`): what goes back to a vendor is then no longer received
# when the purchase effects apply (`_get_removable_qty`).
RECEIVE_RETURNS_SCOPE = "order_termination_receive_returns"


class SaleTerminationPurchaseEffect(models.Model):
    """What a cancellation or a termination did to a purchase order, kept so buyers and
    auditors see it.

    The one purchase-effect engine of both: `_plan_for_order` says what cancelling (or
    terminating) an order does to each linked purchase, `_apply_plan` does it and records one
    effect per change. A cancellation reaches it through its cancel plan (key
    ``purchase_effects``, see `sale_order_cancel_purchase.py`), a termination through the
    cancellation it executes. Effects are evidence: users only read them (read-only access
    rights); `_apply_plan` writes them as superuser.
    """

    _name = "sale.termination.purchase.effect"
    _description = "Effect of an Order Cancellation or Termination on a Purchase"
    _order = "id"

    request_id = fields.Many2one("sale.termination.request", ondelete="cascade", index=True)
    cancellation_id = fields.Many2one(
        "sale.order.cancellation", ondelete="cascade", index=True, readonly=True
    )
    order_id = fields.Many2one(
        "sale.order", compute="_compute_order_id", store=True, index=True, readonly=True
    )
    company_id = fields.Many2one(related="order_id.company_id", store=True)
    purchase_id = fields.Many2one("purchase.order", required=True)
    purchase_name = fields.Char(related="purchase_id.name", store=True, string="Purchase Reference")
    purchase_line_id = fields.Many2one("purchase.order.line")
    product_id = fields.Many2one("product.product")
    action = fields.Selection(
        [
            ("cancel", "Purchase cancelled"),
            ("reduce", "Quantity reduced"),
            ("notify", "Buyer asked to act"),
        ],
        required=True,
    )
    previous_qty = fields.Float("Quantity Before", digits="Product Unit of Measure")
    new_qty = fields.Float("Quantity After", digits="Product Unit of Measure")
    note = fields.Text()

    @api.depends("request_id.order_id", "cancellation_id.order_id")
    def _compute_order_id(self):
        for effect in self:
            effect.order_id = (
                effect.cancellation_id.order_id or effect.request_id.order_id or effect.order_id
            )

    # ------------------------------------------------------------------
    # Plan
    # ------------------------------------------------------------------
    @api.model
    def _plan_for_order(self, order, returns=None):
        """What cancelling or terminating `order` does to each linked purchase order, as a list of
        `{'action', 'purchase', 'lines': [(purchase line, share)]}`: cancel it (every line
        served only this order, nothing received or billed), reduce this order's share of its
        lines, or leave it and notify the buyer. A purchase partly received or billed is both:
        what is still to come for the order is removed (a cancelled order waits for nothing),
        the buyer decides about what came. `returns` (the cancel plan's, ``{done picking:
        {move: quantity}}``): dropshipped goods they send back to the vendor are taken off
        their purchase line too, once the returns are received (the item is marked
        ``'after_returns'``, see `_get_removable_qty`). Read before anything changes."""
        plan = []
        purchases = order._get_purchase_orders().filtered(lambda p: p.state != "cancel")
        back = self._get_returned_to_vendor(returns or {}, purchases.order_line)
        for purchase in purchases:
            shares = self._get_purchase_shares(order, purchase)
            if not shares:
                continue
            removed, kept = self._split_shares(shares, back)
            if any(back.get(line) for line, _share in removed):
                # Dropshipped goods come back from the customer: one plan of both kinds.
                items = self._plan_purchase_split(purchase, removed, kept)
                for item in items:
                    item["after_returns"] = item["action"] == "reduce"
                plan += items
            elif removed and kept:
                plan += self._plan_purchase_split(purchase, removed, kept)
            else:
                plan.append(self._plan_purchase(purchase, shares))
        return plan

    @api.model
    def _get_purchase_shares(self, order, purchase):
        """[(purchase line, quantity in the line's unit serving `order`)]."""
        shares = []
        for line in purchase.order_line.filtered(lambda pl: not pl.display_type):
            share = self._get_purchase_line_share(order, line)
            if not float_is_zero(share, precision_rounding=line.product_uom.rounding or 0.01):
                shares.append((line, share))
        return shares

    @api.model
    def _get_purchase_line_share(self, order, line):
        if line.sale_line_id:
            return line.product_qty if line.sale_line_id.order_id == order else 0.0
        moves = line.move_dest_ids | line.move_ids.move_dest_ids
        mine = moves.filtered(
            lambda m: (
                m.state != "cancel"
                and (m.sale_line_id.order_id == order or m.group_id == order.procurement_group_id)
            )
        )
        qty = sum(
            m.product_uom._compute_quantity(m.product_uom_qty, line.product_uom) for m in mine
        )
        return min(qty, line.product_qty)

    @api.model
    def _plan_for_lines(self, order, quantities):
        """What cancelling (or terminating) `quantities` of `order`'s lines (``{sale line:
        quantity in the line's unit}``) does to the purchases bought for them, as items of
        `_plan_for_order`. Only what is not delivered yet has a purchase behind it: the
        cancelled quantity comes first out of it, as the cancellation takes it
        (`_prepare_line_cancel_plan`), and is spread over the purchase lines buying for the
        sale line (`_get_sale_line_purchase_shares`). Of each share, what is neither received
        nor billed is removed (the purchase is cancelled when that is every line of it in
        full), the rest is left to the buyer, who is notified. Read before anything changes."""
        wanted = {}
        purchase_lines = (
            order._get_purchase_orders()
            .filtered(lambda p: p.state != "cancel")
            .order_line.filtered(lambda pl: not pl.display_type)
        )
        back = {}
        for sale_line, qty in quantities.items():
            undelivered = max(sale_line._get_qty_ordered_in_force() - sale_line.qty_delivered, 0.0)
            from_open = min(qty, undelivered)
            for line, share in self._get_sale_line_purchase_shares(
                sale_line, from_open, purchase_lines
            ):
                wanted[line] = wanted.get(line, 0.0) + share
            for line, share in self._get_vendor_return_shares(
                sale_line, qty - from_open, purchase_lines
            ).items():
                back[line] = back.get(line, 0.0) + share
                wanted[line] = wanted.get(line, 0.0) + share
        plan = []
        for purchase in purchase_lines.filtered(lambda pl: pl in wanted).order_id:
            shares = [(line, wanted[line]) for line in purchase.order_line if line in wanted]
            # ``partial``: the purchase served quantities of the order that stay ordered too,
            # or other orders; the notes say so.
            plan += self._plan_purchase_split(purchase, *self._split_shares(shares, back))
        return plan

    @api.model
    def _split_shares(self, shares, back=None):
        """`shares` ([(purchase line, quantity)]) split into what can be removed from the
        purchase (neither received nor billed, `_get_removable_qty`; `back`: ``{purchase line:
        quantity}`` the cancellation returns to the vendor) and what is left to the buyer:
        ``(removed, kept)``, both in the shape of `shares`."""
        back = back or {}
        removed, kept = [], []
        for line, share in shares:
            rounding = line.product_uom.rounding or 0.01
            free = self._get_removable_qty(line, back.get(line, 0.0))
            take = min(share, free)
            if not float_is_zero(take, precision_rounding=rounding):
                removed.append((line, take))
            if not float_is_zero(share - take, precision_rounding=rounding):
                kept.append((line, share - take))
        return removed, kept

    @api.model
    def _plan_purchase_split(self, purchase, removed, kept):
        """Items of one purchase of which `removed` is taken off (cancelled when that is every
        line of it in full) and `kept` (received or billed) is left to its buyer."""
        plan = []
        if removed:
            cancel = not kept and self._can_cancel_purchase(purchase, removed)
            action = "cancel" if cancel else "reduce"
            plan.append({"action": action, "purchase": purchase, "lines": removed, "partial": True})
        if kept:
            plan.append({"action": "notify", "purchase": purchase, "lines": kept, "partial": True})
        return plan

    @api.model
    def _get_vendor_return_shares(self, sale_line, qty, purchase_lines):
        """``{purchase line: quantity in its unit}``: what of `qty` (in `sale_line`'s unit),
        taken out of what was delivered, the cancellation's returns send back to the vendor.
        Dropshipped goods came straight from the vendor (a move of one of `purchase_lines`
        from a supplier location): their return goes back to it and is a purchase return
        (`qty_received` drops), so the vendor would ship them again unless the purchase line
        is lowered too."""
        if float_compare(qty, 0.0, precision_rounding=sale_line.product_uom.rounding or 0.01) <= 0:
            return {}
        return self._get_returned_to_vendor(
            sale_line._get_line_return_quantities(qty), purchase_lines
        )

    @api.model
    def _get_returned_to_vendor(self, returns, purchase_lines):
        """``{purchase line: quantity in its unit}`` of `returns` (``{done picking: {move:
        quantity}}``, as the engine plans returns) that go back to the vendor of one of
        `purchase_lines`: returns of moves that came from a supplier location (dropshipped)."""
        shares = {}
        for moves in returns.values():
            for move, move_qty in moves.items():
                line = move.purchase_line_id
                if line in purchase_lines and move.location_id.usage == "supplier":
                    shares[line] = shares.get(line, 0.0) + move.product_id.uom_id._compute_quantity(
                        move_qty, line.product_uom
                    )
        return shares

    @api.model
    def _get_removable_qty(self, line, back=0.0):
        """What may be taken off purchase line `line` (its unit): neither received nor billed.
        `back` is what the cancellation returns to the vendor of what was received: once the
        return is received (the cancellation receives its returns at once, before the purchase
        effects apply) it is no longer received, and is removable unless it was billed (the
        buyer then settles a vendor credit note: notified). While the return waits, the
        purchase line cannot go below what is received: the buyer is notified of it."""
        if not get_call_scope(self.env, RECEIVE_RETURNS_SCOPE, False):
            back = 0.0
        received = max(line.qty_received - back, 0.0)
        return max(line.product_qty - max(received, line.qty_invoiced), 0.0)

    @api.model
    def _get_sale_line_purchase_shares(self, sale_line, qty, purchase_lines):
        """[(purchase line, quantity in its unit)]: `qty` (in `sale_line`'s unit) spread over
        those of `purchase_lines` that buy for `sale_line`, latest first, each at most what it
        still brings for it: a dropship line (`sale_line_id`) what is not received yet, a
        make-to-order line what the sale line's open moves expect of it (its
        ``move_dest_ids``)."""
        product_uom = sale_line.product_id.uom_id
        left = sale_line.product_uom._compute_quantity(qty, product_uom)
        shares = []
        for line in purchase_lines.sorted("id", reverse=True):
            if float_compare(left, 0.0, precision_rounding=product_uom.rounding or 0.01) <= 0:
                break
            if line.sale_line_id:
                if line.sale_line_id != sale_line:
                    continue
                serving = max(line.product_qty - line.qty_received, 0.0)
            else:
                moves = (line.move_dest_ids | line.move_ids.move_dest_ids).filtered(
                    lambda m: m.sale_line_id == sale_line and m.state not in ("done", "cancel")
                )
                serving = min(
                    sum(
                        m.product_uom._compute_quantity(m.product_uom_qty, line.product_uom)
                        for m in moves
                    ),
                    line.product_qty,
                )
            share = min(product_uom._compute_quantity(left, line.product_uom), serving)
            if float_is_zero(share, precision_rounding=line.product_uom.rounding or 0.01):
                continue
            shares.append((line, share))
            left -= line.product_uom._compute_quantity(share, product_uom)
        return shares

    @api.model
    def _plan_purchase(self, purchase, shares):
        touched = [line for line, _share in shares if line.qty_received or line.qty_invoiced]
        if touched:
            return {"action": "notify", "purchase": purchase, "lines": shares}
        return {
            "action": "cancel" if self._can_cancel_purchase(purchase, shares) else "reduce",
            "purchase": purchase,
            "lines": shares,
        }

    @api.model
    def _can_cancel_purchase(self, purchase, shares):
        """Whether removing `shares` ([(purchase line, quantity)]) leaves nothing of
        `purchase` (every line removed in full), of which nothing is received or billed."""
        served_only_us = all(
            float_compare(
                dict(shares).get(pl, 0.0),
                pl.product_qty,
                precision_rounding=pl.product_uom.rounding or 0.01,
            )
            >= 0
            for pl in purchase.order_line.filtered(lambda pl: not pl.display_type)
        )
        billed = purchase.invoice_ids.filtered(lambda m: m.state not in ("draft", "cancel"))
        received = purchase.order_line.filtered(lambda pl: pl.qty_received)
        return served_only_us and not billed and not received

    # ------------------------------------------------------------------
    # Apply
    # ------------------------------------------------------------------
    @api.model
    def _apply_plan(self, order, plan, request=None):
        """Carry out `plan` (items of `_plan_for_order`) for the cancellation of `order`, or
        for its termination by `request`; return the effects recorded."""
        vals_list = []
        for item in plan:
            if item["action"] == "cancel":
                vals_list += self._purchase_cancel(order, item, request)
            elif item["action"] == "reduce":
                vals_list += self._purchase_reduce(order, item, request)
            else:
                vals_list += self._purchase_notify(order, item, request)
        for vals in vals_list:
            vals["order_id"] = order.id
            vals["request_id"] = request.id if request else False
        # Effects are evidence nobody writes directly (read-only access rights): recorded
        # as superuser, for the cancellation its caller was allowed to make.
        return self.sudo().create(vals_list).with_env(self.env)

    @api.model
    def _purchase_cancel(self, order, item, request=None):
        purchase = item["purchase"]
        previous = [
            (line, line.product_qty) for line in purchase.order_line if not line.display_type
        ]
        purchase.button_cancel()
        if request:
            body = self.env._(
                "Cancelled by the termination %(request)s of %(order)s.",
                request=request.name,
                order=order.name,
            )
        else:
            body = self.env._("Cancelled by the cancellation of %s.", order.name)
        purchase.message_post(body=body)
        # One effect per line, with the quantity it had: "before 5, after 0", not a blank row.
        if item.get("partial"):
            note = self.env._(
                "Every line served only quantities of %s no longer ordered.", order.name
            )
        else:
            note = self.env._("Every line served only %s.", order.name)
        return [
            {
                "purchase_id": purchase.id,
                "purchase_line_id": line.id,
                "product_id": line.product_id.id,
                "action": "cancel",
                "previous_qty": previous_qty,
                "new_qty": 0.0,
                "note": note,
            }
            for line, previous_qty in previous
        ]

    @api.model
    def _purchase_reduce(self, order, item, request=None):
        vals_list = []
        if item.get("partial"):
            note = self.env._("Quantities of %s no longer ordered removed.", order.name)
        else:
            note = self.env._("Share of %s removed; the rest serves other orders.", order.name)
        for line, share in item["lines"]:
            previous = line.product_qty
            line.product_qty = max(previous - share, 0.0)
            vals_list.append(
                {
                    "purchase_id": line.order_id.id,
                    "purchase_line_id": line.id,
                    "product_id": line.product_id.id,
                    "action": "reduce",
                    "previous_qty": previous,
                    "new_qty": line.product_qty,
                    "note": note,
                }
            )
        if request:
            body = self.env._(
                "Quantities of %(order)s removed by the termination %(request)s.",
                order=order.name,
                request=request.name,
            )
        else:
            body = self.env._("Quantities of %s removed by its cancellation.", order.name)
        item["purchase"].message_post(body=body)
        return vals_list

    @api.model
    def _purchase_notify(self, order, item, request=None):
        purchase = item["purchase"]
        if item.get("partial"):
            note = self._get_partial_notify_note(order, purchase, request)
        elif request:
            note = self.env._(
                "%(order)s was terminated (%(request)s), but goods of %(purchase)s were "
                "already received or billed, so the purchase was left unchanged. Decide with "
                "the vendor whether to return the goods or keep them in stock, and adjust the "
                "bill if needed.",
                order=order.name,
                request=request.name,
                purchase=purchase.name,
            )
        else:
            note = self.env._(
                "%(order)s was cancelled, but goods of %(purchase)s were already received or "
                "billed, so the purchase was left unchanged. Decide with the vendor whether to "
                "return the goods or keep them in stock, and adjust the bill if needed.",
                order=order.name,
                purchase=purchase.name,
            )
        if request:
            summary = self.env._("Terminated order %s: review this purchase", order.name)
        else:
            summary = self.env._("Cancelled order %s: review this purchase", order.name)
        purchase.activity_schedule(
            "mail.mail_activity_data_todo",
            user_id=(purchase.user_id or self.env.user).id,
            summary=summary,
            note=note,
        )
        return [{"purchase_id": purchase.id, "action": "notify", "note": note}]

    @api.model
    def _get_partial_notify_note(self, order, purchase, request=None):
        """The buyer's note when quantities of some lines of `order` ended but what `purchase`
        bought for them was already received or billed."""
        if request:
            return self.env._(
                "Quantities of %(order)s were terminated (%(request)s), but goods of "
                "%(purchase)s bought for them were already received or billed, so they were "
                "left on the purchase. Decide with the vendor whether to return the goods or "
                "keep them in stock, and adjust the bill if needed.",
                order=order.name,
                request=request.name,
                purchase=purchase.name,
            )
        return self.env._(
            "Quantities of %(order)s were cancelled, but goods of %(purchase)s bought for them "
            "were already received or billed, so they were left on the purchase. Decide with "
            "the vendor whether to return the goods or keep them in stock, and adjust the bill "
            "if needed.",
            order=order.name,
            purchase=purchase.name,
        )
