from odoo import fields, models


class SaleTerminationReason(models.Model):
    """Why an order is terminated; says whether the customer confirms and which
    cancellation reason the reversal engine records."""

    _name = "sale.termination.reason"
    _description = "Order Termination Reason"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", help="Leave empty to use the reason in every company."
    )
    customer_confirmation = fields.Boolean(
        help="Requests with this reason ask the customer to confirm the termination on the "
        "portal before it is executed (the requester may change it per request)."
    )
    customer_selectable = fields.Boolean(
        string="Offered to Customers",
        help="Customers choose among these reasons when they request the cancellation of "
        "their order on the portal.",
    )
    cancel_reason_id = fields.Many2one(
        "sale.order.cancel.reason",
        string="Cancellation Reason",
        check_company=True,
        help="Recorded on the order when it is terminated. When empty, the reason "
        "“Order terminated” is used.",
    )

    def _get_cancel_reason(self):
        """The cancellation reason the reversal engine records for a termination."""
        self.ensure_one()
        return self.cancel_reason_id or self.env.ref(
            "order_termination.cancel_reason_order_terminated"
        )
