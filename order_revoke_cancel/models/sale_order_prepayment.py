"""Prepayments: money of the order that is on no posted invoice yet (contract v3, "Money back
the way it came"): the payment transactions of the order (website checkout, payment link,
`sale.order.transaction_ids`) confirmed before it was invoiced, or only authorized.

The whole-order cancel plan gets a ``prepayments`` key (`_get_prepayment_plan`), rendered by
`_get_prepayment_impact` and applied by `_reverse_prepayments`, so the preview is what is done:

- a confirmed transaction whose payment is still open (not reconciled with a posted invoice:
  what is reconciled is the credit plan's, `_get_credit_plan`, and never counted twice) is
  refunded with `refund_payments`: through its provider when it refunds (the refund code of
  `sale_order_accounting_reversal`: `_refund_support`, `_split_refund`,
  `_refund_through_provider`), otherwise by an outbound payment; each refund is reconciled with
  the source payment, so the receivable is exact. Without `refund_payments` the money stays as
  the customer's credit (the open payment), as the credit notes keep it for invoices. A
  cancellation fee is paid first out of it (what the credit notes do not pay);
- an authorized transaction (money held on the card, not captured) is voided, last: it cannot
  be undone.

Why an authorization is voided with or without `refund_payments`: it is no money received. No
payment, no receivable, nothing the customer could hold as credit; keeping it holds the
customer's funds for an order that no longer exists, and its only use left would be capturing
money for a cancelled order. Odoo's own "Void Transaction" button of the order needs no more
than the right to change the order. So voiding it is part of cancelling the order, as it is for
an accountant, and revoke says it is gone (the order is to be paid again).

Cancelling lines leaves prepayments alone (`_prepare_line_cancel_plan` has no such key): the
order stays confirmed, it is still to be invoiced, and the prepayment will pay its invoice.
"""

from odoo import Command, models
from odoo.exceptions import UserError

from ..tools import reconcile_receivables
from ..tools.call_scope import get_call_scope
from .sale_order_accounting_reversal import _split_kept
from .sale_order_cancel import CANCELLED_TOGETHER_SCOPE
from .sale_order_refund import _refund_support, _split_refund


