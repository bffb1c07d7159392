"""Cancellation fee: what a reason charges, the fee invoice and how it is paid out of
what the customer gets back."""

from odoo import Command, models
from odoo.exceptions import AccessError, UserError

from ..tools import (
    reconcile_receivables_each,
)


class SaleOrderFee(models.Model):
    _inherit = "sale.order"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------
    # Cancellation fee
    # ------------------------------------------------------------------
    def _get_cancel_fee_amount(self, reason, fee=None, base=None):
        """What cancelling this order for `reason` bills as a fee, taxes included, in the
        order's currency: `fee` when given (0 waives it), else the reason's (a percentage of
        `base`, or a fixed amount, never more than `base`). `base` is what is cancelled: the
        order total by default, the cancelled quantities' amount when lines are cancelled.
        Quotations never carry a fee: nothing was agreed yet."""
        self.ensure_one()
        if self.state != "sale":
            return 0.0
        base = self.amount_total if base is None else base
        if fee is None:
            if not reason or reason.fee_type == "none":
                return 0.0
            if reason.fee_type == "percent":
                fee = base * reason.fee_value / 100.0
            else:
                fee = min(reason.fee_value, base)
        return self.currency_id.round(max(fee, 0.0))

    def _check_cancel_fee_value(self, fee, base=None):
        """A fee given by the caller is at most what is cancelled (`base`, the order total by
        default; its sign and type were checked by `check_number`)."""
        self.ensure_one()
        base = self.amount_total if base is None else base
        if (
            fee is not None
            and self.state == "sale"
            and self.currency_id.compare_amounts(fee, base) > 0
        ):
            raise UserError(
                self.env._(
                    "The cancellation fee of %(order)s cannot be more than the %(total)s "
                    "cancelled: enter a smaller fee, or 0 to waive it.",
                    order=self.name,
                    total=self.currency_id.format(base),
                )
            )

    def _check_cancel_fee(self, reason, fee, base=None):
        """({order id: fee}, {order id: the reason's fee}) for `_cancel_with_reversal`,
        checked: waiving or changing the reason's fee needs `group_cancel_reversal`."""
        reverser = self._can_reverse_documents()
        fees, reason_fees = {}, {}
        for order in self:
            order._check_cancel_fee_value(fee, base)
            amount = order._get_cancel_fee_amount(reason, fee, base)
            reason_fees[order.id] = order._get_cancel_fee_amount(reason, base=base)
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
