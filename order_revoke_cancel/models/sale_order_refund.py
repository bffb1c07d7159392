"""Money paid back by a cancellation: outbound payments made with Odoo's payment register
on the credit notes (one pass for many), and refunds through the payment provider the money
came from (a refund transaction, as Odoo's refund wizard makes it). The credit plan decides how
much goes back (`sale_order_accounting_reversal`); `_split_refund` splits it between the two
ways, for the preview and the execution alike."""

from markupsafe import Markup

from odoo import Command, models
from odoo.exceptions import UserError

from ..tools.call_scope import get_call_scope, joined_call_scope

# Name of the call scope listing the refunds the providers accepted in the operation at hand
# (see `provider_refunds_unit`).
PROVIDER_REFUNDS_SCOPE = "order_end_of_life_provider_refunds"


def provider_refunds_unit(env):
    """The operation within which a refused provider refund may still refuse everything
    (see `SaleOrderRefund._refund_refused`): the cancellation, or the credit of a cancellation
    of lines or of a close. Nested units join the outermost one."""
    return joined_call_scope(env, PROVIDER_REFUNDS_SCOPE, list)


class SaleOrderRefund(models.Model):
    _inherit = "sale.order"  # pylint: disable=consider-merging-classes-inherited

    def _refund_transaction_impact_line(self, transaction, amount):
        """Preview line of a refund through the provider of `transaction` (the source payment
        transaction): it names the transaction and its provider. Read as superuser: a salesman
        previews what a cancellation does without access to payment transactions, and the line
        shows only their reference and provider."""
        transaction = transaction.sudo()
        line = self._impact_line("refund_transaction", transaction, False, amount)
        line["name"] = self.env._(
            "%(transaction)s (%(provider)s)",
            transaction=transaction.reference,
            provider=transaction.provider_id.name,
        )
        return line

    def _get_refundable_transactions(self, invoice, ratio, refund, refundable):
        """The provider transactions through which the money of `refund` (this order's
        `ratio` of the money received on `invoice`) can go back: ``[(transaction, amount)]``,
        each the part of the money it brought to `invoice` for this order, at most what is left
        to refund of it (`refundable`, ``{transaction: amount}``, updated: one transaction may
        have paid several invoices) and `refund` in all.

        A transaction counts when it is confirmed, in the invoice's currency, and its provider
        (and payment method) support refunds, as Odoo's refund wizard reads them; a provider
        that refunds only in full is used only for the whole transaction (see
        `_split_refund`). Read as superuser: transactions and providers are not readable by
        salesmen, who preview cancellations, and nothing is written here."""
        self.ensure_one()
        result = []
        currency = invoice.currency_id
        left = refund
        for move, _partial, _settled, received in invoice._get_money_settlements():
            transaction = move.origin_payment_id.sudo().payment_transaction_id
            if not transaction or not _refund_support(transaction):
                continue
            if transaction.currency_id != currency:
                continue
            if transaction not in refundable:
                refunds = transaction.child_transaction_ids.filtered(
                    lambda t: t.operation == "refund" and t.state not in ("cancel", "error")
                )
                refundable[transaction] = transaction.amount + sum(refunds.mapped("amount"))
            amount = currency.round(min(received * ratio, refundable[transaction], left))
            if currency.compare_amounts(amount, 0.0) <= 0:
                continue
            refundable[transaction] -= amount
            left -= amount
            result.append((transaction.with_env(self.env), amount))
        return result

    def _refund_in_one_pass(self, to_refund, result):
        """Refund `to_refund` (``[(order, credit note, amount, credit plan item or None)]``)
        and add each order's payments to its documents in `result`: what the item's provider
        transactions can refund goes back through their providers (`_split_refund`, read from
        the plan as the preview reads it, `_refund_through_providers`), the rest by the
        outbound payments of `_refund_credit_note`, in one pass.

        The outbound payments come first: a request to a provider reaches outside the database
        and cannot be rolled back with it, so it is the last step that may still fail."""
        if not to_refund:
            return
        by_payment, through = [], []
        for order, credit_note, amount, item in to_refund:
            if item:
                parts, amount = _split_refund(item, amount)
                through += [(order, credit_note, tx, part) for tx, part in parts]
            if not credit_note.currency_id.is_zero(amount):
                by_payment.append((order, credit_note, amount))
        if by_payment:
            credit_notes = self.env["account.move"].browse([cn.id for _o, cn, _a in by_payment])
            payments = self._refund_credit_note(credit_notes, [a for _o, _cn, a in by_payment])
            for (order, _credit_note, _amount), payment in zip(by_payment, payments, strict=True):
                result[order.id][1] |= payment
        for order, credit_note, transaction, amount in through:
            refund = order._refund_through_provider(credit_note, transaction, amount)
            # Confirmed at once (as the demo provider and some others do): the payment Odoo
            # made for it is a refund of this cancellation like any other.
            result[order.id][1] |= refund.payment_id.with_env(self.env)

    def _get_refund_refused_error(self, transaction, amount, message):
        """The error that refuses the cancellation when the provider of `transaction` refused
        to refund `amount` (see `_refund_through_provider`)."""
        transaction = transaction.sudo()
        return UserError(
            self.env._(
                "%(order)s was not cancelled: %(provider)s refused the refund of %(amount)s on "
                "transaction %(transaction)s (%(message)s). Try again later, or cancel without "
                "refunding the payments (the money stays as the customer's credit) and refund "
                "the customer by hand.",
                order=self.name,
                provider=transaction.provider_id.name,
                amount=transaction.currency_id.format(amount),
                transaction=transaction.reference,
                message=message,
            )
        )

    def _refund_through_provider(self, credit_note, transaction, amount):
        """Refund `amount` of the posted `credit_note` through the provider of `transaction`
        (the payment transaction that brought the money), exactly as Odoo's refund wizard
        does (`payment.transaction.action_refund`, which checks the user's rights on the
        transaction), and return the refund transaction.

        The refund transaction is linked to the credit note, so that the payment Odoo makes
        for it once the provider confirms the refund (`_post_process` → `_create_payment`) is
        reconciled with the credit note: the customer's receivable is exact to the cent. A
        refund confirmed at once is post-processed here, as Odoo's payment status page does,
        instead of waiting for the post-processing cron; one that the provider confirms later
        leaves the credit note open for its amount until then.

        A refused refund (the provider raises, or the transaction ends in error or cancelled)
        refuses the whole cancellation when it is the operation's first request to a provider,
        and else only leaves its amount as the customer's credit (see `_refund_refused`). It
        does not fall back to a bank payment: the money came from the customer's card or
        wallet, and paying it out to a bank account the customer may not have given is the
        accountant's decision, not the engine's. Returns the refund transaction, or an empty
        recordset for a refused refund that did not refuse the operation."""
        self.ensure_one()
        # The provider's data are read as superuser, as Odoo's refund wizard reads them.
        before = transaction.sudo().child_transaction_ids
        try:
            transaction.action_refund(amount_to_refund=amount)
        except UserError as error:
            # Providers raise UserError or ValidationError (its subclass) on a refused request.
            return self._refund_refused(transaction, amount, error.args[0], error)
        refund = (transaction.sudo().child_transaction_ids - before).filtered(
            lambda t: t.operation == "refund"
        )
        if not refund or refund.state in ("error", "cancel"):
            message = refund.state_message or self.env._("no refund was made")
            return self._refund_refused(transaction, amount, message)
        accepted = get_call_scope(self.env, PROVIDER_REFUNDS_SCOPE)
        if accepted is not None:
            accepted.append(refund.id)
        # The refund transaction is Odoo's own record of the provider's answer: linking it to
        # the credit note (and post-processing it, which creates and reconciles its payment as
        # Odoo's cron does as superuser) is safe once `action_refund` checked the user's rights.
        # Without a credit note (a prepayment, see `sale_order_prepayment.py`), the caller
        # reconciles the refund's payment with the source payment itself.
        if credit_note:
            refund.write({"invoice_ids": [Command.link(credit_note.id)]})
        if refund.state == "done" and not refund.is_post_processed:
            refund._post_process()
        return refund.with_env(self.env)

    def _refund_refused(self, transaction, amount, message, error=None):
        """What a refund that the provider of `transaction` refused does to the operation.

        The operation's first request to a provider refuses it all (`_get_refund_refused_error`):
        nothing has left the database yet, and the user may try again or cancel without
        refunding. After a provider accepted another refund of the same operation, refusing
        would roll back the record of money that did go back to the customer: the books would
        no longer say where it went. So the operation goes on, the refused amount stays as the
        customer's credit (on the credit note, or on the payment of a prepayment), and the
        order's chatter and an activity ask to refund it by hand. Returns an empty transaction
        recordset."""
        self.ensure_one()
        if not get_call_scope(self.env, PROVIDER_REFUNDS_SCOPE):
            raise self._get_refund_refused_error(transaction, amount, message) from error
        transaction = transaction.sudo()
        text = self.env._(
            "%(provider)s refused the refund of %(amount)s on transaction %(transaction)s "
            "(%(message)s) after it had accepted other refunds of this operation: the amount "
            "stays as the customer's credit; refund it by hand or try again from the "
            "transaction.",
            provider=transaction.provider_id.name,
            amount=transaction.currency_id.format(amount),
            transaction=transaction.reference,
            message=message,
        )
        self.message_post(body=Markup("<p>%s</p>") % text, subtype_xmlid="mail.mt_note")
        # The user who asked for the refunds, or the salesperson when a scheduled action or a
        # customer's confirmation on the portal ran the operation.
        user = self.env.user
        if user._is_superuser() or user.share:
            user = self.user_id
        self.activity_schedule(
            "mail.mail_activity_data_todo",
            user_id=user.id or self.env.user.id,
            summary=self.env._("Refund the customer by hand"),
            note=text,
        )
        return self.env["payment.transaction"]

    def _refund_credit_note(self, credit_note, amount):
        """Pay `amount` of a posted credit note back to the customer. Several credit notes are
        paid back together when `credit_note` holds several and `amount` is the list of their
        amounts: one payment each, in their order, each the one the payment register of that
        credit note makes, created, posted and reconciled in one pass (see
        `_create_register_payments`)."""
        amounts = list(amount) if isinstance(amount, (list, tuple)) else [amount]
        registers = [
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=move.ids)
            .create({"amount": value, "group_payment": False})
            for move, value in zip(credit_note, amounts, strict=True)
        ]
        if len(registers) == 1:
            return registers[0]._create_payments()
        return _create_register_payments(registers)


