"""Demo data only: give the demo requests a history in time, so that the reports have figures
(decisions take hours to days, not the milliseconds of loading the demo)."""

from datetime import timedelta

from odoo import fields, models
from odoo.tools import SQL


class SaleTerminationRequestDemo(models.Model):
    _inherit = "sale.termination.request"  # pylint: disable=consider-merging-classes-inherited

    def _demo_backdate(self, requested_hours_ago, reviewed_hours_ago=()):
        """Move these requests back in time: each was requested `requested_hours_ago` hours
        ago, its decided approval lines (in their order) were decided `reviewed_hours_ago`
        hours ago (0: when the demo decided last), each level of lines opened when
        the level before was decided. Days to Decision follows.

        Only the demo data calls it (private: never an RPC endpoint), once, when the demo is
        loaded (a `<function>` of noupdate data does not run again on update).
        """
        now = fields.Datetime.now()
        for request in self:
            requested = now - timedelta(hours=requested_hours_ago)
            approvals = request.approval_ids.sorted(lambda a: (a.sequence, a.id))
            # "0 hours ago" is the moment the demo decided last: the decision of the request.
            decided = max(filter(None, approvals.mapped("review_date")), default=now)
            reviews = [decided - timedelta(hours=hours) for hours in reviewed_hours_ago]
            opened = requested
            for sequence in sorted(set(approvals.mapped("sequence"))):
                level_end = opened
                for approval in approvals.filtered(lambda a, s=sequence: a.sequence == s):
                    vals = {}
                    if approval.pending_date:
                        vals["pending_date"] = opened
                        if approval.deadline and approval.step_id.deadline_days:
                            vals["deadline"] = fields.Datetime.add(
                                opened, days=approval.step_id.deadline_days
                            )
                    if approval.state in ("approved", "rejected") and reviews:
                        vals["review_date"] = reviews.pop(0)
                        level_end = max(level_end, vals["review_date"])
                    approval.write(vals)
                opened = level_end
            vals = {"request_date": requested}
            if request.decision_date:
                vals["decision_days"] = (
                    request.decision_date - requested
                ).total_seconds() / 86400.0
            request.write(vals)
            self.env.flush_all()
            # Creation dates are Odoo's own log columns, which the ORM does not write.
            for table, ids in (
                ("sale_termination_request", request.ids),
                ("sale_termination_approval", request.approval_ids.ids),
            ):
                self.env.cr.execute(
                    SQL(
                        "UPDATE %s SET create_date = %s WHERE id = ANY(%s)",
                        SQL.identifier(table),
                        requested,
                        ids,
                    )
                )
            # The order was made before it was asked to end (a day before the request); its
            # holds refuse writes through the ORM, and the demo only moves its dates.
            self.env.cr.execute(
                SQL(
                    "UPDATE sale_order SET date_order = LEAST(date_order, %(day_before)s), "
                    "create_date = LEAST(create_date, %(day_before)s) WHERE id = %(id)s",
                    day_before=requested - timedelta(days=1),
                    id=request.order_id.id,
                )
            )
        self.invalidate_recordset(["create_date"])
        self.approval_ids.invalidate_recordset(["create_date"])
        self.order_id.invalidate_recordset(["date_order", "create_date"])
        return True
