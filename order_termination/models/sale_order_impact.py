"""What terminating the order would do, in plain sentences: the termination wizard's preview
(HTML) and the customer's portal page read the reversal engine's impact
(`get_cancel_impact` of order_revoke_cancel) through these methods.

Apart from the rest: it only renders, and decides nothing.
"""

from markupsafe import Markup

from odoo import models

from odoo.addons.order_revoke_cancel.tools import format_quantity
from odoo.addons.order_revoke_cancel.tools.call_scope import call_scope

from .sale_order_cancel_purchase import TERMINATION_PURCHASE_SCOPE

# Impact actions on internal purchase documents, never shown to the customer.
PURCHASE_ACTIONS = ("notify_purchase", "cancel_purchase", "reduce_purchase")


class SaleOrderImpact(models.Model):
    _inherit = "sale.order"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------
    def _get_termination_impact_lines(
        self,
        customer=False,
        receive_returns=False,
        refund_payments=False,
        reason=None,
        quantities=None,
    ):
        """Plain sentences, one per document the termination with these options would touch,
        with the fee of the termination `reason` (its cancel reason's); for the customer,
        internal documents (purchases) are left out. With `quantities` (``{sale line:
        quantity}``, a termination of part of the order) the sentences are those of cancelling
        these quantities, which is what its execution does (`_cancel_lines`)."""
        self.ensure_one()
        lines = []
        cancel_reason = reason._get_cancel_reason() if reason else None
        # A termination always applies its purchase effects, whatever the company's setting.
        previewed = {self.id: self.env["sale.termination.request"]}
        with call_scope(self.env, TERMINATION_PURCHASE_SCOPE, previewed):
            if quantities:
                impact = self.sudo().get_line_cancel_impact(
                    {line.id: qty for line, qty in quantities.items()},
                    receive_returns=receive_returns,
                    refund_payments=refund_payments,
                    reason=cancel_reason,
                )
            else:
                impact = self.sudo().get_cancel_impact(
                    receive_returns=receive_returns,
                    refund_payments=refund_payments,
                    reason=cancel_reason,
                )
        for item in impact:
            if customer and item["action"] in PURCHASE_ACTIONS:
                continue
            lines.append(self._describe_impact(item))
        return lines

    def _describe_impact(self, item):
        amount = (item["amount"] and self.currency_id.format(item["amount"])) or ""
        messages = {
            "cancel_picking": self.env._("Delivery %s will not be made.", item["name"]),
            "reduce_picking": self.env._(
                "Delivery %(picking)s is reduced by %(qty)s units.",
                picking=item["name"],
                qty=format_quantity(self.env, item["quantity"]),
            ),
            "return_picking": self.env._(
                "Goods delivered with %(picking)s (%(qty)s units) are to be returned.",
                picking=item["name"],
                qty=format_quantity(self.env, item["quantity"]),
            ),
            "cancel_invoice": self.env._("Draft invoice %s is cancelled.", item["name"]),
            "credit_note": self.env._(
                "Invoice %(invoice)s is credited for %(amount)s.",
                invoice=item["name"],
                amount=amount,
            ),
            "refund_payment": self.env._("%s already paid is refunded to you.", amount),
            "refund_transaction": self.env._(
                "%s already paid online is refunded through the same payment method.", amount
            ),
            "void_transaction": self.env._(
                "The payment of %s authorized online is voided: it will not be charged.", amount
            ),
            "reverse_writeoff": self.env._(
                "The early-payment discount or write-off of %(amount)s on %(invoice)s is "
                "reversed: it was granted for the order that ends.",
                amount=amount,
                invoice=item["name"],
            ),
            "customer_credit": self.env._(
                "%s already paid stays on your account as credit.", amount
            ),
            **self._get_purchase_impact_sentences(item),
            "fee_invoice": self.env._("A cancellation fee of %s is invoiced.", amount),
        }
        return messages.get(item["action"], item["name"])

    def _get_purchase_impact_sentences(self, item):
        """``{action: sentence}`` for the purchase lines of a preview (`item` one of them), the
        same in the termination's and the close's previews (staff only: the customer's page
        leaves purchases out)."""
        qty = format_quantity(self.env, item["quantity"] or 0.0)
        return {
            "notify_purchase": self.env._(
                "The buyer of purchase %s is asked to act.", item["name"]
            ),
            "cancel_purchase": self.env._(
                "Purchase %(purchase)s is cancelled (%(qty)s units).",
                purchase=item["name"],
                qty=qty,
            ),
            "reduce_purchase": self.env._(
                "Purchase %(purchase)s is reduced by %(qty)s units.",
                purchase=item["name"],
                qty=qty,
            ),
        }

    def _get_termination_impact_html(
        self, receive_returns=False, refund_payments=False, reason=None, quantities=None
    ):
        lines = (
            self._get_termination_impact_lines(
                receive_returns=receive_returns,
                refund_payments=refund_payments,
                reason=reason,
                quantities=quantities,
            )
            if self
            else []
        )
        if not lines:
            return Markup("<p>%s</p>") % self.env._(
                "Nothing was delivered or invoiced: the order is simply cancelled."
            )
        items = Markup("").join(Markup("<li>%s</li>") % line for line in lines)
        return Markup("<ul>%s</ul>") % items
