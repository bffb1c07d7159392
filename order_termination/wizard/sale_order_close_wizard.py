from odoo import Command, api, fields, models


class SaleOrderCloseWizard(models.TransientModel):
    _name = "sale.order.close.wizard"
    _description = "Close an Order"

    order_id = fields.Many2one("sale.order", required=True, readonly=True)
    check_ids = fields.One2many(
        "sale.order.close.wizard.check",
        "wizard_id",
        compute="_compute_check_ids",
        store=True,
        readonly=True,
    )
    all_ok = fields.Boolean(compute="_compute_check_ids", store=True)
    reason_id = fields.Many2one("sale.close.reason")
    note = fields.Text()
    force = fields.Boolean(
        help="Close although checks failed: open deliveries and pending returns are cancelled.",
        compute="_compute_force",
        store=True,
        readonly=False,
        precompute=True,
    )
    can_close = fields.Boolean(compute="_compute_refusals")
    can_force = fields.Boolean(compute="_compute_refusals")
    close_refusal = fields.Text(compute="_compute_refusals")
    force_refusal = fields.Text(compute="_compute_refusals")
    refund_payments = fields.Boolean(
        help="Money already received for what is credited is paid back to the customer "
        "instead of staying as credit."
    )
    impact_html = fields.Html(
        compute="_compute_impact_html",
        sanitize=False,
        help="What a short close does: the plan `close(force=True)` applies.",
    )

    @api.depends("order_id")
    def _compute_check_ids(self):
        for wizard in self:
            checks = wizard.order_id.get_close_checklist() if wizard.order_id else []
            wizard.check_ids = [Command.clear()] + [
                Command.create(
                    {
                        "code": c["code"],
                        "label": c["label"],
                        "ok": c["ok"],
                        "detail": c["detail"],
                    }
                )
                for c in checks
            ]
            wizard.all_ok = all(c["ok"] for c in checks)

    @api.depends("order_id")
    @api.depends_context("uid")
    def _compute_refusals(self):
        """What `close` would answer (`sale.order._get_close_error`): the wizard offers a
        close, or a short close, only where it works for the current user, and otherwise
        says why not."""
        for wizard in self:
            order = wizard.order_id
            close_error = order._get_close_error() if order else False
            force_error = order._get_close_error(force=True) if order and close_error else False
            wizard.can_close = bool(order) and not close_error
            wizard.can_force = bool(close_error) and not force_error
            wizard.close_refusal = close_error and close_error.args[0]
            wizard.force_refusal = force_error and force_error.args[0]

    @api.depends("order_id")
    @api.depends_context("uid")
    def _compute_force(self):
        """An order that can only be closed short opens with the short close chosen: the
        wizard offers what works (the order's button then reads Short Close)."""
        for wizard in self:
            wizard.force = not wizard.can_close and wizard.can_force

    @api.depends("order_id", "force", "refund_payments")
    @api.depends_context("uid")
    def _compute_impact_html(self):
        for wizard in self:
            wizard.impact_html = (
                wizard.order_id._get_short_close_impact_html(wizard.refund_payments)
                if wizard.order_id and wizard.force and wizard.can_force
                else False
            )

    def action_close(self):
        """Delegate to `sale.order.close`, which checks the list and the rights again."""
        self.ensure_one()
        self.order_id.close(
            reason=self.reason_id,
            note=self.note,
            force=self.force,
            refund_payments=self.refund_payments,
        )
        return {"type": "ir.actions.act_window_close"}