def _create_register_payments(registers):
    """The payments of `registers` (payment registers of one credit note each, with an amount),
    one per register in their order, as each register's `_create_payments` makes it: from the
    register's own values (`_create_payment_vals_from_wizard`, its edit mode), but created,
    posted and reconciled in one pass per company, as the register does for the many
    payments of a selection. A register that its own `_create_payments` would not handle
    this way (several lines, a bank account to check, sibling companies) makes its payment
    itself."""
    Payment = registers[0].env["account.payment"]
    passes, alone = {}, {}
    for index, register in enumerate(registers):
        batches = register.batches
        lines = batches[0]["lines"] if len(batches) == 1 else None
        if (
            lines is None
            or len(lines) != 1
            or not register.can_edit_wizard
            or register.require_partner_bank_account
            or register._from_sibling_companies(lines)
        ):
            alone[index] = register
            continue
        to_process = {
            "create_vals": register._create_payment_vals_from_wizard(batches[0]),
            "to_reconcile": lines,
            "batch": batches[0],
        }
        if (
            register.writeoff_is_exchange_account
            and register.currency_id == register.company_currency_id
        ):
            residual = sum(lines.mapped("amount_residual_currency"))
            to_process["rate"] = abs(residual / register.amount) if register.amount else 0.0
        passes.setdefault(register.company_id, []).append((index, register, to_process))
    payments = {}
    for index, register in alone.items():
        payments[index] = register._create_payments()
    for group in passes.values():
        first = group[0][1]
        to_process = [values for _index, _register, values in group]
        first._init_payments(to_process, edit_mode=True)
        first._post_payments(to_process, edit_mode=True)
        first._reconcile_payments(to_process, edit_mode=True)
        for index, _register, values in group:
            payments[index] = values["payment"].sudo(flag=False)
    return Payment.union(*(payments[index] for index in range(len(registers))))


