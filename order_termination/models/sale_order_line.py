"""The order line in order_termination: it follows its order's hold and close (edits refused
while the order is on hold or closed), and it can be closed on its own (`close_lines`, in
`sale_order_close_lines`).

The line's close fields are state fields: only `close_lines` and `reopen_lines` write them
(`check_state_write`, as the order's close fields).
"""

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare

from odoo.addons.order_revoke_cancel.tools.call_scope import check_state_write

# Line fields written by `close_lines` and `reopen_lines` only.
LINE_CLOSE_FIELDS = (
    "is_closed",
    "close_date",
    "close_user_id",
    "close_reason_id",
    "close_note",
    "close_cancelled_move_ids",
    "close_return_picking_ids",
    "close_credit_note_ids",
    "close_refund_payment_ids",
)

# What a closed line refuses to change: it was settled at what was delivered.
CLOSED_LINE_FROZEN_FIELDS = frozenset(
    {
        "product_id",
        "product_uom_qty",
        "product_uom",
        "price_unit",
        "discount",
        "tax_id",
        # Delivered by hand (services): a closed line was settled at what was delivered.
        "qty_delivered",
    }
)


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    is_closed = fields.Boolean("Closed", readonly=True, copy=False, index=True)
    close_date = fields.Datetime("Closed On", readonly=True, copy=False)
    close_user_id = fields.Many2one("res.users", "Closed By", readonly=True, copy=False)
    close_reason_id = fields.Many2one("sale.close.reason", readonly=True, copy=False)
    close_note = fields.Text(readonly=True, copy=False, groups="base.group_user")
    # What the close of the line did, so that reopen_lines undoes exactly that.
    close_cancelled_move_ids = fields.Many2many(
        "stock.move",
        "sale_order_line_close_move_rel",
        "line_id",
        "move_id",
        string="Moves Cancelled by the Close",
        readonly=True,
        copy=False,
    )
    close_return_picking_ids = fields.Many2many(
        "stock.picking",
        "sale_order_line_close_return_rel",
        "line_id",
        "picking_id",
        string="Returns to Stock of Line Closes",
        help="Returns that closes of the line made to take goods picked or packed for the "
        "customer back to stock. Kept after a reopen, as for the order: what they took back is "
        "no longer on its way to the customer, so it is picked again.",
        readonly=True,
        copy=False,
    )
    close_credit_note_ids = fields.Many2many(
        "account.move",
        "sale_order_line_close_credit_note_rel",
        "line_id",
        "move_id",
        string="Credit Notes of the Close",
        readonly=True,
        copy=False,
    )
    close_refund_payment_ids = fields.Many2many(
        "account.payment",
        "sale_order_line_close_refund_rel",
        "line_id",
        "payment_id",
        string="Refunds of the Close",
        readonly=True,
        copy=False,
    )

    # ------------------------------------------------------------------
    # CRUD: state fields, holds and closed lines
    # ------------------------------------------------------------------
    @api.model
    def _get_line_state_field_methods(self):
        """The line's state fields, each with the methods that change it."""
        return dict.fromkeys(LINE_CLOSE_FIELDS, ("close_lines", "reopen_lines"))

    @api.model
    def _get_hold_free_fields(self):
        """Line fields the order's own flows may write while it is on hold or closed."""
        return {"invoice_lines", "move_ids"}

    @api.model_create_multi
    def create(self, vals_list):
        methods = self._get_line_state_field_methods()
        check_state_write(self.browse(), {name for vals in vals_list for name in vals}, methods)
        orders = self.env["sale.order"].browse(
            {vals["order_id"] for vals in vals_list if vals.get("order_id")}
        )
        orders._check_order_editable("modify")
        lines = super().create(vals_list)
        # And on the created lines, so that defaults (context, ir.default) count too.
        check_state_write(lines, [name for name in methods if any(lines.mapped(name))], methods)
        return lines

    def write(self, vals):
        check_state_write(self, vals, self._get_line_state_field_methods())
        if set(vals) - self._get_hold_free_fields():
            self.order_id._check_order_editable("modify")
        closed = self.filtered("is_closed")
        if closed and CLOSED_LINE_FROZEN_FIELDS & set(vals):
            line = closed[:1]
            raise UserError(
                self.env._(
                    "%(line)s of %(order)s is closed and cannot be changed: a termination "
                    "manager reopens the line first.",
                    line=line.product_id.display_name or line.name,
                    order=line.order_id.name,
                )
            )
        return super().write(vals)

    def unlink(self):
        self.order_id._check_order_editable("modify")
        return super().unlink()

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    @api.depends("is_closed", "order_id.is_closed")
    def _compute_qty_to_invoice(self):
        """A closed line, or a line of a closed order, has nothing left to invoice: a short
        close settled it at what was delivered, so it never shows up "to invoice" again."""
        res = super()._compute_qty_to_invoice()
        self.filtered(lambda line: line.is_closed or line.order_id.is_closed).qty_to_invoice = 0.0
        return res

    # ------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------
    def _action_launch_stock_rule(self, previous_product_uom_qty=False):
        """A closed line is never procured again until it is reopened (a reopen of the order,
        a change of another line, a revoke plan the open lines only)."""
        return super(
            SaleOrderLine, self.filtered(lambda line: not line.is_closed)
        )._action_launch_stock_rule(previous_product_uom_qty=previous_product_uom_qty)

    def _is_fully_cancelled(self):
        """Whether the whole ordered quantity of this line is cancelled (`qty_cancelled`, by
        cancellations of lines or of the order): the one predicate the line close and the
        order's close by its lines read."""
        self.ensure_one()
        if self.order_id.state == "cancel":
            return True
        return (
            float_compare(
                self.qty_cancelled,
                self.product_uom_qty,
                precision_rounding=self.product_uom.rounding or 0.01,
            )
            >= 0
        )

    def _is_closable_line(self):
        """A line `close_lines` may close: a product or service line (not a note, section,
        down payment or combo, whose items are closed instead)."""
        self.ensure_one()
        return bool(
            self.product_id
            and not self.display_type
            and not self.is_downpayment
            and self.product_id.type != "combo"
        )

    def _get_close_line_label(self):
        self.ensure_one()
        return self.product_id.display_name or self.name
