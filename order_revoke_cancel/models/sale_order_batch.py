"""Big selections in the background: a batch of orders that one user cancelled, revoked or
closed (order_termination adds `close`), worked through by the scheduled action.

How it stays right with several Odoo servers on one database and workers that may be killed:

- the scheduled action claims a batch with ``SELECT ... FOR UPDATE SKIP LOCKED``: a batch is
  worked on by one transaction at a time, the others skip it;
- each chunk of orders is one transaction (committed when run as the scheduled action), each
  order one savepoint with its result row: a crash loses at most the chunk in progress, whose
  orders have no result yet, and the next run does exactly those (nothing twice, none left);
- the operation runs as the user who started the batch (`user_id`), never as superuser: the
  rights are those of the synchronous action;
- batches and results are evidence, read-only for everyone (no write access at all): only the
  methods here write them, as superuser.
"""

import logging
import time

import psycopg2
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, plaintext2html

_logger = logging.getLogger(__name__)

# A chunk that crashed this many times in a row (a killed worker, an unexpected error) stops
# the batch as failed instead of blocking the queue forever.
MAX_ATTEMPTS = 3
# Orders per chunk (one transaction), and seconds one run of the scheduled action works before
# it hands over (Odoo runs it again at once while work remains).
CHUNK_SIZE = 50
TIME_BUDGET = 60


