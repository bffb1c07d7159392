"""Refund transactions of a cancellation that their provider confirms later."""

from odoo import models

from ..tools import reconcile_receivables


class PaymentTransaction(models.Model):
    _inherit = "payment.transaction"

    def _create_payment(self, **extra_create_values):
        """Extend: the payment of a refund that a cancellation asked for a prepayment (money of
        the order on no invoice, see `sale_order_prepayment.py`) is reconciled with the source
        payment, as the engine does for a refund confirmed at once.

        Why: Odoo makes the payment of a refund confirmed later in its post-processing cron,
        and reconciles it only with the transaction's invoices; a prepayment's refund has
        none. Left open, the source payment would still show as credit the customer could use
        on a new invoice, for money that went back to the card. A refund of an invoice's money
        is linked to the credit note (`_refund_through_provider`) and reconciled by Odoo."""
        payment = super()._create_payment(**extra_create_values)
        if self.operation != "refund" or self.invoice_ids:
            return payment
        source = self.source_transaction_id.payment_id
        # Read as superuser: the ledger is readable by sales users only, and the cron that
        # post-processes transactions may run as anyone; only a refund the ledger records is
        # matched, with the payment it refunds.
        recorded = (
            self.env["sale.order.cancellation"]
            .sudo()
            .search_count([("refund_transaction_ids", "in", self.ids)], limit=1)
        )
        if source and recorded:
            reconcile_receivables(payment.move_id | source.move_id)
        return payment
