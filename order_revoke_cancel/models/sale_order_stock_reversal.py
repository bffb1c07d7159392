"""Stock reversal: which pickings a cancellation cancels, what the customer still holds
and is returned (every step of a multi-step delivery, lots and serials), goods held on the way,
the returns and their reception, and the purchases whose buyers hear of it."""

from collections import defaultdict

from odoo import Command, fields, models
from odoo.tools import float_compare


class SaleOrderStockReversal(models.Model):
    _inherit = "sale.order"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------
    # Deliveries: what is cancelled and what comes back
    # ------------------------------------------------------------------
    def _get_pickings_to_cancel(self):
        return self.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))

    def _get_returnable_quantities(self):
        """{done picking: {move: quantity to send back}}: what the orders moved and is not back,
        in the product's unit (the return wizard's).

        Deliveries to the customer come first: what reached the customer comes back through a
        customer return. Then the done steps of multi-step deliveries (see
        `_get_step_return_quantities`).
        """
        result = {}
        moves = self._get_done_delivery_moves()
        for move in moves.filtered(lambda m: m.location_dest_id.usage == "customer").sorted("id"):
            uom = move.product_id.uom_id
            done = move.product_uom._compute_quantity(move.quantity, uom)
            # Every done return, whether it updated the order or not: goods sent back for a
            # repair ("update quantities on SO" unticked) are in our stock, not at the
            # customer, and a return from the customer can only take back what they hold.
            qty = done - _returned_quantity(move)
            if float_compare(qty, 0, precision_rounding=uom.rounding) > 0:
                result.setdefault(move.picking_id, {})[move] = qty
        for picking, quantities in self._get_step_return_quantities(moves).items():
            result.setdefault(picking, {}).update(quantities)
        return result

    def _get_step_return_quantities(self, moves=None):
        """{done pick or pack: {move: quantity}}: the returns that take back to stock the goods
        that done steps of multi-step deliveries left waiting in Output or Packing, the step
        nearest the customer first. Each return of a step is made after the returns that bring
        goods to where it starts, so that Odoo chains them. A cancellation and a short close
        both send those goods back through these returns."""
        result = {}
        if moves is None:
            moves = self._get_done_delivery_moves()
        steps = moves.filtered(_is_delivery_step)
        held = self._get_held_quantities(moves, steps)
        planned = defaultdict(float)  # what the returns planned so far bring to a location
        for location in _locations_nearest_customer_first(steps):
            for line in steps.sale_line_id:
                need = held.get((line, location), 0.0) + planned[(line, location)]
                into = steps.filtered(
                    lambda m, line=line, location=location: (
                        m.sale_line_id == line and m.location_dest_id == location
                    )
                )
                for move in into.sorted("id", reverse=True):
                    uom = move.product_id.uom_id
                    if float_compare(need, 0, precision_rounding=uom.rounding) <= 0:
                        break
                    done = move.product_uom._compute_quantity(move.quantity, uom)
                    qty = min(need, done - _returned_quantity(move))
                    if float_compare(qty, 0, precision_rounding=uom.rounding) <= 0:
                        continue
                    result.setdefault(move.picking_id, {})[move] = qty
                    need -= qty
                    planned[(line, move.location_id)] += qty
        return result

    def _get_done_delivery_moves(self):
        """Done moves of the orders' lines: deliveries, steps of multi-step deliveries, returns.

        Only done moves count: every open picking of an order is cancelled with it, open
        returns made by hand included.
        """
        return self.order_line.move_ids.filtered(lambda m: m.state == "done" and not m.scrapped)

    def _get_held_quantities(self, moves, steps):
        """{(sale line, location): quantity in the product's unit} of the goods that the done
        `steps` brought to an intermediate location (Packing, Output) and that are still
        there, from the done `moves` in and out of it."""
        held = defaultdict(float)
        locations = steps.location_dest_id
        for move in moves:
            qty = move.product_uom._compute_quantity(move.quantity, move.product_id.uom_id)
            if move.location_dest_id in locations:
                held[(move.sale_line_id, move.location_dest_id)] += qty
            if move.location_id in locations:
                held[(move.sale_line_id, move.location_id)] -= qty
        return held

    def _continue_held_deliveries(self):
        """Send on what waits in an intermediate location after a revoke cancelled the returns
        that were to take it back to stock: a new move from where the goods are, made by the
        warehouse's push rule there as when the step was done, and chained to the moves that
        brought them so that it reserves those very goods (lots and serial numbers included).
        Picking again from stock would leave them stranded there."""
        moves = self._get_done_delivery_moves()
        steps = moves.filtered(_is_delivery_step)
        new_moves = self.env["stock.move"]
        now = fields.Datetime.now()
        for (line, location), qty in self._get_held_quantities(moves, steps).items():
            uom = line.product_id.uom_id
            if float_compare(qty, 0, precision_rounding=uom.rounding) <= 0:
                continue
            into = moves.filtered(
                lambda m, line=line, location=location: (
                    m.sale_line_id == line and m.location_dest_id == location
                )
            )
            template = (into & steps).sorted("id")[-1]
            rule = self.env["procurement.group"]._get_push_rule(
                template.product_id,
                location,
                {
                    "route_ids": template.route_ids,
                    "product_packaging_id": template.product_packaging_id,
                    "warehouse_id": template.warehouse_id or template.picking_type_id.warehouse_id,
                },
            )
            if not rule or rule.auto != "manual":
                continue
            vals = rule._push_prepare_move_copy_values(template, now)
            vals.update(
                product_uom_qty=uom._compute_quantity(qty, template.product_uom),
                move_orig_ids=[Command.set(into.ids)],
            )
            # As stock.rule._run_push does: the move is the warehouse's step, made for a user
            # who may have no stock rights; only this copy runs as superuser.
            new_moves |= template.sudo().copy(vals).with_env(self.env)
        new_moves._action_confirm()
        new_moves._action_assign()
        return new_moves

    def _get_cancel_purchase_orders(self):
        """Purchase orders whose buyers hear of the cancellation (sale_purchase and sale_stock
        schedule those activities natively); none without sale_purchase installed."""
        if not hasattr(self, "_get_purchase_orders"):
            return ()
        # A salesman may not read purchase lines (odoo/odoo#121079): sudo only to find them.
        purchases = self.sudo()._get_purchase_orders().filtered(lambda p: p.state != "cancel")
        return purchases.with_env(self.env)

    # ------------------------------------------------------------------
    # Returns
    # ------------------------------------------------------------------
    def _create_cancel_returns(self, returnable=None):
        """The returns of a cancellation: of `returnable` (the cancel plan's ``{done picking:
        {move: quantity}}``), or of what the customer holds now when not given."""
        self.ensure_one()
        if returnable is None:
            returnable = self._get_returnable_quantities()
        return self._create_returns(returnable)

    def _create_returns(self, returnable):
        """The returns of `returnable` (``{done picking: {move: quantity}}``), chained as the
        multi-step delivery needs."""
        self.ensure_one()
        returns = self.env["stock.picking"]
        for picking, quantities in returnable.items():
            returns |= self._create_return(picking, quantities)
        # The return wizard chains a return of a step to the returns of the next step, customer
        # returns included; those come back to stock, not to where the step return starts, and
        # would make it reserve goods in stock.
        for move in returns.move_ids:
            elsewhere = move.move_orig_ids.filtered(
                lambda m, move=move: not m.location_dest_id._child_of(move.location_id)
            )
            if elsewhere:
                move.move_orig_ids = [Command.unlink(m.id) for m in elsewhere]
        return returns

    def _create_return(self, picking, quantities):
        # picking_id set directly, not through active_id: no new environment per picking.
        wizard = self.env["stock.return.picking"].create({"picking_id": picking.id})
        for line in wizard.product_return_moves:
            line.write(self._prepare_return_line_vals(line, quantities.get(line.move_id, 0.0)))
        return wizard._create_return()

    def _prepare_return_line_vals(self, line, quantity):
        # to_refund makes qty_delivered drop once the return is received.
        return {"quantity": quantity, "to_refund": True}

    def _receive_returns(self, returns):
        """Receive returns in full, in waves: a return waits for the returns that bring its
        goods (the pick's return for the pack's), and reserves them, lots and serial numbers
        included, once those are received. Returns that wait for nothing go together."""
        pending = returns.filtered(lambda p: p.state not in ("done", "cancel"))
        while pending:
            wave = pending.filtered(
                lambda p, pending=pending: not (p.move_ids.move_orig_ids & pending.move_ids)
            )
            wave = wave or pending  # a cycle cannot be ordered: receive the rest at once
            wave.action_assign()
            for move in wave.move_ids.filtered(lambda m: m.state not in ("done", "cancel")):
                if move.has_tracking == "none":
                    # Untracked goods are received even where the reservation falls short.
                    move.quantity = move.product_uom_qty
                move.picked = True
            # Tracked goods not found where the return starts stay in a backorder.
            wave.with_context(skip_backorder=True, skip_sms=True).button_validate()
            pending -= wave


def _returned_quantity(move):
    """What done returns took back of `move`, in the product's unit, whatever their
    "update quantities on SO" (`to_refund`): the goods are back either way."""
    returns = move.returned_move_ids.filtered(lambda m: m.state == "done")
    uom = move.product_id.uom_id
    return sum(m.product_uom._compute_quantity(m.quantity, uom) for m in returns)


def _is_delivery_step(move):
    """A done step of a multi-step delivery (pick, pack): from one warehouse location to
    another, on the way to a customer."""
    return bool(
        not move.origin_returned_move_id
        and move.location_id.usage == "internal"
        and move.location_dest_id.usage == "internal"
        and move.location_final_id
        and move.location_final_id._is_outgoing()
    )


def _locations_nearest_customer_first(steps):
    """The locations that `steps` lead to, the last one before the customer first."""
    sources = defaultdict(set)
    for move in steps:
        sources[move.location_dest_id].add(move.location_id)
    depth = {}

    def _depth(location, seen):
        if location not in sources or location in seen:
            return 0
        if location not in depth:
            depth[location] = 1 + max(_depth(src, seen | {location}) for src in sources[location])
        return depth[location]

    return sorted(sources, key=lambda location: (-_depth(location, frozenset()), location.id))
