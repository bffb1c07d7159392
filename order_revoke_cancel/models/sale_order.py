from collections import defaultdict

from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import float_compare, format_datetime

from .call_scope import call_scope, check_state_write, get_call_scope, state_write_scope
from .tools import (
    check_bool,
    check_number,
    check_text,
    lock_for_update,
    picking_demand,
    reconcile_receivables,
    reconcile_receivables_each,
    resolve_record,
)

# Name of the call scope in which cancel_with_reversal hands its options to _action_cancel.
CANCEL_OPTIONS_SCOPE = "order_cancel_options"


class SaleOrder(models.Model):
    _inherit = "sale.order"

    cancel_reason_id = fields.Many2one(
        "sale.order.cancel.reason",
        "Cancellation Reason",
        readonly=True,
        copy=False,
        tracking=True,
        check_company=True,
    )
    cancel_note = fields.Text(readonly=True, copy=False, groups="base.group_user")
    cancel_date = fields.Datetime("Cancelled On", readonly=True, copy=False, tracking=True)
    cancel_user_id = fields.Many2one(
        "res.users", "Cancelled By", readonly=True, copy=False, tracking=True
    )
    cancellation_ids = fields.One2many("sale.order.cancellation", "order_id", readonly=True)
    cancellation_count = fields.Integer(compute="_compute_cancellation_count")
    can_revoke_cancel = fields.Boolean(
        compute="_compute_can_revoke_cancel",
        help="Whether `revoke_cancel` works for the current user (the Revoke button).",
    )
    revoke_cancel_refusal = fields.Text(
        compute="_compute_can_revoke_cancel",
        help="Why `revoke_cancel` refuses this cancelled order, for users who may revoke.",
    )
    can_set_to_quotation = fields.Boolean(
        compute="_compute_can_set_to_quotation",
        help="Whether `action_draft` works (the Set to Quotation button of cancelled orders).",
    )
    can_cancel_order = fields.Boolean(
        compute="_compute_can_cancel_order",
        help="Whether the current user may cancel the order as it is now (the Cancel button).",
    )
    cancel_banner = fields.Char(compute="_compute_cancel_banner")

    # ------------------------------------------------------------------
    # State fields: written by the engine's methods only
    # ------------------------------------------------------------------
    @api.model
    def _get_state_field_methods(self):
        """The fields that record what the contract's methods did, each with the methods
        that change it: no `write` or `create` may set them, whoever calls (managers,
        administrators, modules running as superuser), unless that method opened a
        `state_write_scope` on the order (see call_scope.py). Extend it for new state
        fields."""
        cancel = ("cancel_with_reversal", "revoke_cancel")
        return {
            "cancel_reason_id": cancel,
            "cancel_note": cancel,
            "cancel_date": cancel,
            "cancel_user_id": cancel,
            "cancellation_ids": cancel,
        }

    @api.model_create_multi
    def create(self, vals_list):
        methods = self._get_state_field_methods()
        check_state_write(self.browse(), {name for vals in vals_list for name in vals}, methods)
        orders = super().create(vals_list)
        # And on the created orders, so that defaults (context, ir.default) count too.
        check_state_write(orders, [name for name in methods if any(orders.mapped(name))], methods)
        return orders

    def write(self, vals):
        check_state_write(self, vals, self._get_state_field_methods())
        return super().write(vals)

    @api.depends("cancellation_ids")
    def _compute_cancellation_count(self):
        for order in self:
            order.cancellation_count = len(order.cancellation_ids)

    @api.depends(
        "state",
        "company_id.revoke_cancel_days",
        "cancellation_ids.state",
        "cancellation_ids.date",
        "cancellation_ids.credit_note_ids.state",
        "cancellation_ids.fee_invoice_id.state",
        "cancellation_ids.cancelled_invoice_ids.state",
    )
    @api.depends_context("uid")
    def _compute_can_revoke_cancel(self):
        """The checks of `revoke_cancel` itself (`_get_revoke_cancel_error`): the button is
        shown exactly where the revoke works, and otherwise the banner says why not."""
        for order in self:
            error = order._get_revoke_cancel_error()
            order.can_revoke_cancel = not error
            # Rights aside: users who may not revoke are not told what else stands in the way.
            order.revoke_cancel_refusal = (
                order.state == "cancel"
                and isinstance(error, UserError)
                and not isinstance(error, AccessError)
                and error.args[0]
            )

    @api.depends("state", "cancellation_ids.state")
    def _compute_can_set_to_quotation(self):
        for order in self:
            order.can_set_to_quotation = (
                order.state == "cancel" and not order._get_action_draft_error()
            )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_cancellation_record(self):
        """The cancellation record explains the returns and credit notes it made: deleting
        its order would delete it too and leave those documents unexplained."""
        for order in self.sudo().filtered("cancellation_ids"):
            raise UserError(
                self.env._(
                    "%s cannot be deleted: its cancellation record explains its returns and "
                    "credit notes, so keep the order cancelled instead.",
                    order.name,
                )
            )

    @api.depends("state", "locked", "picking_ids.state", "invoice_ids.state")
    @api.depends_context("uid")
    def _compute_can_cancel_order(self):
        """The checks of `cancel_with_reversal` without options (`_get_cancel_error`): locked
        orders need a sales manager, reversal documents need `group_cancel_reversal`."""
        for order in self:
            order.can_cancel_order = order.state in ("draft", "sent", "sale") and not (
                order._get_cancel_error()
            )

    def _get_cancel_error(self, receive_returns=False, refund_payments=False):
        """The error cancelling this order with these options raises for the current user, or
        False where it works; the reason and the fee are the caller's choice and checked with
        them. A pure predicate: the one check behind `cancel_with_reversal`, the Cancel button
        and the mass cancel preview. Modules that refuse more extend it."""
        self.ensure_one()
        return self._get_cancel_state_error() or self._get_reversal_rights_error(
            receive_returns, refund_payments
        )

    def _get_cancel_state_error(self):
        """Already cancelled, or locked for a user who is not a sales manager (pure)."""
        self.ensure_one()
        if self.state == "cancel":
            return UserError(
                self.env._(
                    "%s is already cancelled. Revoke its cancellation first if you need "
                    "to cancel it again.",
                    self.name,
                )
            )
        if self.locked and not (
            self.env.su or self.env.user.has_group("sales_team.group_sale_manager")
        ):
            return UserError(
                self.env._(
                    "%s is locked: cancelling a locked order needs the Sales Administrator "
                    "right, so ask a sales manager to cancel or unlock it.",
                    self.name,
                )
            )
        return False

    def _get_reversal_rights_error(self, receive_returns=False, refund_payments=False):
        """Returns, credit notes and refunds need `group_cancel_reversal` (pure)."""
        self.ensure_one()
        if self.env.su or self.env.user.has_group("order_revoke_cancel.group_cancel_reversal"):
            return False
        if receive_returns or refund_payments or self._needs_reversal():
            return AccessError(
                self.env._(
                    "Cancelling %s creates returns, credit notes or refunds, which needs the "
                    "right to cancel orders with reversal: ask your sales manager.",
                    self.name,
                )
            )
        return False

    @api.depends("state", "cancel_date", "cancel_user_id", "cancel_reason_id")
    @api.depends_context("lang", "tz")
    def _compute_cancel_banner(self):
        for order in self:
            order.cancel_banner = order.state == "cancel" and self.env._(
                "Cancelled on %(date)s by %(user)s for this reason: %(reason)s.",
                date=format_datetime(self.env, order.cancel_date) or "-",
                user=order.cancel_user_id.name or "-",
                reason=order.cancel_reason_id.name or "-",
            )

    # ------------------------------------------------------------------
    # Cancel
    # ------------------------------------------------------------------
    def get_cancel_impact(
        self, receive_returns=False, refund_payments=False, fee=None, reason=None
    ):
        """Every document `cancel_with_reversal` with the same options would create or cancel;
        changes nothing. The fee follows `cancel_with_reversal`'s rules: `None` applies the fee
        of `reason` (none without a reason), a number sets it; the preview checks the number as
        the cancellation would, but not the right to change it, since it changes nothing."""
        fee = check_number(self, fee, "fee")
        reason = resolve_record(self, "sale.order.cancel.reason", reason, "reason", required=False)
        impact = []
        for order in self.filtered(lambda o: o.state != "cancel"):
            order._check_cancel_fee_value(fee)
            impact += order._get_cancel_impact_one(
                receive_returns=bool(receive_returns),
                refund_payments=bool(refund_payments),
                fee=order._get_cancel_fee_amount(reason, fee),
                reason=reason,
            )
        return impact

    def _get_cancel_impact_one(
        self, receive_returns=False, refund_payments=False, fee=0.0, reason=None
    ):
        self.ensure_one()
        impact = []
        fee_total = 0.0
        if fee:
            fee_total = self._get_fee_invoice_total(self._prepare_fee_invoice_vals(reason, fee))
            impact.append(
                self._impact_line("fee_invoice", reason._get_fee_product(), False, fee_total)
            )
        for picking in self._get_pickings_to_cancel():
            impact.append(self._impact_line("cancel_picking", picking, picking_demand(picking)))
        for picking, quantities in self._get_returnable_quantities().items():
            impact.append(self._impact_line("return_picking", picking, sum(quantities.values())))
        for invoice in self._get_invoices_to_cancel():
            impact.append(self._impact_line("cancel_invoice", invoice, False, invoice.amount_total))
        impact += self._get_credit_impact(refund_payments, keep=fee_total)
        for purchase in self._get_cancel_purchase_orders():
            impact.append(self._impact_line("notify_purchase", purchase, False, False))
        return impact

    def _impact_line(self, action, record, quantity=False, amount=False):
        return {
            "action": action,
            "model": record._name,
            "res_id": record.id,
            "name": record.display_name,
            "quantity": quantity,
            "amount": amount,
        }

    def action_cancel(self):
        """Extend `sale.action_cancel`: a sales manager may cancel a locked order through the
        wizard, whose cancellation unlocks it and records that, so revoke locks it again."""
        if not (
            len(self) == 1
            and self.locked
            and self._show_cancel_wizard()
            and self.env.user.has_group("sales_team.group_sale_manager")
        ):
            return self._with_cancel_wizard_title(super().action_cancel())
        # Core refuses locked orders before building its wizard action. Show it the order
        # unlocked in the cache only (after writing any pending change, which the cache value
        # must not replace): nothing is written, the cancellation itself unlocks the order.
        self.flush_recordset(["locked"])
        self.env.cache.set(self, self._fields["locked"], False)
        try:
            return self._with_cancel_wizard_title(super().action_cancel())
        finally:
            self.invalidate_recordset(["locked"])

    def _with_cancel_wizard_title(self, action):
        """Core titles its wizard "Cancel %s" with `type_name`, whose words core's translation
        files do not offer to code ("取消Sales Order" in Chinese): one sentence per kind."""
        if isinstance(action, dict) and action.get("res_model") == "sale.order.cancel":
            if self[:1].state in ("draft", "sent"):
                action["name"] = self.env._("Cancel Quotation")
            else:
                action["name"] = self.env._("Cancel Sales Order")
        return action

    @api.returns("sale.order.cancellation")
    def cancel_with_reversal(
        self, reason, note=None, receive_returns=False, refund_payments=False, fee=None
    ):
        """Cancel and reverse what the orders caused; the public entry point of the engine."""
        reason = self._get_cancel_reason(reason)
        note = check_text(self, note, "note")
        receive_returns = check_bool(self, receive_returns, "receive_returns")
        refund_payments = check_bool(self, refund_payments, "refund_payments")
        fee = check_number(self, fee, "fee")
        return self._cancel_with_reversal(reason, note, receive_returns, refund_payments, fee)

    def _cancel_with_reversal(self, reason, note, receive_returns, refund_payments, fee=None):
        """The engine behind `cancel_with_reversal`, once its arguments are checked. Other
        modules call it with a reason they chose themselves (a termination records its own,
        possibly archived, "Order terminated" reason, and bills that reason's fee with the
        default `fee=None`); rights and locks are still checked here and in `_action_cancel`."""
        self._check_cancel_with_reversal(reason, note)
        fees, reason_fees = self._check_cancel_fee(reason, fee)
        # Checked first, locked after: a refused call never holds the lock (see lock_for_update
        # why what was checked before the lock cannot be stale).
        lock_for_update(self)
        options = {
            "reason_id": reason.id,
            "note": note or False,
            "receive_returns": bool(receive_returns),
            "refund_payments": bool(refund_payments),
            "fee_amounts": fees,
            "reason_fee_amounts": reason_fees,
        }
        locked = self.filtered("locked")
        if locked:
            # Managers may cancel a locked order: unlocking is part of the cancellation and
            # recorded in its snapshot, so revoke locks it again.
            options["unlocked_order_ids"] = locked.ids
            locked.write({"locked": False})
        # Not through the context: RPC clients set any context key, and these options decide
        # what is reversed and which rights it needs (see call_scope.py).
        with call_scope(self.env, CANCEL_OPTIONS_SCOPE, dict.fromkeys(self.ids, options)):
            self._action_cancel()
        return self.mapped(lambda order: order._get_last_cancellation())

    def _get_cancel_reason(self, reason):
        """The reason as given over RPC (record or id): existing, active, of the orders'
        company or shared."""
        return resolve_record(self, "sale.order.cancel.reason", reason, "reason")

    def _check_cancel_with_reversal(self, reason, note):
        for order in self:
            error = order._get_cancel_state_error()
            if error:
                raise error
            if reason.note_required and not (note or "").strip():
                raise UserError(
                    self.env._(
                        "The reason “%(reason)s” needs a note: explain why %(order)s is cancelled.",
                        reason=reason.name,
                        order=order.name,
                    )
                )

    # ------------------------------------------------------------------
    # Cancellation fee
    # ------------------------------------------------------------------
    def _get_cancel_fee_amount(self, reason, fee=None):
        """What cancelling this order for `reason` bills as a fee, taxes included, in the
        order's currency: `fee` when given (0 waives it), else the reason's (a percentage of
        the order total, or a fixed amount, never more than the total). Quotations never carry
        a fee: nothing was agreed yet."""
        self.ensure_one()
        if self.state != "sale":
            return 0.0
        if fee is None:
            if not reason or reason.fee_type == "none":
                return 0.0
            if reason.fee_type == "percent":
                fee = self.amount_total * reason.fee_value / 100.0
            else:
                fee = min(reason.fee_value, self.amount_total)
        return self.currency_id.round(max(fee, 0.0))

    def _check_cancel_fee_value(self, fee):
        """A fee given by the caller is at most the order total (its sign and type were
        checked by `check_number`)."""
        self.ensure_one()
        if (
            fee is not None
            and self.state == "sale"
            and self.currency_id.compare_amounts(fee, self.amount_total) > 0
        ):
            raise UserError(
                self.env._(
                    "The cancellation fee of %(order)s cannot be more than its total of "
                    "%(total)s: enter a smaller fee, or 0 to waive it.",
                    order=self.name,
                    total=self.currency_id.format(self.amount_total),
                )
            )

    def _check_cancel_fee(self, reason, fee):
        """({order id: fee}, {order id: the reason's fee}) for `_cancel_with_reversal`,
        checked: waiving or changing the reason's fee needs `group_cancel_reversal`."""
        reverser = self.env.su or self.env.user.has_group(
            "order_revoke_cancel.group_cancel_reversal"
        )
        fees, reason_fees = {}, {}
        for order in self:
            order._check_cancel_fee_value(fee)
            amount = order._get_cancel_fee_amount(reason, fee)
            reason_fees[order.id] = order._get_cancel_fee_amount(reason)
            if not reverser and order.currency_id.compare_amounts(amount, reason_fees[order.id]):
                raise AccessError(
                    self.env._(
                        "Only users allowed to cancel with reversal may waive or change the "
                        "cancellation fee of %s. Cancel it with the reason's fee, or ask your "
                        "sales manager.",
                        order.name,
                    )
                )
            fees[order.id] = amount
        return fees, reason_fees

    def _prepare_fee_invoice_vals(self, reason, amount):
        """Values of the customer invoice billing the cancellation fee of this order: one line
        of the reason's fee product, priced so that the invoice total, taxes of the product
        (mapped by the order's fiscal position) included, is `amount`."""
        self.ensure_one()
        product = reason._get_fee_product()
        fiscal_position = self.fiscal_position_id
        taxes = fiscal_position.map_tax(product.taxes_id._filter_taxes_by_company(self.company_id))
        return {
            "move_type": "out_invoice",
            "partner_id": self.partner_invoice_id.id,
            "partner_shipping_id": self.partner_shipping_id.id,
            "currency_id": self.currency_id.id,
            "company_id": self.company_id.id,
            "fiscal_position_id": fiscal_position.id,
            "invoice_origin": self.name,
            "invoice_user_id": self.user_id.id,
            "team_id": self.team_id.id,
            "ref": self.env._("Cancellation fee of %s", self.name),
            "invoice_line_ids": [
                Command.create(
                    {
                        "product_id": product.id,
                        "name": self.env._(
                            "%(product)s: cancellation of %(order)s",
                            product=product.display_name,
                            order=self.name,
                        ),
                        "quantity": 1.0,
                        "price_unit": self._get_fee_price_unit(amount, taxes, product),
                        "tax_ids": [Command.set(taxes.ids)],
                    }
                )
            ],
        }

    def _get_fee_price_unit(self, amount, taxes, product):
        """The unit price whose total with `taxes` is `amount`: the base of `amount` taken as
        tax included, plus the taxes that are included in the price anyway."""
        if not taxes:
            return amount
        details = taxes._get_tax_details(
            amount,
            1.0,
            precision_rounding=self.currency_id.rounding,
            product=product,
            special_mode="total_included",
        )
        included = sum(
            data["tax_amount"] for data in details["taxes_data"] if data["tax"].price_include
        )
        return self.currency_id.round(details["total_excluded"] + included)

    def _get_fee_invoice_total(self, vals):
        """Total of the fee invoice made of `vals` (see `_prepare_fee_invoice_vals`), as
        posting computes it: what the preview shows."""
        self.ensure_one()
        total = 0.0
        for command in vals["invoice_line_ids"]:
            line = command[2]
            taxes = self.env["account.tax"].browse(line["tax_ids"][0][2])
            total += taxes.compute_all(
                line["price_unit"],
                self.currency_id,
                line["quantity"],
                product=self.env["product.product"].browse(line["product_id"]),
                partner=self.partner_invoice_id,
            )["total_included"]
        return self.currency_id.round(total)

    def _create_fee_invoices(self, reason, fees):
        """{order id: posted fee invoice} for the orders of `fees` ({order id: amount}),
        created and posted together."""
        orders = self.filtered(lambda o: fees.get(o.id))
        if not orders:
            return {}
        # As superuser for this step only: a salesman may cancel with the reason's fee but may
        # not write invoices; what the invoice bills was decided by the reason or by a user
        # whose right to change it `_check_cancel_fee` checked.
        invoices = (
            self.env["account.move"]
            .sudo()
            .create([order._prepare_fee_invoice_vals(reason, fees[order.id]) for order in orders])
        )
        invoices.action_post()
        return dict(zip(orders.ids, invoices.with_env(self.env), strict=True))

    def _get_fee_policy(self, fee, reason_fee):
        """How the fee billed relates to the reason's: the ledger records a waived or
        changed fee, since that needed the reversal right."""
        self.ensure_one()
        if not self.currency_id.compare_amounts(fee, reason_fee):
            return "reason"
        return "changed" if fee else "waived"

    def _settle_fee_invoices(self, fee_invoices, credit_notes):
        """What the customer paid for an order pays its fee first: the credit its
        cancellation's credit notes kept (see `_credit_invoices`) settles its fee invoice, and
        only what it does not cover stays due. `fee_invoices` and `credit_notes` are
        {order id: moves}; the orders are settled in one reconciliation pass."""
        reconcile_receivables_each(
            fee_invoices[order.id] | credit_notes[order.id]
            for order in self
            if order.id in fee_invoices and credit_notes[order.id]
        )

    def _action_cancel(self):
        """Extend `sale._action_cancel`: reverse deliveries, invoices and payments of confirmed
        orders and keep a ledger of it, whichever path cancelled them."""
        lock_for_update(self)
        orders = self.filtered(lambda o: o.state != "cancel")
        options = orders._get_cancel_options()
        orders._check_reversal_rights(options)
        orders._split_shared_draft_invoices()
        ledger_vals = orders._prepare_cancellation_vals(options)
        res = super()._action_cancel()
        # Returns are created after super(): sale_stock cancels every open picking of the order.
        for order_id, documents in orders._reverse_documents(options).items():
            ledger_vals[order_id].update(documents)
        # The ledger is the engine's record: users only read it, so it is written as superuser.
        cancellations = (
            self.env["sale.order.cancellation"]
            .sudo()
            .create(list(ledger_vals.values()))
            .with_env(self.env)
        )
        for cancellation in cancellations:
            cancellation.order_id._notify_cancellation_change(cancellation)
        with state_write_scope(orders):
            orders.write(
                {
                    "cancel_reason_id": options.get("reason_id", False),
                    "cancel_note": options.get("note", False),
                    "cancel_date": fields.Datetime.now(),
                    "cancel_user_id": self.env.user.id,
                }
            )
        return res

    def _get_cancel_options(self):
        """The options cancel_with_reversal opened for these orders; none on other paths
        (native button, mass cancel of other modules, crons)."""
        scope = get_call_scope(self.env, CANCEL_OPTIONS_SCOPE, {})
        return next((scope[order.id] for order in self if order.id in scope), {})

    def _needs_reversal(self):
        """Whether cancelling would create returns, credit notes or refunds (a pure predicate)."""
        self.ensure_one()
        return bool(
            self.state == "sale"
            and (self._get_returnable_quantities() or self._get_invoices_to_credit())
        )

    def _check_reversal_rights(self, options):
        for order in self:
            error = order._get_reversal_rights_error(
                options.get("receive_returns"), options.get("refund_payments")
            )
            if error:
                raise error

    def _prepare_cancellation_vals(self, options):
        """Snapshot, before anything changes, of what revoke must restore (per order id)."""
        result = {}
        for order in self:
            result[order.id] = {
                "order_id": order.id,
                "reason_id": options.get("reason_id", False),
                "note": options.get("note", False),
                "receive_returns": options.get("receive_returns", False),
                "refund_payments": options.get("refund_payments", False),
                "user_id": self.env.user.id,
                "date": fields.Datetime.now(),
                "amount_total": order.amount_total,
                "previous_state": order.state,
                "previous_locked": order.locked
                or order.id in options.get("unlocked_order_ids", []),
                "previous_date_order": order.date_order,
                "previous_signature": order.signature,
                "previous_signed_by": order.signed_by,
                "previous_signed_on": order.signed_on,
                "previous_receivable": order._get_open_receivable(),
                "cancelled_picking_ids": [Command.set(order._get_pickings_to_cancel().ids)],
                "cancelled_invoice_ids": [Command.set(order._get_invoices_to_cancel().ids)],
                "line_ids": [
                    Command.create(
                        {
                            "sale_line_id": line.id,
                            "qty_delivered": line.qty_delivered,
                            "qty_invoiced": line.qty_invoiced,
                        }
                    )
                    for line in order.order_line.filtered(lambda sol: not sol.display_type)
                ],
            }
        return result

    def _get_pickings_to_cancel(self):
        return self.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))

    def _get_invoices_to_cancel(self):
        return self.invoice_ids.filtered(lambda m: m.state == "draft")

    def _split_shared_draft_invoices(self):
        """Before the cancellation cancels the orders' draft invoices: a draft shared with
        other orders gives this order's lines to a draft of their own, which is cancelled
        (and put back to draft by revoke), so the other orders' lines stay invoiced."""
        for order in self:
            for invoice in order._get_invoices_to_cancel():
                lines = invoice.invoice_line_ids.sorted("id")
                mine = lines.filtered(lambda aml, o=order: aml.sale_line_ids.order_id == o)
                if not (lines - mine).sale_line_ids:
                    continue  # not shared with another order
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

    def _get_invoices_to_credit(self):
        invoices = self.env["account.move"]
        for order in self:
            invoices |= invoices.union(*(item["invoice"] for item in order._get_credit_plan()))
        return invoices

    def _get_credit_impact(self, refund_payments, keep=0.0):
        """Preview lines of `_credit_invoices` with the same options: the credit note of each
        invoice, and the money received for the order's share that is refunded or kept as
        the customer's credit, less what pays the cancellation fee (`keep`)."""
        self.ensure_one()
        impact = []
        action = "refund_payment" if refund_payments else "customer_credit"
        plan = self._get_credit_plan()
        for item, kept in zip(plan, _split_kept(plan, keep), strict=True):
            invoice = item["invoice"]
            impact.append(self._impact_line("credit_note", invoice, False, item["amount"]))
            if item["writeoff"]:
                impact.append(
                    self._impact_line("reverse_writeoff", invoice, False, item["writeoff"])
                )
            if not invoice.currency_id.is_zero(item["refund"] - kept):
                impact.append(self._impact_line(action, invoice, False, item["refund"] - kept))
        return impact

    def _get_credit_plan(self, quantities=None):
        """What crediting this order does, per posted customer invoice, latest first:
        ``{'invoice', 'lines': {invoice line: [credit line values]}, 'amount': credit note total,
        'refund': money received for the order's share that the credit note gives back}``.

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
        for invoice, lines in by_invoice.items():
            currency = invoice.currency_id
            amount = _credit_note_total(invoice, lines)
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
            refund = min(amount, max(currency.round(invoice._get_received_amount() * ratio), 0.0))
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
    # Reversal documents
    # ------------------------------------------------------------------
    def _reverse_documents(self, options):
        """Create the returns, credit notes and refunds of freshly cancelled orders, batched
        over the orders, and return each order's documents as values for its ledger."""
        returns = {order.id: order._create_cancel_returns() for order in self}
        all_returns = self.env["stock.picking"].union(*returns.values())
        if options.get("receive_returns") and all_returns:
            self._receive_returns(all_returns)
        fees = options.get("fee_amounts") or {}
        reason = self.env["sale.order.cancel.reason"].browse(options.get("reason_id"))
        fee_invoices = self._create_fee_invoices(reason, fees)
        no_invoice = self.env["account.move"]
        credits = {
            order.id: order._credit_invoices(
                bool(options.get("refund_payments")),
                keep=fee_invoices.get(order.id, no_invoice).amount_total,
            )
            for order in self
        }
        self._settle_fee_invoices(
            fee_invoices, {order_id: credit[0] for order_id, credit in credits.items()}
        )
        return {
            order.id: {
                "return_picking_ids": [Command.set(returns[order.id].ids)],
                "credit_note_ids": [Command.set(credits[order.id][0].ids)],
                "refund_payment_ids": [Command.set(credits[order.id][1].ids)],
                "fee_invoice_id": fee_invoices.get(order.id, no_invoice).id,
                "fee_amount": fee_invoices.get(order.id, no_invoice).amount_total,
                "reason_fee_amount": (options.get("reason_fee_amounts") or {}).get(order.id, 0.0),
                "fee_policy": order._get_fee_policy(
                    fees.get(order.id, 0.0),
                    (options.get("reason_fee_amounts") or {}).get(order.id, 0.0),
                ),
            }
            for order in self
        }

    def _create_cancel_returns(self):
        self.ensure_one()
        return self._create_returns(self._get_returnable_quantities())

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

    def _credit_invoices(self, refund_payments, quantities=None, keep=0.0):
        """Credit this order's part of its posted invoices (see `_get_credit_plan`): one posted
        credit note per invoice with this order's lines only; the money received for its share
        is refunded (`refund_payments`) or kept as the customer's credit, and the rest of the
        credit note settles the order's open part of the invoice. `keep` (a cancellation fee)
        is never refunded: it stays open on the credit notes for the fee invoice.
        Returns (credit notes, refund payments)."""
        self.ensure_one()
        plan = self._get_credit_plan(quantities)
        credit_notes, refunds = self.env["account.move"], self.env["account.payment"]
        if not plan:
            return credit_notes, refunds
        today = fields.Date.context_today(self)
        invoices = credit_notes.union(*(item["invoice"] for item in plan))
        credit_notes = invoices._reverse_moves(
            [self._prepare_credit_note_vals(invoice, today) for invoice in invoices]
        )
        for item, credit_note in zip(plan, credit_notes, strict=True):
            credit_note._set_credit_lines(item["invoice"], item["lines"])
            if item["whole"]:
                credit_note._credit_what_is_left(item["invoice"])
        credit_notes.action_post()
        kept_parts = _split_kept(plan, keep)
        for item, credit_note, kept in zip(plan, credit_notes, kept_parts, strict=True):
            refund = min(item["refund"], credit_note.amount_total)
            # What was settled without money (discount, write-off) is reversed, not refunded.
            open_part = credit_note.amount_total - refund - item["writeoff"]
            credit_note._limit_settlement(item["invoice"], open_part)
            if refund_payments and not credit_note.currency_id.is_zero(refund - kept):
                # Paid out first: what the credit note still holds then settles the invoice.
                refunds |= self._refund_credit_note(credit_note, refund - kept)
            if item["writeoff"]:
                credit_note._create_writeoff_reversal(item["invoice"], item["ratio"])
            credit_note._reconcile_with_invoice(item["invoice"], open_part)
        self._settle_with_open_credit_notes(invoices, credit_notes)
        return credit_notes, refunds

    def _settle_with_open_credit_notes(self, invoices, made):
        """Let the order's open credit notes made before the cancellation (entered by hand, or
        made with the reversal wizard and left unreconciled) settle what is still open of its
        credited `invoices`; `made` are the cancellation's own credit notes.

        Why: the plan counts those credit notes (it credits only the rest), but Odoo leaves
        them open beside the invoice, so after the cancel the customer's total is right while
        both documents still read open. Only documents that carry nothing but this order's
        lines are matched: no other order's money settles anything."""
        own = self._moves_of_this_order_only
        earlier = (
            self.invoice_ids.filtered(
                lambda m: (
                    m.move_type == "out_refund"
                    and m.state == "posted"
                    and not m.currency_id.is_zero(m.amount_residual)
                    and own(m)
                )
            )
            - made
        )
        still_open = invoices.filtered(
            lambda m: not m.currency_id.is_zero(m.amount_residual) and own(m)
        )
        if earlier and still_open:
            reconcile_receivables(earlier | still_open)

    def _moves_of_this_order_only(self, move):
        """Whether every product line of `move` is invoiced for this order."""
        lines = move.invoice_line_ids.filtered(lambda line: line.display_type == "product")
        return bool(lines) and all(line.sale_line_ids.order_id == self for line in lines)

    def _prepare_credit_note_vals(self, invoice, date):
        return {
            "ref": self.env._(
                "Cancellation of %(order)s: %(invoice)s",
                order=invoice.invoice_origin or "",
                invoice=invoice.name,
            ),
            "date": date,
            "invoice_date": date,
            "invoice_date_due": False,
            "invoice_payment_term_id": False,
        }

    def _refund_credit_note(self, credit_note, amount):
        """Pay `amount` of a posted credit note back to the customer."""
        register = (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=credit_note.ids)
            .create({"amount": amount, "group_payment": False})
        )
        return register._create_payments()

    # ------------------------------------------------------------------
    # Revoke
    # ------------------------------------------------------------------
    def get_revoke_impact(self):
        """What revoking would create, cancel or restore; changes nothing."""
        impact = []
        for order in self.filtered(lambda o: o.state == "cancel"):
            cancellation = order._get_last_cancellation()
            if cancellation:
                impact += cancellation._get_revoke_impact()
            else:
                impact.append(order._impact_line("new_delivery", order, False, False))
        return impact

    def action_draft(self):
        """Extend `sale.action_draft` ("Set to Quotation"): an order cancelled with reversal (or
        terminated) comes back only through revoke, which also undoes its returns, credit notes
        and ledger; orders cancelled natively, without a record, keep the native behaviour."""
        for order in self:
            error = order._get_action_draft_error()
            if error:
                raise error
        return super().action_draft()

    def _get_action_draft_error(self):
        """The error `action_draft` raises for this order, or False (a pure predicate, also
        behind `can_set_to_quotation`)."""
        self.ensure_one()
        if self.state == "cancel" and self._get_last_cancellation():
            return UserError(
                self.env._(
                    "%s cannot be set back to quotation: its cancellation is recorded, and "
                    "only Revoke Cancellation restores it together with what it reversed.",
                    self.name,
                )
            )
        return False

    def _get_reversal_returns(self):
        """Returns made by the engine (cancellations, and their backorders): the goods they
        brought back from a pick or pack step are no longer on their way to the customer."""
        return self.cancellation_ids._get_return_pickings()

    def _get_last_cancellation(self):
        self.ensure_one()
        return self.cancellation_ids.filtered(lambda c: c.state == "cancelled").sorted("id")[-1:]

    @api.returns("sale.order.cancellation")
    def revoke_cancel(self, note=None):
        """Restore cancelled orders exactly as they were before their cancellation."""
        self._check_revoke_cancel()
        note = check_text(self, note, "note")
        cancellations = self.env["sale.order.cancellation"]
        for order in self:
            cancellations |= order._get_last_cancellation()
        lock_for_update(self)
        for order in self - cancellations.order_id:
            order._revoke_native_cancel(note)
        return cancellations._revoke(note)

    def _check_revoke_cancel(self):
        """Raise the first refusal of `_get_revoke_cancel_error` among these orders."""
        for order in self:
            error = order._get_revoke_cancel_error()
            if error:
                raise error

    def _get_revoke_cancel_error(self):
        """The error `revoke_cancel` raises for this order, or False where it works: the right
        to revoke, a cancelled order, and nothing that stands in the way of an exact revoke
        (the ledger's blockers: revoke window, lock dates, documents changed since). A pure
        predicate, the one check behind `revoke_cancel` and `can_revoke_cancel`; modules that
        refuse more extend it."""
        self.ensure_one()
        if not (self.env.su or self.env.user.has_group("order_revoke_cancel.group_revoke_cancel")):
            return AccessError(
                self.env._(
                    "Restoring %s needs the right to revoke order cancellations: ask your sales "
                    "manager.",
                    self.name,
                )
            )
        if self.state != "cancel":
            return UserError(
                self.env._("%s is not cancelled: there is nothing to revoke.", self.name)
            )
        refusal = self._get_last_cancellation()._get_revoke_refusal()
        return UserError(refusal) if refusal else False

    def _revoke_native_cancel(self, note):
        """An order cancelled before this addon (no ledger): confirm it again if it had been."""
        self.ensure_one()
        previous = self._get_state_before_native_cancel()
        self.action_draft()
        if previous == "sale":
            self.action_confirm()
        elif previous == "sent":
            self.state = "sent"
        self.message_post(
            body=Markup("%s<br/>%s") % (self.env._("Cancellation revoked."), note or "")
        )

    def _get_state_before_native_cancel(self):
        tracking = (
            self.env["mail.tracking.value"]
            .sudo()
            .search(
                [
                    ("mail_message_id.model", "=", self._name),
                    ("mail_message_id.res_id", "=", self.id),
                    ("field_id.name", "=", "state"),
                    ("field_id.model", "=", self._name),
                ],
                order="id desc",
                limit=1,
            )
        )
        if tracking.old_value_char:
            states = dict(self._fields["state"]._description_selection(self.env))
            reverse = {label: key for key, label in states.items()}
            return reverse.get(tracking.old_value_char, "draft")
        return "sale" if (self.picking_ids or self.invoice_ids) else "draft"

    def action_revoke_cancel(self):
        self.ensure_one()
        return {
            "name": self.env._("Revoke Cancellation of %s", self.name),
            "type": "ir.actions.act_window",
            "res_model": "sale.order.revoke.cancel",
            "view_mode": "form",
            "target": "new",
            "context": {"default_order_id": self.id},
        }

    def action_view_cancellations(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id(
            "order_revoke_cancel.action_sale_order_cancellation"
        )
        action["domain"] = [("order_id", "=", self.id)]
        action["context"] = {"create": False}
        if len(self.cancellation_ids) == 1:
            action.update(
                view_mode="form", res_id=self.cancellation_ids.id, views=[(False, "form")]
            )
        return action

    # ------------------------------------------------------------------
    # Notifications
    # ------------------------------------------------------------------
    def _track_subtype(self, init_values):
        """A revoke restores the state: core would log it as "Quotation confirmed" or
        "Quotation sent". Log it as a plain status change; the revoke posts its own note."""
        self.ensure_one()
        if init_values.get("state") == "cancel" and self.state in ("sent", "sale"):
            return self.env.ref("mail.mt_note")
        return super()._track_subtype(init_values)

    def _notify_cancellation_change(self, cancellation, revoked=False):
        self.ensure_one()
        if revoked:
            title = self.env._("Cancellation revoked.")
            note = cancellation.revoke_note
        else:
            title = self.env._("Order cancelled. Reason: %s", cancellation.reason_id.name or "-")
            note = cancellation.note
        body = Markup("<p>%s</p>") % title
        if note:
            body += Markup("<p>%s</p>") % note
        fee_message = not revoked and cancellation._get_fee_message()
        if fee_message:
            body += Markup("<p>%s</p>") % fee_message
        body += cancellation._message_summary(revoked=revoked)
        self.message_post(body=body, subtype_xmlid="mail.mt_note")
        self._schedule_cancel_activities(title, revoked)

    def _schedule_cancel_activities(self, summary, revoked):
        users = self.company_id.cancel_notify_group_ids.users.filtered(
            lambda u: not u.share and u.active
        )
        xmlid = (
            "order_revoke_cancel.mail_activity_order_revoked"
            if revoked
            else "order_revoke_cancel.mail_activity_order_cancelled"
        )
        for user in users:
            self.activity_schedule(xmlid, user_id=user.id, summary=summary)

    # ------------------------------------------------------------------
    # Demo data
    # ------------------------------------------------------------------
    def _demo_settle(self, deliver=True, invoice=True, pay=True):
        """Give demo orders a history through the documents' own flows: validate their
        deliveries in full, post their invoice and register its payment.

        Only the demo data calls it (private: never an RPC endpoint). Real documents, not faked
        states, so that cancelling, revoking and closing the demo orders meets what a user's
        orders meet.
        """
        for order in self:
            if deliver:
                pickings = order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
                for move in pickings.move_ids.filtered(lambda m: m.state != "cancel"):
                    move.quantity = move.product_uom_qty
                    move.picked = True
                pickings.with_context(skip_backorder=True).button_validate()
            if not invoice:
                continue
            moves = order._create_invoices()
            moves.action_post()
            if pay:
                self.env["account.payment.register"].with_context(
                    active_model="account.move", active_ids=moves.ids
                ).create({})._create_payments()
        return True


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


def _credit_note_total(invoice, lines):
    """Total of the credit note of `invoice` crediting `lines` (``{invoice line: [credit line
    values]}``), computed by Odoo's own tax engine as the draft credit note computes it: taxes
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
            is_refund=True,
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