class SaleOrderPrepayment(models.Model):
    _inherit = "sale.order"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------
    # Plan and preview
    # ------------------------------------------------------------------
    def _prepare_cancel_plan(self, fee=0.0, reason=None):
        """Add ``'prepayments'`` (see `_get_prepayment_plan`) to the whole-order plan."""
        plan = super()._prepare_cancel_plan(fee=fee, reason=reason)
        plan["prepayments"] = self._get_prepayment_plan(plan["credits"], plan["fee_total"])
        return plan

    def _get_prepayment_plan(self, credits, fee_total=0.0):
        """The order's money on no posted invoice, as a list of items, in the order of its
        transactions: ``{'transaction', 'state': 'done' | 'authorized', 'amount'}`` and for a
        confirmed one ``'payment'`` (its open payment), ``'kept'`` (what pays the cancellation
        fee), ``'refund'`` (the rest, refunded or kept as credit), ``'currency'`` and
        ``'transactions'`` (``[(transaction, at most)]`` refundable through its provider, read
        by `_split_refund` as for a credit plan item).

        What is open of a transaction for this order is `_get_prepayment_open_amount`. Its
        provider refunds at most what is left of it once the credit plan (`credits`) took its
        part. An authorization shared with other orders still in force is left to them (a
        void voids all of it); when they are cancelled together (one call, see
        `cancelled_together`), the last of them voids it, once.

        Transactions and payments are read as superuser: a salesman previews what a
        cancellation does without access to them, and nothing is written here; the items are
        used in the caller's environment for writing (`_reverse_prepayments`)."""
        self.ensure_one()
        planned = {}
        for item in credits:
            for transaction, amount in item.get("transactions") or []:
                planned[transaction.id] = planned.get(transaction.id, 0.0) + amount
        transactions = self.sudo().transaction_ids.sorted("id")
        together = get_call_scope(self.env, CANCELLED_TOGETHER_SCOPE, frozenset())
        # What pays the fee is read only for an order paid online (it reads the credit held).
        keep = self._get_prepayment_keep(credits, fee_total) if transactions else 0.0
        result = []
        for transaction in transactions:
            currency = transaction.currency_id
            if transaction.operation in ("refund", "validation") or currency != self.currency_id:
                continue
            if transaction.state == "authorized":
                others = transaction.sale_order_ids - self
                if others.filtered(lambda o: o.state != "cancel" and o.id not in together):
                    continue
                if any(order.id > self.id for order in others if order.id in together):
                    continue
                captured = transaction.child_transaction_ids.filtered(
                    lambda t, tx=transaction: t.state == "done" and t.operation == tx.operation
                )
                amount = currency.round(transaction.amount - sum(captured.mapped("amount")))
                if currency.compare_amounts(amount, 0.0) > 0:
                    result.append(
                        {"transaction": transaction, "state": "authorized", "amount": amount}
                    )
                continue
            if transaction.state != "done":
                continue
            amount = self._get_prepayment_open_amount(transaction)
            if currency.compare_amounts(amount, 0.0) <= 0:
                continue
            kept = currency.round(min(max(keep, 0.0), amount))
            keep -= kept
            refund = currency.round(amount - kept)
            through_provider = []
            if _refund_support(transaction):
                refunds = transaction.child_transaction_ids.filtered(
                    lambda t: t.operation == "refund" and t.state not in ("cancel", "error")
                )
                left = transaction.amount + sum(refunds.mapped("amount"))
                left -= planned.get(transaction.id, 0.0)
                through = currency.round(min(refund, left))
                if currency.compare_amounts(through, 0.0) > 0:
                    through_provider.append((transaction, through))
            result.append(
                {
                    "transaction": transaction,
                    "state": "done",
                    "payment": transaction.payment_id,
                    "amount": amount,
                    "kept": kept,
                    "refund": refund,
                    "currency": currency,
                    "transactions": through_provider,
                }
            )
        return result

    def _get_prepayment_open_amount(self, transaction):
        """What is open for this order of the confirmed `transaction` (sudo): the residual of
        its payment's receivable line, at most this order's share of the transaction less
        what of its payment this order already used (reconciled with the order's invoices, or
        with the refunds its earlier cancellations made).

        Allocation rule for a transaction of one checkout of several orders: each order's
        share is the transaction's amount pro rata to the orders' totals (an order of the
        transaction alone has all of it). So an order cancelled gives back at most its own
        part, and what another order used of the payment is not this order's to refund. A
        transaction without payment yet (not post-processed) or whose payment has no journal
        entry is not counted: there is nothing on the books to refund from."""
        self.ensure_one()
        currency = transaction.currency_id
        lines = transaction.payment_id.move_id.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )
        residual = -sum(lines.mapped("amount_residual_currency"))
        if currency.compare_amounts(residual, 0.0) <= 0:
            return 0.0
        orders = transaction.sale_order_ids
        if orders == self:
            share = transaction.amount
        else:
            total = sum(orders.mapped("amount_total"))
            share = transaction.amount * self.amount_total / total if total else 0.0
        # As superuser, as the transaction (see `_get_prepayment_plan`): only read.
        order = self.sudo()
        mine = (
            order.invoice_ids.filtered(lambda m: m.state == "posted")
            | order.cancellation_ids.refund_payment_ids.move_id
        )
        used = sum(
            partial.credit_amount_currency
            for partial in lines.matched_debit_ids
            if partial.debit_move_id.move_id in mine
        )
        return currency.round(min(residual, max(share - used, 0.0)))

    def _get_prepayment_keep(self, credits, fee_total):
        """What of the cancellation fee (`fee_total`) the prepayments pay: what the credit
        plan's money (`_split_kept`) and the credit the customer holds on earlier credit notes
        (`_get_held_credit`, which pays the fee too) do not pay."""
        keep = fee_total - sum(_split_kept(credits, fee_total))
        if keep > 0:
            held = self._get_held_credit([item["invoice"] for item in credits])[1]
            keep -= sum(held.values())
        return max(keep, 0.0)

    def _get_cancel_plan_impact(self, plan, refund_payments=False, reason=None):
        impact = super()._get_cancel_plan_impact(
            plan, refund_payments=refund_payments, reason=reason
        )
        return impact + self._get_prepayment_impact(plan.get("prepayments") or [], refund_payments)

    def _get_prepayment_impact(self, prepayments, refund_payments):
        """Preview lines of `_reverse_prepayments` for the plan's `prepayments`: per confirmed
        transaction what goes back through its provider (`refund_transaction`) and by payment
        (`refund_payment`, the source payment), or what stays as credit (`customer_credit`);
        the voided authorizations last (`void_transaction`), as they are voided last."""
        self.ensure_one()
        impact, voids = [], []
        for item in prepayments:
            if item["state"] == "authorized":
                line = self._refund_transaction_impact_line(item["transaction"], item["amount"])
                line["action"] = "void_transaction"
                voids.append(line)
                continue
            amount = item["refund"]
            action = "customer_credit"
            if refund_payments:
                action = "refund_payment"
                through, amount = _split_refund(item, amount)
                for transaction, part in through:
                    impact.append(self._refund_transaction_impact_line(transaction, part))
            if not item["currency"].is_zero(amount):
                # The payment is named only (read as superuser, see `_get_prepayment_plan`).
                impact.append(self._impact_line(action, item["payment"], False, amount))
        return impact + voids

    # ------------------------------------------------------------------
    # Execution
    # ------------------------------------------------------------------
    def _reverse_documents(self, options, plans=None):
        """Extend: once the credit notes, refunds and fee invoices are made, the prepayments
        of the plans are applied (`_reverse_prepayments`) and recorded in the ledger."""
        plans = plans or {order.id: order._prepare_cancel_plan() for order in self}
        result = super()._reverse_documents(options, plans)
        documents = self._reverse_prepayments(
            options.refund_payments,
            {order.id: plans[order.id].get("prepayments") or [] for order in self},
            {
                order.id: self.env["account.move"].browse(result[order.id].get("fee_invoice_id"))
                for order in self
            },
        )
        for order_id, (payments, refunds, voided) in documents.items():
            values = result[order_id]
            values["refund_payment_ids"] = list(values.get("refund_payment_ids") or []) + [
                Command.link(payment.id) for payment in payments
            ]
            values["refund_transaction_ids"] = [Command.link(refund.id) for refund in refunds]
            values["void_transaction_ids"] = [Command.set(voided.ids)]
        return result

    def _reverse_prepayments(self, refund_payments, prepayments, fee_invoices):
        """Apply the `prepayments` (``{order id: plan items}``, see `_get_prepayment_plan`)
        of these freshly cancelled orders: the fee invoice (``{order id: move}``) is paid out
        of the open payments first, then, with `refund_payments`, the outbound payments are
        made, then the refunds through the providers (they reach outside the database and
        cannot be rolled back), and the authorizations are voided last (they cannot be undone
        either, and a void refused by its provider does not refuse the cancellation, see
        `_void_prepayment`). Returns ``{order id: (refund payments, refund transactions,
        voided transactions)}``."""
        Payment = self.env["account.payment"]
        Transaction = self.env["payment.transaction"]
        result = {order.id: [Payment, Transaction, Transaction] for order in self}
        by_payment, through, voids = [], [], []
        for order in self:
            fee_invoice = fee_invoices.get(order.id)
            done = [i for i in prepayments[order.id] if i["state"] == "done"]
            if fee_invoice and any(i["kept"] for i in done):
                payments = Payment.union(*(i["payment"].with_env(self.env) for i in done))
                reconcile_receivables(fee_invoice | payments.move_id)
            for item in prepayments[order.id]:
                if item["state"] == "authorized":
                    voids.append((order, item))
                    continue
                if not refund_payments:
                    continue
                parts, amount = _split_refund(item, item["refund"])
                through += [(order, item, tx, part) for tx, part in parts]
                if not item["currency"].is_zero(amount):
                    by_payment.append((order, item, amount))
        for order, item, amount in by_payment:
            result[order.id][0] |= order._refund_prepayment(item["payment"], amount)
        for order, item, transaction, amount in through:
            refund = order._refund_through_provider(
                self.env["account.move"], transaction.with_env(self.env), amount
            )
            result[order.id][1] |= refund
            # Confirmed at once (as the demo provider does): Odoo made its payment without
            # invoice to reconcile; it refunds the source payment. One confirmed later gets its
            # payment from Odoo's cron, matched then (`payment_transaction.py`).
            payment = refund.sudo().payment_id.with_env(self.env)
            if payment:
                reconcile_receivables(payment.move_id | item["payment"].with_env(self.env).move_id)
                result[order.id][0] |= payment
        for order, item in voids:
            if order._void_prepayment(item["transaction"]):
                result[order.id][2] |= item["transaction"].with_env(self.env)
        return {order_id: tuple(documents) for order_id, documents in result.items()}

    def _refund_prepayment(self, source, amount):
        """Pay `amount` of the open `source` payment (sudo) back to the customer by an outbound
        payment of the same journal, reconciled with it."""
        self.ensure_one()
        source = source.with_env(self.env)
        payment = self.env["account.payment"].create(
            {
                "payment_type": "outbound",
                "partner_type": "customer",
                "partner_id": source.partner_id.id,
                "amount": amount,
                "currency_id": source.currency_id.id,
                "journal_id": source.journal_id.id,
                "company_id": source.company_id.id,
                "memo": self.env._(
                    "Refund of %(payment)s: cancellation of %(order)s",
                    payment=source.name,
                    order=self.name,
                ),
            }
        )
        payment.action_post()
        reconcile_receivables(payment.move_id | source.move_id)
        return payment

    def _void_prepayment(self, transaction):
        """Void the authorized `transaction` (sudo) of this cancelled order; whether it was
        voided (or its provider was asked to, for a provider confirming later).

        As superuser, as Odoo's own "Void Transaction" button of the order does it
        (`sale.order.payment_action_void`) for whoever may change the order: the caller's
        right to cancel the order was checked. A provider refusing the void does not refuse
        the cancellation (nothing was received; the authorization expires at the provider):
        the order's chatter asks to void it by hand, as the accountant would."""
        self.ensure_one()
        try:
            with self.env.cr.savepoint():
                transaction.action_void()
        except UserError as error:
            # Providers raise UserError or ValidationError (its subclass) on a refused request.
            self.message_post(
                body=self.env._(
                    "The payment authorization %(transaction)s (%(provider)s) could not be "
                    "voided (%(message)s): void it by hand in the transaction.",
                    transaction=transaction.reference,
                    provider=transaction.provider_id.name,
                    message=error.args[0],
                )
            )
            return False
        return True
