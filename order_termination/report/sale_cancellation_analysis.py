from odoo import fields, models, tools
from odoo.tools import SQL


class SaleCancellationAnalysis(models.Model):
    """Cancellations and terminations by reason and month, for Sales > Reporting.

    One row per cancellation record (a termination is the cancellation its request executed),
    so every figure has one definition: the engine's own records. An order cancelled, revoked
    and cancelled again has several rows; `order_count` is 1 on one row per order only (the
    cancellation in force, else the latest), so its sum counts each order once. The views
    leave revoked cancellations out by default and use `order_count` as their measure.

    Extending: add a column in `_select()` (and a join in `_from()`) and the field of the
    same name.
    """

    _name = "sale.cancellation.analysis"
    _description = "Cancellation Analysis"
    _auto = False
    _rec_name = "order_id"
    _order = "date desc, id desc"

    cancellation_id = fields.Many2one("sale.order.cancellation", readonly=True)
    order_id = fields.Many2one("sale.order", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", "Company Currency", readonly=True)
    partner_id = fields.Many2one("res.partner", "Customer", readonly=True)
    user_id = fields.Many2one("res.users", "Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", "Sales Team", readonly=True)
    cancelled_by_id = fields.Many2one("res.users", readonly=True)
    date = fields.Datetime("Cancelled On", readonly=True)
    kind = fields.Selection(
        [("cancellation", "Cancellation"), ("termination", "Termination")],
        readonly=True,
    )
    cancel_reason_id = fields.Many2one(
        "sale.order.cancel.reason", "Cancellation Reason", readonly=True
    )
    termination_request_id = fields.Many2one("sale.termination.request", readonly=True)
    termination_reason_id = fields.Many2one("sale.termination.reason", readonly=True)
    reason = fields.Char(
        translate=True,
        readonly=True,
        help="The termination reason of a termination, the cancellation reason of any other "
        "cancellation: one axis for both in the graph.",
    )
    origin = fields.Selection(
        [("internal", "Internal"), ("portal", "Customer Portal")],
        "Requested On",
        readonly=True,
        help="Where the termination was requested; empty for plain cancellations.",
    )
    scope = fields.Selection(
        [("order", "Whole Order"), ("lines", "Lines")],
        readonly=True,
        help="Whether the whole order was cancelled, or quantities of some of its lines.",
    )
    revoked = fields.Boolean(readonly=True)
    order_count = fields.Integer(
        "Orders", readonly=True, help="Counts each order once, whatever its cancellations."
    )
    revoke_rate = fields.Float(
        "Revoke Rate (%)",
        readonly=True,
        aggregator="avg",
        help="Share of the cancellations that were revoked (remove the default filter).",
    )
    amount_total = fields.Monetary(
        "Order Total", readonly=True, help="In the company currency, at the order's rate."
    )
    amount_cancelled = fields.Monetary(
        readonly=True,
        help="What was cancelled, taxes included, in the company currency: the order total, "
        "or the amount of the cancelled quantities for a cancellation of lines.",
    )
    amount_reversed = fields.Monetary(
        readonly=True,
        help="Posted credit notes of the cancellation, in the company currency.",
    )
    fee_kept = fields.Monetary(
        "Fees Kept",
        readonly=True,
        help="Cancellation fees billed, in company currency; none once the cancellation is "
        "revoked (revoke credits the fee invoice).",
    )
    decision_days = fields.Float(
        "Days to Decision",
        readonly=True,
        aggregator="avg",
        help="Terminations: time between the request and its execution.",
    )

    decision_hours = fields.Float(
        "Hours to Decision",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Terminations: time between the request and its execution, in hours.",
    )

    def _select(self):
        return SQL(
            """
            c.id AS id,
            c.id AS cancellation_id,
            c.order_id AS order_id,
            so.company_id AS company_id,
            company.currency_id AS currency_id,
            so.partner_id AS partner_id,
            so.user_id AS user_id,
            so.team_id AS team_id,
            c.user_id AS cancelled_by_id,
            c.date AS date,
            CASE WHEN tr.id IS NULL THEN 'cancellation' ELSE 'termination' END AS kind,
            c.reason_id AS cancel_reason_id,
            tr.id AS termination_request_id,
            tr.reason_id AS termination_reason_id,
            COALESCE(termination_reason.name, cancel_reason.name) AS reason,
            tr.origin AS origin,
            c.scope AS scope,
            c.state = 'revoked' AS revoked,
            CASE WHEN ROW_NUMBER() OVER (
                PARTITION BY c.order_id
                ORDER BY c.state = 'revoked', c.date DESC, c.id DESC
            ) = 1 THEN 1 ELSE 0 END AS order_count,
            CASE WHEN c.state = 'revoked' THEN 100.0 ELSE 0.0 END AS revoke_rate,
            CASE WHEN c.scope = 'lines' THEN so.amount_total ELSE c.amount_total END
                / COALESCE(NULLIF(so.currency_rate, 0), 1.0) AS amount_total,
            c.amount_total / COALESCE(NULLIF(so.currency_rate, 0), 1.0) AS amount_cancelled,
            COALESCE(credit.amount, 0.0) AS amount_reversed,
            CASE WHEN c.state = 'revoked' THEN 0.0
                 ELSE COALESCE(fee.amount_total_signed, 0.0) END AS fee_kept,
            tr.decision_days AS decision_days,
            tr.decision_days * 24.0 AS decision_hours
            """
        )

    def _from(self):
        return SQL(
            """
            sale_order_cancellation c
            JOIN sale_order so ON so.id = c.order_id
            JOIN res_company company ON company.id = so.company_id
            LEFT JOIN sale_termination_request tr
                ON tr.cancellation_id = c.id AND tr.state IN ('done', 'revoked')
            LEFT JOIN sale_termination_reason termination_reason
                ON termination_reason.id = tr.reason_id
            LEFT JOIN sale_order_cancel_reason cancel_reason ON cancel_reason.id = c.reason_id
            LEFT JOIN LATERAL (
                SELECT -SUM(move.amount_total_signed) AS amount
                  FROM sale_cancellation_credit_note_rel rel
                  JOIN account_move move ON move.id = rel.account_move_id
                 WHERE rel.sale_order_cancellation_id = c.id AND move.state = 'posted'
            ) credit ON TRUE
            LEFT JOIN account_move fee ON fee.id = c.fee_invoice_id AND fee.state = 'posted'
            """
        )

    def _query(self):
        return SQL("SELECT %s FROM %s", self._select(), self._from())

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL("CREATE OR REPLACE VIEW %s AS (%s)", SQL.identifier(self._table), self._query())
        )
