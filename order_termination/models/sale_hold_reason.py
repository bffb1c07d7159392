from odoo import api, fields, models

# What each kind of hold refuses, in the actions of `sale.order._check_order_editable`.
HOLD_BLOCKED_ACTIONS = {
    "delivery": frozenset({"deliver"}),
    "invoicing": frozenset({"invoice", "post_invoice"}),
    "all": frozenset(
        {"modify", "confirm", "cancel", "invoice", "post_invoice", "deliver", "return", "close"}
    ),
}


class SaleHoldReason(models.Model):
    """Why an order is put on hold by hand (credit check, dispute...), what the hold blocks
    and who may place and release it."""

    _name = "sale.hold.reason"
    _description = "Order Hold Reason"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    blocks = fields.Selection(
        [
            ("delivery", "Deliveries"),
            ("invoicing", "Invoicing"),
            ("all", "Everything"),
        ],
        required=True,
        default="all",
        help="Deliveries: no delivery of the order can be validated. Invoicing: the order "
        "cannot be invoiced and its invoices cannot be posted. Everything: the order cannot be "
        "modified, confirmed, cancelled, invoiced, delivered or closed, as under a termination "
        "request.",
    )
    group_id = fields.Many2one(
        "res.groups",
        "Placed and Released By",
        required=True,
        default=lambda self: self.env.ref("sales_team.group_sale_salesman"),
        ondelete="restrict",
        help="Members of this group may place an order on hold for this reason and release "
        "it; termination managers always may.",
    )
    company_id = fields.Many2one(
        "res.company", help="Leave empty to use the reason in every company."
    )
    active = fields.Boolean(default=True)

    @api.model
    def _get_blocked_actions(self, blocks):
        """The actions of `_check_order_editable` a hold of kind `blocks` refuses."""
        return HOLD_BLOCKED_ACTIONS.get(blocks, frozenset())

    def _may_hold(self, user):
        """Whether `user` may place and release holds for this reason."""
        self.ensure_one()
        # The reason's group is read whoever asks (a salesman may not read res.groups'
        # members): read-only, as superuser.
        return user.has_group("order_termination.group_termination_manager") or (
            self.sudo().group_id in user.sudo().groups_id
        )
