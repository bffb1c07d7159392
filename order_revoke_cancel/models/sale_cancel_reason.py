from odoo import api, fields, models
from odoo.exceptions import ValidationError


class SaleCancelReason(models.Model):
    _name = "sale.order.cancel.reason"
    _description = "Sales Order Cancellation Reason"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    note_required = fields.Boolean(help="Cancelling with this reason requires an explanatory note.")
    company_id = fields.Many2one(
        "res.company", help="Leave empty to use this reason in every company."
    )
    fee_type = fields.Selection(
        [
            ("none", "No Fee"),
            ("percent", "Percentage of the Order Total"),
            ("fixed", "Fixed Amount"),
        ],
        "Cancellation Fee",
        default="none",
        required=True,
        help="What a confirmed order cancelled for this reason bills to the customer. "
        "Quotations never carry a fee.",
    )
    fee_value = fields.Float(
        "Fee",
        digits="Account",
        help="Percentage of the order total (taxes included), or an amount in the order's "
        "currency, that the fee invoice bills, taxes of the fee product included.",
    )
    fee_product_id = fields.Many2one(
        "product.product",
        check_company=True,
        domain="[('type', '=', 'service'), ('sale_ok', '=', True)]",
        help="Service product of the fee invoice line (its taxes and income account apply). "
        "Leave empty to use the shipped “Cancellation fee” product.",
    )

    _sql_constraints = [
        ("fee_value_positive", "CHECK(fee_value >= 0)", "A cancellation fee cannot be negative."),
    ]

    @api.constrains("fee_type", "fee_value", "fee_product_id")
    def _check_fee(self):
        for reason in self:
            if reason.fee_type == "percent" and reason.fee_value > 100:
                raise ValidationError(
                    self.env._(
                        "The fee of the reason “%s” cannot be more than 100%% of the order total.",
                        reason.name,
                    )
                )
            if reason.fee_product_id and reason.fee_product_id.type != "service":
                raise ValidationError(
                    self.env._("The fee product of the reason “%s” must be a service.", reason.name)
                )

    def _get_fee_product(self):
        """The product of the fee invoice line: the reason's, else the shipped one (also for
        a fee given without a reason, in a preview)."""
        return self[:1].fee_product_id or self.env.ref(
            "order_revoke_cancel.product_cancellation_fee", raise_if_not_found=False
        )
