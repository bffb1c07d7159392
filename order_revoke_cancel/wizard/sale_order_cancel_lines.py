from odoo import api, fields, models
from odoo.exceptions import UserError


class SaleOrderCancelLines(models.TransientModel):
    """Cancel Lines: the quantities to cancel per line, the reason, the options and the
    preview of every document it makes. It only collects them: `sale.order.cancel_lines`
    checks and does the work."""

    _name = "sale.order.cancel.lines"
    _description = "Cancel Lines of a Sales Order"

    order_id = fields.Many2one("sale.order", required=True, readonly=True, ondelete="cascade")
    line_ids = fields.One2many(
        "sale.order.cancel.lines.line",
        "wizard_id",
        "Lines",
        compute="_compute_line_ids",
        store=True,
        readonly=False,
        precompute=True,
    )
    cancel_reason_id = fields.Many2one(
        "sale.order.cancel.reason", "Cancellation Reason", required=True
    )
    cancel_note = fields.Text("Note")
    note_required = fields.Boolean(compute="_compute_note_required")
    receive_returns = fields.Boolean(
        "Receive Returns Now",
        help="Validate the return pickings at once, as if the goods were already back.",
    )
    refund_payments = fields.Boolean(
        help="Pay back the money received for what is cancelled, by an outbound payment on the "
        "credit notes. Otherwise it stays on the customer's account as credit.",
    )
    can_reverse = fields.Boolean(compute="_compute_can_reverse")
    fee_currency_id = fields.Many2one(related="order_id.currency_id", string="Fee Currency")
    fee_applicable = fields.Boolean(compute="_compute_fee_applicable")
    fee_amount = fields.Monetary(
        "Cancellation Fee",
        currency_field="fee_currency_id",
        compute="_compute_fee_amount",
        store=True,
        readonly=False,
        precompute=True,
        help="Billed by a posted invoice, taxes included: the reason's fee on what is "
        "cancelled. Users allowed to cancel with reversal may change it, or set 0 to waive it.",
    )
    impact_line_ids = fields.One2many(
        "sale.order.cancel.impact",
        "cancel_lines_wizard_id",
        compute="_compute_impact_line_ids",
        store=True,
        precompute=True,
        readonly=True,
    )
    impact_error = fields.Char(compute="_compute_impact_line_ids", store=True, precompute=True)

    @api.depends("order_id")
    def _compute_line_ids(self):
        Line = self.env["sale.order.cancel.lines.line"]
        for wizard in self:
            wizard.line_ids = Line._prepare_wizard_line_commands(wizard.order_id)

    @api.depends("cancel_reason_id")
    def _compute_note_required(self):
        for wizard in self:
            wizard.note_required = wizard.cancel_reason_id.note_required

    @api.depends("order_id")
    @api.depends_context("uid")
    def _compute_can_reverse(self):
        # The one check of the right, the server's own (`sale.order._can_reverse_documents`).
        for wizard in self:
            wizard.can_reverse = wizard.order_id._can_reverse_documents()

    @api.depends("cancel_reason_id")
    def _compute_fee_applicable(self):
        for wizard in self:
            wizard.fee_applicable = wizard.cancel_reason_id.fee_type not in (False, "none")

    @api.depends("cancel_reason_id", "line_ids.quantity")
    def _compute_fee_amount(self):
        """The reason's fee on what is cancelled, as the engine computes it."""
        for wizard in self:
            order = wizard.order_id
            wizard.fee_amount = (
                order._get_cancel_fee_amount(
                    wizard.cancel_reason_id,
                    base=order._get_line_cancel_amount(wizard._get_quantities()),
                )
                if order
                else 0.0
            )

    def _get_quantities(self):
        """The `quantities` argument of the engine: the lines given a quantity."""
        self.ensure_one()
        return {line.sale_line_id: line.quantity for line in self.line_ids if line.quantity > 0}

    def _get_fee_argument(self):
        self.ensure_one()
        return self.fee_amount if self.fee_applicable else None

    @api.depends(
        "line_ids.quantity", "receive_returns", "refund_payments", "cancel_reason_id", "fee_amount"
    )
    def _compute_impact_line_ids(self):
        """The preview follows the quantities and options: it is what cancelling them does.
        A quantity the engine refuses shows the refusal instead."""
        Impact = self.env["sale.order.cancel.impact"]
        for wizard in self:
            quantities = {line.id: qty for line, qty in wizard._get_quantities().items()}
            wizard.impact_error = False
            if not quantities:
                wizard.impact_line_ids = [fields.Command.clear()]
                continue
            try:
                impact = wizard.order_id.get_line_cancel_impact(
                    quantities,
                    receive_returns=wizard.receive_returns,
                    refund_payments=wizard.refund_payments,
                    fee=wizard._get_fee_argument(),
                    reason=wizard.cancel_reason_id,
                )
            except UserError as error:
                wizard.impact_line_ids = [fields.Command.clear()]
                wizard.impact_error = error.args[0]
                continue
            wizard.impact_line_ids = Impact._impact_commands(impact)

    def action_cancel_lines(self):
        """Cancel the quantities through the engine, which checks everything again."""
        self.ensure_one()
        self.order_id.cancel_lines(
            {line.id: qty for line, qty in self._get_quantities().items()},
            self.cancel_reason_id,
            note=self.cancel_note,
            receive_returns=self.receive_returns,
            refund_payments=self.refund_payments,
            fee=self._get_fee_argument(),
        )
        return {"type": "ir.actions.act_window_close"}
