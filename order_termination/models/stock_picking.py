from odoo import api, fields, models
from odoo.exceptions import UserError


class StockPicking(models.Model):
    _inherit = "stock.picking"

    termination_block_message = fields.Char(
        compute="_compute_termination_block_message",
        help="Why this transfer cannot be validated: its sales order is on hold (under a "
        "termination request, or by hand for a reason that blocks deliveries), or closed.",
    )

    @api.depends(
        "state",
        "sale_id.termination_state",
        "sale_id.is_closed",
        "sale_id.hold_reason_id.blocks",
        "move_ids.sale_line_id.order_id.hold_reason_id.blocks",
    )
    @api.depends_context("lang")
    def _compute_termination_block_message(self):
        """The refusal `button_validate` would raise (`_get_validation_error`), shown as the
        transfer's banner; Validate is hidden where it is set."""
        for picking in self:
            open_picking = picking.state not in ("done", "cancel")
            picking.termination_block_message = open_picking and picking._get_validation_error()

    def _get_termination_orders(self):
        """Sale orders whose hold or closed state governs these pickings: their deliveries
        and returns, not the receipts of purchases made for them."""
        outgoing = self.filtered(lambda p: p.picking_type_code != "incoming")
        # Warehouse users may not read sales orders: found as superuser, only to be checked.
        return (outgoing.sale_id | self.move_ids.sale_line_id.order_id).sudo()

    def _get_validation_error(self):
        """Why these transfers may not be validated because of their sales orders (on hold,
        closed), or False: deliveries are checked as `deliver`, returns (incoming transfers)
        as `return`, which a hold placed by hand for deliveries does not refuse."""
        returns = self.filtered(lambda p: p.picking_type_code == "incoming")
        return (self - returns)._get_termination_orders()._get_order_editable_error(
            "deliver"
        ) or returns._get_termination_orders()._get_order_editable_error("return")

    def _check_validation_allowed(self):
        message = self._get_validation_error()
        if message:
            raise UserError(message)

    def button_validate(self):
        self._check_validation_allowed()
        return super().button_validate()

    def _action_done(self):
        self._check_validation_allowed()
        return super()._action_done()
