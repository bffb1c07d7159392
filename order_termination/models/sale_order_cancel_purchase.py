"""Purchases on a plain cancel: the cancel plan of order_revoke_cancel extended with the purchase
effects of `sale.termination.purchase.effect`, the one engine for cancellations and
terminations.

With the company's `cancel_purchase_effect = 'apply'` (and always while a termination executes)
the plan gets a ``purchase_effects`` key, `_plan_for_order`'s items; the preview renders them
(`cancel_purchase`, `reduce_purchase`, `notify_purchase`) and the cancellation applies them:
shares are removed while the order's deliveries are still open, whole purchases are cancelled
and buyers notified after. A cancellation of lines (`cancel_lines`) does the same for the
quantities it cancels (`_plan_for_lines`, applied around Odoo's procurement in
`_replan_line_cancel`). With `notify` purchases are left as Odoo leaves them (its own
activities, previewed by order_revoke_cancel as `notify_purchase`).
"""

from odoo import Command, fields, models

from odoo.addons.order_revoke_cancel.tools.call_scope import call_scope, get_call_scope

from .sale_termination_purchase_effect import RECEIVE_RETURNS_SCOPE

# Name of the call scope in which a termination hands its request to the cancellation it
# executes (``{order id: request}``; an empty request while it is only previewed).
TERMINATION_PURCHASE_SCOPE = "order_termination_purchase_effects"
# Name of the call scope open while procurement follows a cancellation of lines whose purchase
# effects this addon applies (the order's id): the buy rules then take nothing off purchases
# (`_run_buy`).
LINE_CANCEL_NO_BUY_SCOPE = "order_termination_line_cancel_no_buy"


class SaleOrderCancellationPurchase(models.Model):
    _inherit = "sale.order.cancellation"

    purchase_effect_ids = fields.One2many(
        "sale.termination.purchase.effect",
        "cancellation_id",
        string="Purchase Effects",
        readonly=True,
        copy=False,
    )


