"""The automatic close: the scheduled action closes orders that have been settled (every check
of the close checklist passes) and quiet for the company's `auto_close_days`.

Apart from the close itself: it only chooses the orders and then calls `_try_close`, the same
close a user makes, batch by batch; above the company's background threshold it hands the
orders to a `sale.order.batch` (operation `close`), which the batches' scheduled action works
through.
"""

from odoo import api, fields, models, modules


class SaleOrderAutoClose(models.Model):
    _inherit = "sale.order"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------
    # Cron
    # ------------------------------------------------------------------
    @api.model
    def _cron_auto_close(self, batch_size=200, commit=True):
        """Close orders settled for the company's `auto_close_days`, committing per batch so
        a long run keeps its progress (`commit=False` leaves the transaction to the caller)."""
        Batch = self.env["sale.order.batch"]
        for company in self.env["res.company"].search([("auto_close_days", ">", 0)]):
            if Batch.search_count(
                [
                    ("automatic", "=", True),
                    ("operation", "=", "close"),
                    ("company_id", "=", company.id),
                    ("state", "in", ("queued", "running")),
                ]
            ):
                continue  # yesterday's batch is still closing this company's orders
            orders = self._get_auto_close_candidates(company)
            if Batch.with_company(company)._runs_in_background(orders):
                reason, note = self._get_auto_close_reason()
                Batch.with_company(company)._create_batch(
                    "close",
                    orders,
                    close_reason_id=reason.id,
                    note=note,
                    automatic=True,
                )
                continue
            for start in range(0, len(orders), batch_size):
                orders[start : start + batch_size]._auto_close_batch()
                if commit and not modules.module.current_test:
                    self.env.cr.commit()  # pylint: disable=invalid-commit

    # ------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------
    @api.model
    def _get_auto_close_candidates(self, company):
        limit = fields.Datetime.subtract(fields.Datetime.now(), days=company.auto_close_days)
        orders = self.search(
            [
                ("company_id", "=", company.id),
                ("state", "=", "sale"),
                ("is_closed", "=", False),
                ("termination_state", "!=", "pending"),
                "|",
                ("hold_reason_id", "=", False),
                ("hold_reason_id.blocks", "!=", "all"),
                ("invoice_status", "!=", "to invoice"),
                ("date_order", "<=", limit),
            ]
        )
        return orders.filtered(lambda o: o._is_settled_since(limit))

    def _is_settled_since(self, limit):
        """Every check passes and nothing happened on the order after `limit`."""
        self.ensure_one()
        if not all(check["ok"] for check in self.get_close_checklist()):
            return False
        last = self._get_last_activity_date()
        return not last or last <= limit

    def _get_last_activity_date(self):
        dates = [p.date_done for p in self.picking_ids if p.date_done]
        invoices = self.invoice_ids.filtered(lambda m: m.state == "posted")
        dates += [fields.Datetime.to_datetime(d) for d in invoices.mapped("invoice_date") if d]
        partials = invoices.line_ids.matched_credit_ids | invoices.line_ids.matched_debit_ids
        dates += [fields.Datetime.to_datetime(d) for d in partials.mapped("max_date") if d]
        return max(dates) if dates else False

    @api.model
    def _get_auto_close_reason(self):
        reason = self.env.ref("order_termination.close_reason_settled", raise_if_not_found=False)
        return reason, self.env._("Closed automatically: delivered, invoiced and paid.")

    def _auto_close_batch(self):
        reason, note = self._get_auto_close_reason()
        for order in self:
            order._try_close(reason, note)