class SaleOrderBatch(models.Model):
    _name = "sale.order.batch"
    _description = "Sales Order Batch"
    _inherit = ["mail.thread"]
    _order = "id desc"
    _check_company_auto = True
    # Users only read a batch (it is evidence); reading is enough to use its chatter.
    _mail_post_access = "read"

    name = fields.Char(compute="_compute_name")
    operation = fields.Selection(
        [("cancel", "Cancel"), ("revoke", "Revoke Cancellation")],
        required=True,
        readonly=True,
    )
    state = fields.Selection(
        [("queued", "Queued"), ("running", "Running"), ("done", "Done"), ("failed", "Failed")],
        default="queued",
        required=True,
        readonly=True,
        index=True,
        tracking=True,
    )
    user_id = fields.Many2one(
        "res.users",
        "Started By",
        required=True,
        readonly=True,
        index=True,
        help="The batch works in this user's name, with this user's rights.",
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    automatic = fields.Boolean(
        "Started by a Scheduled Action", readonly=True, help="Not started by a user's selection."
    )
    order_ids = fields.Many2many(
        "sale.order", "sale_order_batch_order_rel", "batch_id", "order_id", readonly=True
    )
    order_count = fields.Integer("Orders", readonly=True)
    result_ids = fields.One2many("sale.order.batch.result", "batch_id", readonly=True)
    done_count = fields.Integer("Done", readonly=True)
    skipped_count = fields.Integer("Skipped", readonly=True)
    failed_count = fields.Integer("Failed", readonly=True)
    progress = fields.Float(readonly=True, help="Share of the orders worked through, in %.")
    date_start = fields.Datetime("Started On", readonly=True)
    date_end = fields.Datetime("Ended On", readonly=True)
    attempts = fields.Integer(
        readonly=True, help="Runs in a row that ended before their chunk was saved."
    )
    error = fields.Text(readonly=True, help="Why the batch stopped.")
    # The options of the operation, as the user chose them in the wizard.
    cancel_reason_id = fields.Many2one(
        "sale.order.cancel.reason", "Cancellation Reason", readonly=True
    )
    note = fields.Text(readonly=True)
    receive_returns = fields.Boolean("Receive Returns Now", readonly=True)
    refund_payments = fields.Boolean(readonly=True)

    @api.depends("operation", "order_count")
    @api.depends_context("lang")
    def _compute_name(self):
        labels = dict(self._fields["operation"]._description_selection(self.env))
        for batch in self:
            batch.name = self.env._(
                "%(operation)s: %(count)s orders (batch %(id)s)",
                operation=labels.get(batch.operation, batch.operation),
                count=batch.order_count,
                id=batch.id or "",
            )

    # ------------------------------------------------------------------
    # Starting
    # ------------------------------------------------------------------
    @api.model
    def _runs_in_background(self, orders):
        """Whether a selection of `orders` is too big for one web request."""
        return len(orders) > self.env.company.order_background_threshold

    @api.model
    def _create_batch(self, operation, orders, **options):
        """Queue `operation` on `orders` in the current user's name and wake the workers.

        The only way a batch is made: users have no create right on batches (they are
        evidence), so this method writes as superuser what the current user asked, and the
        batch later runs with that user's rights only."""
        if operation not in self._get_operation_handlers():
            raise UserError(self.env._("Unknown batch operation %s.", operation))
        vals = {
            "operation": operation,
            "user_id": self.env.uid,
            "company_id": self.env.company.id,
            "order_ids": [fields.Command.set(orders.ids)],
            "order_count": len(orders),
            **options,
        }
        batch = self.sudo().create(vals)
        batch.message_subscribe(partner_ids=self.env.user.partner_id.ids)
        # Reading the scheduled action's record to trigger it: `_trigger` itself only adds a
        # trigger row, the job still runs with its own (the batches') rules.
        self.env.ref("order_revoke_cancel.ir_cron_process_order_batches").sudo()._trigger()
        return batch.sudo(False)

    def action_open(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.name,
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "current",
        }

    # ------------------------------------------------------------------
    # The operations
    # ------------------------------------------------------------------
    def _get_operation_handlers(self):
        """Per operation, the method that works on one order: `handler(order)` → `(outcome,
        message, cancellations)`, `outcome` in `done` | `skipped` | `failed`. `order` is in the
        batch's user's environment. Addons add their operations here (order_termination:
        `close`) with the selection value."""
        return {"cancel": self._run_cancel, "revoke": self._run_revoke}

    def _run_cancel(self, order):
        if order.sudo().state == "cancel":
            return "skipped", self.env._("%s was already cancelled.", order.sudo().name), None
        cancellation, error = order._try_cancel_with_reversal(
            self.cancel_reason_id,
            note=self.note or None,
            receive_returns=self.receive_returns,
            refund_payments=self.refund_payments,
        )
        if error:
            return "failed", error, None
        head = self.env._("%s was cancelled.", order.sudo().name)
        return "done", self._describe(head, cancellation, revoked=False), cancellation

    def _run_revoke(self, order):
        if order.sudo().state != "cancel":
            return "skipped", self.env._("%s is not cancelled.", order.sudo().name), None
        cancellations, error = order._try_revoke_cancel(self.note or None)
        if error:
            return "failed", error, None
        head = self.env._("%s was restored.", order.sudo().name)
        return "done", self._describe(head, cancellations, revoked=True), cancellations

    def _describe(self, head, cancellations, revoked):
        """`head`, then every document the cancellations made (or their revoke), linked."""
        # Names of the documents the user's own operation just made, some of which (refund
        # payments) salesmen may not read: read-only, as superuser, like the mass cancel report.
        summary = Markup().join(c._message_summary(revoked) for c in cancellations.sudo())
        return Markup("<p>%s</p>%s") % (head, summary)

    # ------------------------------------------------------------------
    # The scheduled action
    # ------------------------------------------------------------------
    @api.model
    def _cron_process_batches(self, chunk_size=CHUNK_SIZE, max_chunks=None, commit=True):
        """Work through the queued and running batches, one chunk (one transaction) at a time,
        until none is left, `max_chunks` chunks are done or the time budget is spent; Odoo runs
        the job again at once while orders remain (progress API). `commit=False` leaves the
        transaction to the caller (tests)."""
        started = time.monotonic()
        chunks = done = 0
        deferred = set()
        idle = set()
        while max_chunks is None or chunks < max_chunks:
            batch = self._claim_next_batch(idle)
            if not batch:
                break
            if batch.attempts >= MAX_ATTEMPTS:
                batch.sudo()._fail(
                    self.env._(
                        "The batch stopped: %s runs in a row ended before their orders were "
                        "saved (see the server log).",
                        batch.attempts,
                    )
                )
                if commit:
                    self.env.cr.commit()  # pylint: disable=invalid-commit
                continue
            if commit:
                # Count the attempt before working: a worker killed in the middle of the
                # chunk leaves it counted, so a chunk that always kills its worker ends.
                batch.sudo().attempts += 1
                self.env.cr.commit()  # pylint: disable=invalid-commit
                batch = self._claim_batch(batch.id)
                if not batch:
                    continue
            processed = batch._process_chunk(chunk_size, deferred, started + TIME_BUDGET)
            if not processed:
                # Ended, or only orders to try again in a later transaction are left: whatever
                # the reason, this run claims it no more.
                idle.add(batch.id)
            done += processed
            chunks += 1
            if commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit
                # A new transaction sees what the others committed: try those orders again.
                deferred.clear()
                idle.clear()
                self.env["ir.cron"]._notify_progress(done=done, remaining=self._count_remaining())
                self.env.cr.commit()  # pylint: disable=invalid-commit
            if time.monotonic() - started > TIME_BUDGET:
                break
        if commit:
            self.env["ir.cron"]._notify_progress(done=done, remaining=self._count_remaining())
        return done

    @api.model
    def _claim_next_batch(self, exclude_ids=()):
        """The oldest open batch nobody works on, locked for this transaction; or nothing."""
        # The SQL reads the states this transaction wrote: a batch just ended is not open.
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "SELECT id FROM sale_order_batch WHERE state IN ('queued', 'running') "
                "AND NOT id = ANY(%s) ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED",
                list(exclude_ids),
            )
        )
        row = self.env.cr.fetchone()
        return self.browse(row[0]) if row else self.browse()

    @api.model
    def _claim_batch(self, batch_id):
        """`batch_id` locked for this transaction if it is still open and free; or nothing."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "SELECT id FROM sale_order_batch WHERE id = %s AND state IN ('queued', 'running') "
                "FOR UPDATE SKIP LOCKED",
                batch_id,
            )
        )
        row = self.env.cr.fetchone()
        self.invalidate_model()
        return self.browse(row[0]) if row else self.browse()

    @api.model
    def _count_remaining(self):
        self.env.cr.execute(
            SQL(
                """SELECT count(*) FROM sale_order_batch b
                   JOIN sale_order_batch_order_rel rel ON rel.batch_id = b.id
                   WHERE b.state IN ('queued', 'running')
                     AND NOT EXISTS (SELECT 1 FROM sale_order_batch_result r
                                     WHERE r.batch_id = b.id AND r.order_id = rel.order_id)"""
            )
        )
        return self.env.cr.fetchone()[0]

    def _get_remaining_order_ids(self):
        """Orders of the batch without a result, in id order: what is left to do."""
        self.ensure_one()
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """SELECT rel.order_id FROM sale_order_batch_order_rel rel
                   WHERE rel.batch_id = %s
                     AND NOT EXISTS (SELECT 1 FROM sale_order_batch_result r
                                     WHERE r.batch_id = rel.batch_id
                                       AND r.order_id = rel.order_id)
                   ORDER BY rel.order_id""",
                self.id,
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    def _process_chunk(self, chunk_size, deferred=None, deadline=None):
        """Work on the next `chunk_size` orders of the batch (locked by the caller), or fewer
        when the `deadline` (`time.monotonic()`) passes, so that one run stays within the
        scheduled action's time limit; return how many got a result. Ends the batch when no
        order is left."""
        self.ensure_one()
        deferred = set() if deferred is None else deferred
        # The batch is written by its own methods only: as superuser (see the module doc).
        batch = self.sudo()
        if batch.state not in ("queued", "running"):
            return 0
        if batch.operation not in batch._get_operation_handlers():
            batch._fail(self.env._("The operation %s is not installed.", batch.operation))
            return 0
        if batch.state == "queued":
            batch.write({"state": "running", "date_start": fields.Datetime.now()})
        remaining = [oid for oid in batch._get_remaining_order_ids() if oid not in deferred]
        user = batch.user_id
        # The operation in the starter's name and language, never as superuser.
        worker = batch.with_user(user).with_context(lang=user.lang)
        results = []
        for order_id in remaining[:chunk_size]:
            if results and deadline and time.monotonic() > deadline:
                break
            vals = worker._process_order(order_id)
            if vals is None:
                deferred.add(order_id)
            else:
                results.append(vals)
        self.env["sale.order.batch.result"].sudo().create(results)
        left = len(remaining) - len(results) + len(deferred & set(batch.order_ids.ids))
        batch._update_counts(finished=not left)
        return len(results)

    def _process_order(self, order_id):
        """The result values of one order, or None when the database said to try it again
        later (another transaction changed it since this one began)."""
        Order = self.env["sale.order"]
        order = Order.browse(order_id)
        # Its company only chooses the environment; access is checked by the operation.
        company = order.sudo().company_id
        if not self.env.su and company not in self.env.user.company_ids:
            outcome, message, cancellations = (
                "failed",
                self.env._("%s belongs to a company you do not work for.", order.sudo().name),
                None,
            )
        else:
            handler = self.with_company(company)._get_operation_handlers()[self.operation]
            try:
                outcome, message, cancellations = handler(order.with_company(company))
            except psycopg2.errors.SerializationFailure:
                return None
        return {
            "batch_id": self.id,
            "order_id": order_id,
            "outcome": outcome,
            # A refusal is plain text, with a line per failed check: kept as lines.
            "message": message if isinstance(message, Markup) else plaintext2html(message),
            "cancellation_ids": [fields.Command.set(cancellations.ids if cancellations else [])],
        }

    def _update_counts(self, finished):
        self.ensure_one()
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "SELECT outcome, count(*) FROM sale_order_batch_result WHERE batch_id = %s "
                "GROUP BY outcome",
                self.id,
            )
        )
        counts = dict(self.env.cr.fetchall())
        total = sum(counts.values())
        vals = {
            "done_count": counts.get("done", 0),
            "skipped_count": counts.get("skipped", 0),
            "failed_count": counts.get("failed", 0),
            "progress": 100.0 * total / self.order_count if self.order_count else 100.0,
            "attempts": 0,
        }
        if finished:
            vals.update(state="done", date_end=fields.Datetime.now(), progress=100.0)
        self.write(vals)
        if finished:
            self._notify_end()

    def _fail(self, error):
        self.ensure_one()
        self.write({"state": "failed", "error": error, "date_end": fields.Datetime.now()})
        self._notify_end()

    def _notify_end(self):
        """Tell the user who started the batch how it ended: in the inbox (a message on the
        batch) and, when connected, by a notification in the browser."""
        self.ensure_one()
        _logger.info("Sales order batch %s ended: %s", self.id, self.state)
        user = self.user_id
        batch = self.with_context(lang=user.lang)
        if self.state == "failed":
            body = batch.env._("%(batch)s stopped: %(error)s", batch=batch.name, error=self.error)
        else:
            body = batch.env._(
                "%(batch)s is done: %(done)s done, %(skipped)s skipped, %(failed)s failed.",
                batch=batch.name,
                done=self.done_count,
                skipped=self.skipped_count,
                failed=self.failed_count,
            )
        if user.partner_id and not user._is_superuser():
            batch.message_notify(partner_ids=user.partner_id.ids, body=body, subject=batch.name)
            user._bus_send(
                "simple_notification",
                {
                    "type": "warning" if self.state == "failed" or self.failed_count else "success",
                    "title": batch.env._("Batch ended"),
                    "message": body,
                    "sticky": True,
                },
            )
        else:
            batch.message_post(body=body)