class SaleOrderCancelPurchase(models.Model):
    _inherit = "sale.order"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------
    # Plan
    # ------------------------------------------------------------------
    def _get_terminating_request(self):
        """The termination request executing this order's cancellation now, if any (an empty
        request while a termination is only previewed); None outside a termination."""
        self.ensure_one()
        return get_call_scope(self.env, TERMINATION_PURCHASE_SCOPE, {}).get(self.id)

    def _applies_purchase_effects(self):
        """Whether cancelling this order changes the purchases made for it (a pure predicate):
        a termination always does, a cancellation as its company says."""
        self.ensure_one()
        if self._get_terminating_request() is not None:
            return True
        return self.company_id.cancel_purchase_effect == "apply"

    def _prepare_cancel_plan(self, fee=0.0, reason=None):
        """Extend the cancel plan with ``'purchase_effects'``: what the cancellation does to
        each purchase made for the order (`sale.termination.purchase.effect._plan_for_order`
        items; empty when the company leaves purchases to their buyers). Purchases it plans
        for are no longer among the ``'purchases'`` only notified."""
        plan = super()._prepare_cancel_plan(fee=fee, reason=reason)
        plan["purchase_effects"] = []
        if not self._applies_purchase_effects():
            return plan
        # A salesman may not read purchase lines (odoo/odoo#121079): the purchases made for
        # this order are planned as superuser. Planning only reads; what it plans is applied
        # only by the cancellation its caller is allowed to make (`_apply_purchase_effects`).
        effects = (
            self.env["sale.termination.purchase.effect"]
            .sudo()
            ._plan_for_order(self.sudo(), returns=plan["returns"])
        )
        plan["purchase_effects"] = effects
        planned = self.env["purchase.order"].union(*(item["purchase"] for item in effects))
        plan["purchases"] = plan["purchases"].filtered(lambda p: p.id not in planned.ids)
        return plan

    def _prepare_line_cancel_plan(self, quantities, fee=0.0, reason=None):
        """Extend the plan of a cancellation of lines with ``'purchase_effects'``, as
        `_prepare_cancel_plan` does for the order: what cancelling `quantities` does to the
        purchases bought for those lines (`sale.termination.purchase.effect._plan_for_lines`
        items; empty when the company leaves purchases to their buyers)."""
        plan = super()._prepare_line_cancel_plan(quantities, fee=fee, reason=reason)
        plan["purchase_effects"] = []
        if not self._applies_purchase_effects():
            return plan
        # As superuser, as `_prepare_cancel_plan` plans: a salesman may not read purchase
        # lines (odoo/odoo#121079); planning only reads.
        plan["purchase_effects"] = (
            self.env["sale.termination.purchase.effect"]
            .sudo()
            ._plan_for_lines(self.sudo(), {line.sudo(): qty for line, qty in quantities.items()})
        )
        return plan

    def get_cancel_impact(
        self, receive_returns=False, refund_payments=False, fee=None, reason=None
    ):
        """Planned with the returns received at once or not, as `_action_cancel` plans it (see
        `get_line_cancel_impact`)."""
        with call_scope(self.env, RECEIVE_RETURNS_SCOPE, bool(receive_returns)):
            return super().get_cancel_impact(
                receive_returns=receive_returns,
                refund_payments=refund_payments,
                fee=fee,
                reason=reason,
            )

    def _action_cancel(self):
        options = self._get_cancel_options()
        with call_scope(self.env, RECEIVE_RETURNS_SCOPE, bool(options.receive_returns)):
            return super()._action_cancel()

    def get_line_cancel_impact(
        self, quantities, receive_returns=False, refund_payments=False, fee=None, reason=None
    ):
        """Planned with the returns received at once or not, as `_cancel_lines` plans it: what
        goes back to a vendor is taken off its purchase only once it is no longer received
        (`sale.termination.purchase.effect._get_removable_qty`)."""
        with call_scope(self.env, RECEIVE_RETURNS_SCOPE, bool(receive_returns)):
            return super().get_line_cancel_impact(
                quantities,
                receive_returns=receive_returns,
                refund_payments=refund_payments,
                fee=fee,
                reason=reason,
            )

    def _cancel_lines(self, quantities, reason, note, receive_returns, refund_payments, fee=None):
        with call_scope(self.env, RECEIVE_RETURNS_SCOPE, bool(receive_returns)):
            return super()._cancel_lines(
                quantities, reason, note, receive_returns, refund_payments, fee
            )

    def _get_cancel_plan_impact(self, plan, refund_payments=False, reason=None):
        impact = super()._get_cancel_plan_impact(
            plan, refund_payments=refund_payments, reason=reason
        )
        for item in plan.get("purchase_effects", []):
            impact += self._get_purchase_effect_impact(item)
        return impact

    def _get_purchase_effect_impact(self, item):
        """Preview lines of one purchase effect item: one per purchase line cancelled (its
        quantity) or reduced (the share removed), one per purchase whose buyer is notified.
        Every line names the purchase order (`model`, `res_id`), so that it can be opened."""
        purchase = item["purchase"]
        if item["action"] == "notify":
            return [self._impact_line("notify_purchase", purchase)]
        if item["action"] == "cancel":
            action = "cancel_purchase"
            quantities = [
                (line, line.product_qty) for line in purchase.order_line if not line.display_type
            ]
        else:
            action = "reduce_purchase"
            quantities = item["lines"]
        lines = []
        for line, quantity in quantities:
            impact = self._impact_line(action, purchase, quantity)
            impact["name"] = self.env._(
                "%(purchase)s: %(product)s",
                purchase=purchase.name,
                product=line.product_id.display_name or line.name,
            )
            lines.append(impact)
        return lines

    # ------------------------------------------------------------------
    # Apply
    # ------------------------------------------------------------------
    def _apply_cancel_plan_before_cancel(self, options, plans):
        """Remove this order's shares of the purchases while its deliveries are still open:
        purchase_stock lowers a confirmed receipt only while the removed quantity's
        destination moves are open. The effects are kept in the plan until the ledger is
        written (`_reverse_documents`)."""
        res = super()._apply_cancel_plan_before_cancel(options, plans)
        for order in self:
            plan = plans[order.id]
            items = [
                i
                for i in plan.get("purchase_effects", [])
                if i["action"] == "reduce" and not i.get("after_returns")
            ]
            plan["purchase_effects_done"] = order._apply_purchase_effects(items)
        return res

    def _reverse_documents(self, options, plans=None):
        """Cancel the purchases that served only the order and notify the buyers of the others,
        after core cancelled the deliveries (so that cancelling a purchase does not turn the
        order's deliveries into make-to-stock moves first); every purchase effect goes on the
        cancellation's ledger."""
        plans = plans or {order.id: order._prepare_cancel_plan() for order in self}
        documents = super()._reverse_documents(options, plans)
        for order in self:
            plan = plans[order.id]
            planned = plan.get("purchase_effects", [])
            # Dropshipped goods back at the vendor are taken off once their returns are done.
            later = [i for i in planned if i["action"] == "reduce" and i.get("after_returns")]
            items = [i for i in planned if i["action"] != "reduce"]
            effects = plan.get("purchase_effects_done") or order._no_purchase_effect()
            effects |= order._apply_purchase_effects(later)
            effects |= order._apply_purchase_effects(items)
            documents[order.id]["purchase_effect_ids"] = [Command.set(effects.ids)]
        return documents

    def _replan_line_cancel(self, cancellation, plan):
        """Apply the purchase effects of a cancellation of lines around Odoo's procurement, and
        put them on its ledger.

        Odoo's procurement lowers the sale line's open moves by the cancelled quantity with a
        negative procurement that goes on to the buy rule: there it lowers whatever request
        for quotation of the vendor it finds for the product, which may buy for another order,
        and leaves a confirmed purchase and its receipt as they are. The effects do it instead,
        once: the buy rules buy nothing while procurement follows this cancellation
        (`stock.rule._run_buy`). Reductions come first, while the receipt's destination moves
        still expect the quantities (purchase_stock then lowers the receipt too); purchases are
        cancelled and buyers notified after the moves are lowered, so that cancelling a
        purchase does not turn them into make-to-stock moves first."""
        if not self._applies_purchase_effects():
            return super()._replan_line_cancel(cancellation, plan)
        items = plan.get("purchase_effects", [])
        # As superuser for these moves only: a salesman may not write stock moves; restoring
        # how they are supplied is part of the reduction the cancellation makes.
        waiting = self.sudo().order_line.move_ids.filtered(
            lambda m: m.state not in ("done", "cancel") and m.procure_method == "make_to_order"
        )
        effects = self._apply_purchase_effects([i for i in items if i["action"] == "reduce"])
        # A reduction down to what was received cancels the receipt's open backorder, and stock
        # then turns the moves waiting for it into make-to-stock moves (`_action_cancel`): the
        # negative demand of procurement, made to order, would no longer merge into them and
        # would become a return from the customer. They still wait for what was received.
        waiting.filtered(
            lambda m: m.state not in ("done", "cancel") and m.procure_method == "make_to_stock"
        ).procure_method = "make_to_order"
        with call_scope(self.env, LINE_CANCEL_NO_BUY_SCOPE, self.id):
            result = super()._replan_line_cancel(cancellation, plan)
        effects |= self._apply_purchase_effects([i for i in items if i["action"] != "reduce"])
        if effects:
            # The ledger is the engine's record, written as superuser (as `_cancel_lines` does).
            cancellation.sudo().purchase_effect_ids = [Command.set(effects.ids)]
        return result

    def _no_purchase_effect(self):
        return self.env["sale.termination.purchase.effect"]

    def _apply_purchase_effects(self, items):
        """Apply purchase effect `items` of this order's plan; return the effects recorded."""
        self.ensure_one()
        if not items:
            return self._no_purchase_effect()
        request = self._get_terminating_request()
        # Salesmen may neither read nor change purchase documents (odoo/odoo#121079). Changing
        # the purchases the plan found for this order, and only those, is the defined
        # consequence of the cancellation its caller was allowed to make: as superuser.
        effects = (
            self.env["sale.termination.purchase.effect"]
            .sudo()
            ._apply_plan(self.sudo(), items, request=request.sudo() if request else None)
        )
        return effects.with_env(self.env)
