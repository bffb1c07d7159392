from odoo import api, fields, models


class SaleOrderCancel(models.TransientModel):
    _inherit = "sale.order.cancel"

    cancel_reason_id = fields.Many2one("sale.order.cancel.reason", "Cancellation Reason")
    cancel_note = fields.Text("Note")
    # Computed, not related: a related path into the reason model would stop OCA's
    # sale_cancel_reason from installing after this addon (see CONTRACT.md, coexistence).
    note_required = fields.Boolean(compute="_compute_note_required")
    reason_required = fields.Boolean(compute="_compute_reason_required")
    receive_returns = fields.Boolean(
        "Receive Returns Now",
        help="Validate the return pickings at once, as if the goods were already back.",
    )
    refund_payments = fields.Boolean(
        help="Pay back the money already received, by an outbound payment on the credit notes. "
        "Otherwise it stays on the customer's account as credit.",
    )
    can_reverse = fields.Boolean(compute="_compute_can_reverse")
    fee_currency_id = fields.Many2one(related="order_id.currency_id", string="Fee Currency")
    fee_applicable = fields.Boolean(compute="_compute_fee_applicable")
    reason_fee_amount = fields.Monetary(
        "Fee of the Reason", currency_field="fee_currency_id", compute="_compute_reason_fee_amount"
    )
    fee_amount = fields.Monetary(
        "Cancellation Fee",
        currency_field="fee_currency_id",
        compute="_compute_fee_amount",
        store=True,
        readonly=False,
        precompute=True,
        help="Billed by a posted invoice, taxes included. The reason sets it; users allowed to "
        "cancel with reversal may change it, or set 0 to waive it.",
    )
    impact_line_ids = fields.One2many(
        "sale.order.cancel.impact",
        "wizard_id",
        compute="_compute_impact_line_ids",
        store=True,
        precompute=True,
        readonly=True,
    )

    @api.depends("cancel_reason_id")
    def _compute_note_required(self):
        for wizard in self:
            wizard.note_required = wizard.cancel_reason_id.note_required

    @api.depends("order_id")
    def _compute_reason_required(self):
        for wizard in self:
            wizard.reason_required = wizard.order_id.state == "sale"

    @api.depends("order_id")
    @api.depends_context("uid")
    def _compute_can_reverse(self):
        # The one check of the right, the server's own (`sale.order._can_reverse_documents`).
        for wizard in self:
            wizard.can_reverse = wizard.order_id._can_reverse_documents()

    @api.depends("order_id", "cancel_reason_id")
    def _compute_fee_applicable(self):
        """A fee is shown (and may be changed or waived) only for a reason that bills one: a
        reason without a fee has nothing to waive."""
        for wizard in self:
            wizard.fee_applicable = (
                wizard.order_id.state == "sale"
                and wizard.cancel_reason_id.fee_type not in (False, "none")
            )

    @api.depends("order_id", "cancel_reason_id")
    def _compute_reason_fee_amount(self):
        for wizard in self:
            wizard.reason_fee_amount = (
                wizard.order_id._get_cancel_fee_amount(wizard.cancel_reason_id)
                if wizard.order_id
                else 0.0
            )

    @api.depends("order_id", "cancel_reason_id")
    def _compute_fee_amount(self):
        """The reason's fee, as the engine computes it; choosing another reason resets it."""
        for wizard in self:
            wizard.fee_amount = wizard.reason_fee_amount

    def _get_fee_argument(self):
        """The `fee` argument of the engine: what the wizard shows, where a fee applies."""
        self.ensure_one()
        return self.fee_amount if self.fee_applicable else None

    @api.depends("order_id", "receive_returns", "refund_payments", "cancel_reason_id", "fee_amount")
    def _compute_impact_line_ids(self):
        """The preview follows the ticked options: it is what cancelling with them does."""
        Impact = self.env["sale.order.cancel.impact"]
        for wizard in self:
            wizard.impact_line_ids = Impact._impact_commands(
                wizard.order_id.get_cancel_impact(
                    receive_returns=wizard.receive_returns,
                    refund_payments=wizard.refund_payments,
                    fee=wizard._get_fee_argument(),
                    reason=wizard.cancel_reason_id,
                )
            )

    def action_cancel(self):
        """Extend the native wizard: cancel through the reversal engine with the reason."""
        self.ensure_one()
        return (
            self.order_id.with_context(disable_cancel_warning=True).cancel_with_reversal(
                self.cancel_reason_id,
                note=self.cancel_note,
                receive_returns=self.receive_returns,
                refund_payments=self.refund_payments,
                fee=self._get_fee_argument(),
            )
            and True
        )
