from odoo import api, fields, models


class SaleOrderRevokeCancel(models.TransientModel):
    """Extend order_revoke_cancel: revoking a terminated order revokes its termination (see
    `sale.order.revoke_cancel` and `sale.termination.request._mark_revoked`); the wizard says
    so before the click."""

    _inherit = "sale.order.revoke.cancel"

    termination_notice = fields.Text(
        compute="_compute_termination_notice",
        help="What the revoke does to the termination request that cancelled the order.",
    )

    @api.depends("order_id")
    def _compute_termination_notice(self):
        for wizard in self:
            wizard.termination_notice = "\n".join(
                wizard._termination_notice_sentence(request)
                for request in wizard._get_revoked_requests()
            )

    def _get_revoked_requests(self):
        """The requests `revoke_cancel` marks Revoked: the executed ones whose cancellation
        the revoke undoes."""
        self.ensure_one()
        order = self.order_id
        if order.termination_state != "terminated":
            return self.env["sale.termination.request"]
        cancellation = order._get_last_cancellation()
        return order.termination_request_ids.filtered(
            lambda r: r.state == "done" and r.cancellation_id == cancellation
        )

    def _termination_notice_sentence(self, request):
        # The same condition as `_mark_revoked`, which emails the customer.
        if request.customer_response == "confirmed":
            return self.env._(
                "%(request)s will be marked Revoked, and %(customer)s, who confirmed the "
                "termination, will be told by email that the order carries on.",
                request=request.name,
                customer=request.partner_id.display_name,
            )
        if request.origin == "portal":
            return self.env._(
                "%(request)s will be marked Revoked, and %(customer)s, who asked for the "
                "termination, will be told by email that the order carries on.",
                request=request.name,
                customer=request.partner_id.display_name,
            )
        return self.env._(
            "%(request)s will be marked Revoked; the customer is not emailed (they neither "
            "asked for the termination nor confirmed it).",
            request=request.name,
        )