def _refund_support(transaction):
    """How the provider of `transaction` (sudo) refunds it: 'full_only' or 'partial', as Odoo's
    refund wizard reads it (provider and payment method); False when it does not, or when the
    transaction is not a confirmed payment or its provider is disabled."""
    if transaction.state != "done" or transaction.operation in ("refund", "validation"):
        return False
    provider = transaction.provider_id
    if provider.state == "disabled":
        return False
    method = transaction.payment_method_id.primary_payment_method_id or (
        transaction.payment_method_id
    )
    supports = {provider.support_refund, method.support_refund if method else "partial"}
    if not supports <= {"full_only", "partial"}:
        return False
    return "full_only" if "full_only" in supports else "partial"


def _split_refund(item, amount):
    """Split `amount` of a credit plan `item`'s refund into what goes back through its provider
    transactions (``[(transaction, amount)]``, in the plan's order, each at most its planned
    amount) and the rest, paid out by an outbound payment. A provider that refunds only in full
    takes a transaction only when all of it is refunded. One function for preview and
    execution, so that both say the same. An item without invoice (a prepayment) gives its
    ``currency``."""
    currency = item["currency"] if "currency" in item else item["invoice"].currency_id
    through = []
    for transaction, planned in item.get("transactions") or []:
        part = currency.round(min(planned, amount))
        if currency.compare_amounts(part, 0.0) <= 0:
            continue
        if _refund_support(transaction.sudo()) == "full_only" and (
            currency.compare_amounts(part, transaction.sudo().amount)
            or transaction.sudo().child_transaction_ids.filtered(
                lambda t: t.operation == "refund" and t.state not in ("cancel", "error")
            )
        ):
            continue
        through.append((transaction, part))
        amount = currency.round(amount - part)
    return through, amount
