from markupsafe import Markup

from odoo import api, fields, models

from ..tools import picking_demand


class SaleMassCancelOrders(models.TransientModel):
    _inherit = "sale.mass.cancel.orders"

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
        help="Pay back the money already received, by an outbound payment on the credit notes. "
        "Otherwise it stays on the customer's account as credit.",
    )
    impact_line_ids = fields.One2many(
        "sale.order.cancel.impact",
        "mass_cancel_id",
        string="Preview",
        compute="_compute_impact_line_ids",
        store=True,
        precompute=True,
        readonly=True,
        # The refusals are the current user's: never computed as superuser.
        compute_sudo=False,
    )
    run_in_background = fields.Boolean(
        compute="_compute_run_in_background",
        help="More orders than the company's background threshold: a batch cancels them.",
    )
    result = fields.Html(readonly=True)
    result_line_ids = fields.One2many(
        "sale.order.cancel.impact", "mass_result_id", string="Documents Made", readonly=True
    )

    @api.depends("cancel_reason_id")
    def _compute_note_required(self):
        for wizard in self:
            wizard.note_required = wizard.cancel_reason_id.note_required

    @api.depends("sale_order_ids")
    def _compute_run_in_background(self):
        Batch = self.env["sale.order.batch"]
        for wizard in self:
            wizard.run_in_background = Batch._runs_in_background(wizard.sale_order_ids)

    @api.depends("sale_order_ids", "cancel_reason_id", "receive_returns", "refund_payments")
    @api.depends_context("uid")
    def _compute_impact_line_ids(self):
        """Per order, what cancelling it with these options does (`get_cancel_impact`, as in
        the cancel wizard), or why it would be refused (`_get_cancel_error`, the check the
        cancellation runs) for the current user. Not for a selection that runs in the
        background: previewing it would cost the web request the batch saves; the batch's
        results say per order what was made or why not."""
        Impact = self.env["sale.order.cancel.impact"]
        for wizard in self:
            commands = []
            if wizard.run_in_background:
                wizard.impact_line_ids = [fields.Command.clear()]
                continue
            for order in wizard.sale_order_ids._origin:
                commands += Impact._impact_commands(wizard._get_order_preview(order), order)[1:]
            wizard.impact_line_ids = [fields.Command.clear(), *commands]

    def _get_order_preview(self, order):
        """Impact lines (`get_cancel_impact` dicts) of one order, headed by the order."""
        self.ensure_one()
        error = order._get_cancel_error(self.receive_returns, self.refund_payments)
        head = order._impact_line("refused" if error else "order_cancelled", order)
        if error:
            return [{**head, "note": error.args[0]}]
        # The preview changes nothing: as superuser, like the cancel wizard's (whose stored
        # preview is computed so), since it names purchases a salesman may not read.
        impact = order.sudo().get_cancel_impact(
            receive_returns=self.receive_returns,
            refund_payments=self.refund_payments,
            reason=self.cancel_reason_id,
        )
        return [head, *impact]

    def action_mass_cancel(self):
        """Replace the native mass cancel: one savepoint per order, and a report of each
        with the documents its cancellation made. Above the company's background threshold,
        a `sale.order.batch` does the same order by order (`_try_cancel_with_reversal`, the
        step both share) and the user follows it on the batch's form."""
        self.ensure_one()
        Batch = self.env["sale.order.batch"]
        if Batch._runs_in_background(self.sale_order_ids):
            return Batch._create_batch(
                "cancel",
                self.sale_order_ids,
                cancel_reason_id=self.cancel_reason_id.id,
                note=self.cancel_note or False,
                receive_returns=self.receive_returns,
                refund_payments=self.refund_payments,
            ).action_open()
        done, failed = [], []
        for order in self.sale_order_ids:
            cancellation, error = order._try_cancel_with_reversal(
                self.cancel_reason_id,
                note=self.cancel_note,
                receive_returns=self.receive_returns,
                refund_payments=self.refund_payments,
            )
            if error:
                failed.append((order, error))
            else:
                done.append((order, cancellation))
        Impact = self.env["sale.order.cancel.impact"]
        commands = []
        for order, cancellation in done:
            commands += Impact._impact_commands(self._get_result_lines(cancellation), order)[1:]
        for order, why in failed:
            line = {**order._impact_line("refused", order), "note": why}
            commands += Impact._impact_commands([line], order)[1:]
        self.write(
            {
                "result": self._render_result([order for order, _c in done], failed),
                "result_line_ids": [fields.Command.clear(), *commands],
            }
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Cancellation Result"),
        }

    def _get_result_lines(self, cancellation):
        """What the cancellation made and changed, from its ledger, in the shape of
        `get_cancel_impact` (documents that can be opened)."""
        # Names and amounts of the documents the user's cancellation just made, some of which
        # (refund payments) salesmen may not read: read-only, as superuser.
        cancellation = cancellation.sudo()
        order = cancellation.order_id
        lines = [order._impact_line("order_cancelled", order)]
        for picking in cancellation.cancelled_picking_ids:
            # Its moves are cancelled now: the quantity it would have delivered, as previewed.
            demand = sum(picking.move_ids.mapped("product_uom_qty"))
            lines.append(order._impact_line("cancel_picking", picking, demand))
        for picking in cancellation.return_picking_ids:
            lines.append(order._impact_line("return_picking", picking, picking_demand(picking)))
        for invoice in cancellation.cancelled_invoice_ids:
            lines.append(order._impact_line("cancel_invoice", invoice, False, invoice.amount_total))
        for credit_note in cancellation.credit_note_ids:
            lines.append(
                order._impact_line("credit_note", credit_note, False, credit_note.amount_total)
            )
        for payment in cancellation.refund_payment_ids:
            lines.append(order._impact_line("refund_payment", payment, False, payment.amount))
        if cancellation.fee_invoice_id:
            fee_invoice = cancellation.fee_invoice_id
            lines.append(
                order._impact_line("fee_invoice", fee_invoice, False, fee_invoice.amount_total)
            )
        return lines

    def _render_result(self, done, failed):
        rows = Markup()
        for order in done:
            rows += Markup("<li>%s</li>") % self.env._("%s was cancelled.", order.name)
        for order, why in failed:
            rows += Markup("<li><b>%s</b> %s</li>") % (
                self.env._("%s was not cancelled.", order.name),
                why,
            )
        return Markup("<ul>%s</ul>") % rows
