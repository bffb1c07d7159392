from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.tools import format_date

from odoo.addons.sale.models.sale_order import SALE_ORDER_STATE


class SaleOrderCancellation(models.Model):
    """The ledger of one cancellation: what the order was and which documents changed.

    Revoke reads nothing but this record, which is what makes it exact.
    """

    _name = "sale.order.cancellation"
    _description = "Sales Order Cancellation"
    _inherit = ["mail.thread"]
    _order = "date desc, id desc"
    _check_company_auto = True
    # Users only read the ledger (it is evidence); reading is enough to use its chatter.
    _mail_post_access = "read"

    # Not stored: the name is a sentence in the reader's language, with the date in the
    # reader's format (a stored name would be English with an ISO date for everybody).
    name = fields.Char(compute="_compute_name", search="_search_name")
    order_id = fields.Many2one(
        "sale.order", required=True, ondelete="cascade", index=True, check_company=True
    )
    company_id = fields.Many2one(related="order_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="order_id.currency_id", store=True)
    partner_id = fields.Many2one(related="order_id.partner_id", store=True, string="Customer")
    salesperson_id = fields.Many2one(related="order_id.user_id", store=True, string="Salesperson")
    amount_total = fields.Monetary(
        "Order Total", currency_field="currency_id", readonly=True, aggregator="sum"
    )
    reason_id = fields.Many2one(
        "sale.order.cancel.reason", readonly=True, index=True, check_company=True
    )
    note = fields.Text(readonly=True)
    user_id = fields.Many2one("res.users", "Cancelled By", readonly=True, index=True)
    date = fields.Datetime("Cancelled On", readonly=True, index=True)
    state = fields.Selection(
        [("cancelled", "Cancelled"), ("revoked", "Revoked")],
        default="cancelled",
        required=True,
        readonly=True,
        tracking=True,
    )
    scope = fields.Selection(
        [("order", "Whole Order"), ("lines", "Lines")],
        default="order",
        required=True,
        readonly=True,
        help="Whether the whole order was cancelled, or quantities of some of its lines "
        "(the order then stays confirmed).",
    )
    receive_returns = fields.Boolean("Returns Received at Once", readonly=True)
    refund_payments = fields.Boolean("Payments Refunded", readonly=True)

    # What revoke must restore.
    previous_state = fields.Selection(SALE_ORDER_STATE, "Status Before", readonly=True)
    previous_locked = fields.Boolean("Was Locked", readonly=True)
    previous_date_order = fields.Datetime("Order Date Before", readonly=True)
    previous_signature = fields.Image(readonly=True, attachment=True, max_width=1024)
    previous_signed_by = fields.Char(readonly=True)
    previous_signed_on = fields.Datetime(readonly=True)
    previous_receivable = fields.Monetary(
        "Open Receivable Before",
        currency_field="company_currency_id",
        readonly=True,
        help="Open amount of the order's customer invoices, in company currency.",
    )
    company_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Company Currency"
    )
    line_ids = fields.One2many("sale.order.cancellation.line", "cancellation_id", readonly=True)

    # What the cancellation did.
    return_picking_ids = fields.Many2many(
        "stock.picking", "sale_cancellation_return_picking_rel", string="Returns", readonly=True
    )
    cancelled_picking_ids = fields.Many2many(
        "stock.picking",
        "sale_cancellation_cancelled_picking_rel",
        string="Cancelled Deliveries",
        readonly=True,
    )
    reduced_picking_ids = fields.Many2many(
        "stock.picking",
        "sale_cancellation_reduced_picking_rel",
        string="Deliveries Reduced",
        readonly=True,
        help="Open deliveries that a cancellation of lines reduced, and the transfers Odoo "
        "made to take back to stock what a done step had brought on the way.",
    )
    credit_note_ids = fields.Many2many(
        "account.move", "sale_cancellation_credit_note_rel", string="Credit Notes", readonly=True
    )
    cancelled_invoice_ids = fields.Many2many(
        "account.move",
        "sale_cancellation_cancelled_invoice_rel",
        string="Cancelled Draft Invoices",
        readonly=True,
    )
    refund_payment_ids = fields.Many2many(
        "account.payment", "sale_cancellation_refund_payment_rel", string="Refunds", readonly=True
    )
    # Only billing users may read payment transactions: the field is theirs.
    refund_transaction_ids = fields.Many2many(
        "payment.transaction",
        "sale_cancellation_refund_transaction_rel",
        string="Refunds Through the Provider",
        readonly=True,
        groups="account.group_account_invoice",
        help="The refund transactions the cancellation asked the payment providers for: the "
        "money went back the way it came (card, wallet). A refund the provider confirms later "
        "gets its payment then.",
    )
    # Billing users' field, as the refunds through the provider; written as superuser only (the
    # ledger is evidence), by the cancellation that voided them (`sale_order_prepayment.py`).
    void_transaction_ids = fields.Many2many(
        "payment.transaction",
        "sale_cancellation_void_transaction_rel",
        string="Authorizations Voided",
        readonly=True,
        groups="account.group_account_invoice",
        help="The payment authorizations of the order (money held on the customer's card, not "
        "captured) that the cancellation voided. A voided authorization cannot be restored: "
        "revoke leaves the order to be paid again.",
    )
    fee_invoice_id = fields.Many2one(
        "account.move", readonly=True, index="btree_not_null", copy=False
    )
    fee_amount = fields.Monetary(
        "Cancellation Fee",
        currency_field="currency_id",
        readonly=True,
        aggregator="sum",
        help="Total of the fee invoice, taxes included, in the order's currency.",
    )
    reason_fee_amount = fields.Monetary(
        "Fee of the Reason",
        currency_field="currency_id",
        readonly=True,
        help="The fee the reason asked for when the order was cancelled.",
    )
    fee_policy = fields.Selection(
        [("reason", "Fee of the Reason"), ("waived", "Waived"), ("changed", "Changed")],
        "Fee",
        default="reason",
        readonly=True,
        help="Whether the user who cancelled kept, waived or changed the reason's fee.",
    )

    # What revoke did.
    revoke_user_id = fields.Many2one("res.users", "Revoked By", readonly=True)
    revoke_date = fields.Datetime("Revoked On", readonly=True)
    revoke_note = fields.Text(readonly=True)
    revoke_cancelled_return_ids = fields.Many2many(
        "stock.picking",
        "sale_cancellation_revoke_return_rel",
        string="Returns Cancelled by Revoke",
        readonly=True,
    )
    revoke_picking_ids = fields.Many2many(
        "stock.picking",
        "sale_cancellation_revoke_picking_rel",
        string="New Deliveries",
        readonly=True,
    )
    revoke_invoice_ids = fields.Many2many(
        "account.move",
        "sale_cancellation_revoke_invoice_rel",
        string="Invoices Reversing Credit Notes",
        readonly=True,
    )
    restored_invoice_ids = fields.Many2many(
        "account.move",
        "sale_cancellation_restored_invoice_rel",
        string="Invoices Back to Draft",
        readonly=True,
    )
    fee_credit_note_id = fields.Many2one(
        "account.move", "Credit Note of the Fee", readonly=True, copy=False
    )

    @api.model_create_multi
    def create(self, vals_list):
        """Record the refund transactions of the new cancellations (`_record_refund_transactions`),
        whichever path made them (whole order, lines: see `write`)."""
        cancellations = super().create(vals_list)
        cancellations._record_refund_transactions()
        return cancellations

    def write(self, vals):
        """A cancellation of lines writes its credit notes once they are made: its refund
        transactions are recorded then (`_record_refund_transactions`)."""
        res = super().write(vals)
        if "credit_note_ids" in vals:
            self._record_refund_transactions()
        return res

    def _record_refund_transactions(self):
        """Add to the ledger the refund transactions the engine linked to its credit notes
        (`sale.order._refund_through_provider`). As superuser: the ledger is evidence that no
        user writes, and a salesman's cancellation path reads no transaction of its own."""
        credit_notes = self.credit_note_ids
        if not credit_notes:
            return
        refunds = (
            self.env["payment.transaction"]
            .sudo()
            .search([("operation", "=", "refund"), ("invoice_ids", "in", credit_notes.ids)])
        )
        for cancellation in self:
            mine = refunds.filtered(lambda t, c=cancellation: t.invoice_ids & c.credit_note_ids)
            if mine:
                # Linked, not set: refunds of prepayments (no credit note) are written with
                # the ledger's values.
                cancellation.sudo().refund_transaction_ids = [Command.link(t.id) for t in mine]

    @api.depends("order_id.name", "date")
    @api.depends_context("lang", "tz")
    def _compute_name(self):
        for cancellation in self:
            if not cancellation.date:
                cancellation.name = cancellation.order_id.name or False
                continue
            # The day as the reader's calendar says, in the reader's date format.
            day = fields.Datetime.context_timestamp(cancellation, cancellation.date).date()
            cancellation.name = self.env._(
                "%(order)s cancelled on %(date)s",
                order=cancellation.order_id.name,
                date=format_date(self.env, day),
            )

    def _search_name(self, operator, value):
        """Finding a cancellation by name is finding it by its order's reference."""
        return [("order_id.name", operator, value)]

    def _get_customer_document_attachments(self):
        """Copies, on the order, of the documents the customer receives with the cancellation
        email: the posted credit notes and fee invoice, generated by Odoo's invoice sending
        (`account.move.send`, so that the company's electronic invoice formats apply), without
        sending them on their own."""
        self.ensure_one()
        moves = (self.credit_note_ids | self.fee_invoice_id).filtered(lambda m: m.state == "posted")
        if not moves:
            return self.env["ir.attachment"]
        # As superuser for this step only: the user who cancelled may not write invoices,
        # and generating their documents stores the PDF on them; these are the documents the
        # cancellation they were allowed to make has just posted.
        documents = (
            self.env["account.move.send"]
            .sudo()
            ._generate_and_send_invoices(moves.sudo(), sending_methods={"manual"})
        )
        return documents.copy({"res_model": "sale.order", "res_id": self.order_id.id}).with_env(
            self.env
        )

    def _get_return_pickings(self):
        """The returns the cancellations made, and the backorders split off them since: the
        warehouse may have received a return in parts."""
        pickings = self.return_picking_ids
        backorders = pickings.backorder_ids - pickings
        while backorders:
            pickings |= backorders
            backorders = pickings.backorder_ids - pickings
        return pickings

    def _get_fee_message(self):
        """One sentence on the fee for the chatter, saying when it was waived or changed."""
        self.ensure_one()
        currency = self.currency_id
        if self.fee_policy == "waived":
            return self.env._(
                "The reason's cancellation fee of %s was waived.",
                currency.format(self.reason_fee_amount),
            )
        if self.fee_policy == "changed":
            return self.env._(
                "Cancellation fee billed: %(amount)s, instead of the reason's fee of %(fee)s.",
                amount=currency.format(self.fee_amount),
                fee=currency.format(self.reason_fee_amount),
            )
        if self.fee_invoice_id:
            return self.env._("Cancellation fee billed: %s.", currency.format(self.fee_amount))
        return False

    def _message_lines(self):
        """HTML list of the quantities a cancellation of lines cancelled."""
        items = Markup()
        for snapshot in self.line_ids.filtered("qty_cancelled"):
            line = snapshot.sale_line_id
            items += Markup("<li>%s</li>") % self.env._(
                "%(product)s: %(quantity)s %(uom)s cancelled",
                product=line.product_id.display_name,
                quantity=snapshot.qty_cancelled,
                uom=line.product_uom.name,
            )
        return Markup("<ul>%s</ul>") % items if items else Markup()

    def _get_voided_transactions(self):
        """The authorizations the cancellation voided, read as superuser (as
        `_get_provider_refunds`)."""
        return self.sudo().void_transaction_ids

    def _get_provider_refunds(self):
        """The refund transactions of the cancellation, read as superuser (billing users only
        may read transactions; revoke previews and messages show them to whoever revokes)."""
        return self.sudo().refund_transaction_ids

    def _message_summary(self, revoked=False):
        """HTML list of every document the cancellation (or its revoke) touched."""
        if revoked:
            groups = [
                (self.env._("Returns cancelled"), self.revoke_cancelled_return_ids),
                (self.env._("New deliveries"), self.revoke_picking_ids),
                (self.env._("Invoices back to draft"), self.restored_invoice_ids),
                (self.env._("Invoices reversing the credit notes"), self.revoke_invoice_ids),
                (self.env._("Credit note of the fee invoice"), self.fee_credit_note_id),
            ]
        else:
            groups = [
                (self.env._("Deliveries cancelled"), self.cancelled_picking_ids),
                (self.env._("Deliveries reduced"), self.reduced_picking_ids),
                (self.env._("Returns"), self.return_picking_ids),
                (self.env._("Draft invoices cancelled"), self.cancelled_invoice_ids),
                (self.env._("Credit notes"), self.credit_note_ids),
                (self.env._("Refunds"), self.refund_payment_ids),
                (self.env._("Refunds through the payment provider"), self._get_provider_refunds()),
                (self.env._("Payment authorizations voided"), self._get_voided_transactions()),
                (self.env._("Fee invoice"), self.fee_invoice_id),
            ]
        items = Markup()
        for label, records in groups:
            if records:
                links = Markup(", ").join(record._get_html_link() for record in records)
                items += Markup("<li>%s: %s</li>") % (label, links)
        if revoked and self._get_voided_transactions():
            items += Markup("<li>%s</li>") % self.env._(
                "The payment authorizations voided by the cancellation are gone and cannot be "
                "restored: %s. The order is to be paid again.",
                ", ".join(self._get_voided_transactions().mapped("reference")),
            )
        if revoked and self._get_provider_refunds():
            items += Markup("<li>%s</li>") % self.env._(
                "The refunds made through the payment provider cannot be undone: the customer "
                "has the money back, and the invoices billed again stay open for it."
            )
        return Markup("<ul>%s</ul>") % items if items else Markup()
