"""The close checklist: whether the order is finished (confirmed, delivered, no pending return,
invoiced, invoices posted, paid, no pending termination), one check per method.

Apart from the close: `close()`, the close wizard, the Close button and the automatic close all
read this one list, and an addon adds a check by extending `_get_close_checks`.
"""

from odoo import models
from odoo.tools import float_compare, float_is_zero

from odoo.addons.order_revoke_cancel.tools import check_one


class SaleOrderCloseChecklist(models.Model):
    _inherit = "sale.order"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def get_close_checklist(self):
        """Whether the order is finished: one dict per check, in a fixed order."""
        check_one(self, "get_close_checklist")
        return [check() for check in self._get_close_checks()]

    # ------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------
    def _get_close_checks(self):
        """The checks of the close checklist, in the order shown: methods of the order that
        each return one `_check_item()` dict. An addon adds a check by appending its own
        method to this list; `close()`, the wizard and auto-close then all apply it."""
        return [
            self._close_check_confirmed,
            self._close_check_delivered,
            self._close_check_no_pending_returns,
            self._close_check_invoiced,
            self._close_check_invoices_posted,
            self._close_check_paid,
            self._close_check_no_pending_termination,
        ]

    def _check_item(self, code, label, ok, detail):
        return {"code": code, "label": label, "ok": bool(ok), "detail": detail}

    def _close_check_confirmed(self):
        ok = self.state == "sale"
        return self._check_item(
            "confirmed",
            self.env._("Order confirmed"),
            ok,
            self.env._("Confirmed.") if ok else self.env._("The order is not confirmed."),
        )

    def _get_close_lines(self):
        """Lines the checklist judges: products and services that were sold. Notes and
        sections carry nothing; down payments are settled by the invoices they are deducted
        from; combo lines by their items; nothing ordered and nothing delivered is nothing
        to settle."""
        return self.order_line.filtered(
            lambda line: (
                not line.display_type
                and not line.is_downpayment
                and line.product_id.type != "combo"
                and not (
                    float_is_zero(
                        line.product_uom_qty, precision_rounding=line.product_uom.rounding
                    )
                    and float_is_zero(
                        line.qty_delivered, precision_rounding=line.product_uom.rounding
                    )
                )
            )
        )

    def _get_undelivered_lines(self):
        """Goods and services (manual or timesheet quantities alike) delivered less than
        ordered. The delivery charge is delivered with the goods, not on its own."""
        return self._get_close_lines().filtered(
            lambda line: (
                not line._is_delivery()
                and float_compare(
                    line.qty_delivered,
                    line.product_uom_qty,
                    precision_rounding=line.product_uom.rounding or 0.01,
                )
                < 0
            )
        )

    def _get_close_line_names(self, lines):
        """The lines a check names, one name source for every check: the product's name in
        the reader's language (not the line's description, written in the customer's language
        when the order was made), each product once."""
        names = []
        for line in lines:
            name = line.product_id.display_name or line.name
            if name not in names:
                names.append(name)
        return ", ".join(names)

    def _get_pending_returns(self):
        return self.picking_ids.filtered(
            lambda p: p.state not in ("done", "cancel") and p.picking_type_code == "incoming"
        )

    def _close_check_delivered(self):
        lines = self._get_undelivered_lines()
        detail = (
            self.env._("Not fully delivered: %s", self._get_close_line_names(lines))
            if lines
            else self.env._("Everything was delivered.")
        )
        return self._check_item("delivered", self.env._("Fully delivered"), not lines, detail)

    def _close_check_no_pending_returns(self):
        returns = self._get_pending_returns()
        detail = (
            self.env._("Returns not received yet: %s", ", ".join(returns.mapped("name")))
            if returns
            else self.env._("No return is waiting.")
        )
        return self._check_item(
            "no_pending_returns", self.env._("No pending returns"), not returns, detail
        )

    def _get_lines_to_invoice(self):
        """Lines with something to invoice or to credit, and lines billed less than what was
        ordered or delivered: an order whose lines bill on delivery is not "fully invoiced"
        just because nothing was delivered yet. Down payments count while not deducted."""
        return self.order_line.filtered(
            lambda line: (
                not line.display_type
                and not float_is_zero(
                    line.qty_to_invoice, precision_rounding=line.product_uom.rounding or 0.01
                )
            )
        ) | self._get_close_lines().filtered(
            lambda line: (
                float_compare(
                    line.qty_invoiced,
                    max(line.product_uom_qty, line.qty_delivered),
                    precision_rounding=line.product_uom.rounding or 0.01,
                )
                < 0
            )
        )

    def _close_check_invoiced(self):
        lines = self._get_lines_to_invoice()
        detail = (
            self.env._("Still to invoice: %s", self._get_close_line_names(lines))
            if lines
            else self.env._("Everything was invoiced.")
        )
        return self._check_item("invoiced", self.env._("Fully invoiced"), not lines, detail)

    def _close_check_invoices_posted(self):
        drafts = self.invoice_ids.filtered(lambda m: m.state == "draft")
        detail = (
            self.env._("Draft invoices: %s", ", ".join(drafts.mapped("display_name")))
            if drafts
            else self.env._("Every invoice is posted or cancelled.")
        )
        return self._check_item(
            "invoices_posted", self.env._("Invoices posted"), not drafts, detail
        )

    def _get_unpaid_invoices(self):
        return self.invoice_ids.filtered(
            lambda m: (
                m.state == "posted" and m.payment_state not in ("paid", "in_payment", "reversed")
            )
        )

    def _has_nothing_billed(self):
        """Whether the order has an amount to bill but no posted customer invoice: then
        nothing is paid, however empty the list of unpaid invoices."""
        self.ensure_one()
        posted = self.invoice_ids.filtered(
            lambda m: m.state == "posted" and m.move_type == "out_invoice"
        )
        return not posted and not self.currency_id.is_zero(self.amount_total)

    def _close_check_paid(self):
        unpaid = self._get_unpaid_invoices()
        if unpaid:
            detail = self.env._("Not paid: %s", ", ".join(unpaid.mapped("display_name")))
        elif self._has_nothing_billed():
            detail = self.env._("Nothing was invoiced, so nothing was paid yet.")
        else:
            detail = self.env._("Every invoice is paid.")
        ok = not unpaid and not self._has_nothing_billed()
        return self._check_item("paid", self.env._("Paid"), ok, detail)

    def _close_check_no_pending_termination(self):
        pending = self.sudo().pending_termination_id
        detail = (
            self.env._("Under termination request %s.", pending.name)
            if pending
            else self.env._("No termination request is pending.")
        )
        return self._check_item(
            "no_pending_termination",
            self.env._("No pending termination"),
            not pending,
            detail,
        )
