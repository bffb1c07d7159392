"""Benchmark of the order end-of-life addons, run by ``bench/run-bench``.

Part A (order_revoke_cancel): ``cancel_with_reversal`` + ``revoke_cancel`` on N delivered and
invoiced orders, next to the same documents made by hand with Odoo's own tools on the same
orders: SQL queries and wall time, ratios and per-order figures.

Part B (order_termination, only when installed): closing N settled orders through the list
action and through the scheduled action, and executing N terminations.

Every measured block runs in a savepoint that is rolled back afterwards, on the same orders,
with the ORM flushed and its cache invalidated before it; the whole run is rolled back at the
end, so the database stays as installed.
"""

import argparse
import collections
import contextlib
import cProfile
import io
import logging
import os
import pstats
import re
import sys
import time

import odoo
from odoo import Command, api, fields
from odoo.modules.registry import Registry

_logger = logging.getLogger("bench")
ENGINE_MARKER = "/order_revoke_cancel/"
HOTSPOT_TOP = int(os.environ.get("HOTSPOT_TOP", "15"))
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + "/"
TABLE_RE = re.compile(r'(?:FROM|INTO|UPDATE|JOIN)\s+"?([a-z0-9_]+)"?', re.IGNORECASE)


def out(text=""):
    print(text, flush=True)


# ---------------------------------------------------------------------------------------------
# Measuring
# ---------------------------------------------------------------------------------------------
class Measure:
    """Queries and wall time of phases run inside one savepoint that is rolled back."""

    def __init__(self, env):
        self.env = env
        self.cr = env.cr
        self.phases = {}
        self._mark = None

    def _now(self):
        return self.cr.sql_log_count, time.perf_counter()

    def phase(self, name):
        """End the current phase (flushing what it left pending) and start `name`."""
        self.env.flush_all()
        self.cr.flush()  # runs precommit hooks too (tracking values), as assertQueryCount does
        now = self._now()
        if self._current is not None:
            queries, start = self._mark
            self.phases[self._current] = (now[0] - queries, (now[1] - start) * 1000.0)
        self._current = name
        self._mark = self._now()

    @contextlib.contextmanager
    def run(self, first_phase):
        self._current = None
        savepoint = self.cr.savepoint(flush=True)
        try:
            self.env.invalidate_all()
            self.phase(first_phase)
            yield self
            self.phase(None)
        finally:
            savepoint.close(rollback=True)
            self.env.invalidate_all(flush=False)
            self.cr.postcommit.clear()

    @property
    def queries(self):
        return sum(q for q, _ms in self.phases.values())

    @property
    def ms(self):
        return sum(ms for _q, ms in self.phases.values())


def measure(env, func, *args, first_phase="all"):
    result = Measure(env)
    with result.run(first_phase):
        func(result, *args)
    return result


class QueryTracer:
    """Count queries by the innermost line of the engine's code that caused them (overrides in
    other addons, e.g. order_termination's checks on `_post`, are not credited: their cost
    shows under the engine line that called them)."""

    def __init__(self, cr, marker=ENGINE_MARKER):
        self.cr = cr
        self.marker = marker
        self.by_line = collections.Counter()

    def __enter__(self):
        original = self.cr.execute

        def execute(query, params=None, log_exceptions=True):
            frame = sys._getframe(1)
            key = ("(not from the addons)", "")
            while frame is not None:
                filename = frame.f_code.co_filename
                if self.marker in filename:
                    short = filename.split(REPO_ROOT)[-1].split("/odoo/addons/")[-1]
                    key = (f"{short}:{frame.f_lineno} {frame.f_code.co_name}", "")
                    break
                frame = frame.f_back
            match = TABLE_RE.search(str(query))
            self.by_line[(key[0], match.group(1) if match else "?")] += 1
            return original(query, params, log_exceptions)

        self._original = original
        self.cr.execute = execute
        return self

    def __exit__(self, *exc):
        del self.cr.execute


# ---------------------------------------------------------------------------------------------
# Building orders
# ---------------------------------------------------------------------------------------------
class Builder:
    """Delivered, invoiced and optionally paid orders, built in batches."""

    def __init__(self, env):
        self.env = env(
            context=dict(
                env.context, tracking_disable=True, mail_create_nolog=True, mail_notrack=True
            )
        )
        env = self.env
        self.company = env.company
        self.warehouse = env["stock.warehouse"].search(
            [("company_id", "=", self.company.id)], limit=1
        )
        self.products = env["product.product"].create(
            [
                {
                    "name": f"Bench storable {i}",
                    "type": "consu",
                    "is_storable": True,
                    "invoice_policy": "order",
                    "list_price": 100.0 + 10 * i,
                }
                for i in range(2)
            ]
        )
        for product in self.products:
            env["stock.quant"]._update_available_quantity(
                product, self.warehouse.lot_stock_id, 1_000_000
            )
        self.partners = env["res.partner"].create(
            [{"name": f"Bench customer {i}", "email": f"bench{i}@example.com"} for i in range(10)]
        )

    def orders(self, count, paid=False, batch=100):
        self.timings = collections.Counter()
        result = self.env["sale.order"]
        for start in range(0, count, batch):
            result |= self._batch(min(batch, count - start), paid, start)
        return result.with_env(self.env(context={}))

    def describe(self):
        return ", ".join(f"{step} {seconds:.0f} s" for step, seconds in self.timings.items())

    @contextlib.contextmanager
    def _step(self, name):
        start = time.perf_counter()
        yield
        self.env.flush_all()
        self.timings[name] += time.perf_counter() - start

    def _batch(self, count, paid, offset):
        env = self.env
        with self._step("create"):
            orders = env["sale.order"].create(
                [
                    {
                        "partner_id": self.partners[(offset + i) % len(self.partners)].id,
                        "order_line": [
                            Command.create({"product_id": product.id, "product_uom_qty": 2 + j})
                            for j, product in enumerate(self.products[: 1 + (offset + i) % 2])
                        ],
                    }
                    for i in range(count)
                ]
            )
        with self._step("confirm"):
            orders.action_confirm()
        with self._step("deliver"):
            pickings = orders.picking_ids
            pickings.action_assign()
            for move in pickings.move_ids:
                move.quantity = move.product_uom_qty
            pickings.move_ids.picked = True
            res = pickings.with_context(skip_backorder=True, skip_sms=True).button_validate()
            if res is not True or set(pickings.mapped("state")) != {"done"}:
                raise RuntimeError(f"could not validate the deliveries: {res}")
        with self._step("invoice"):
            invoices = orders._create_invoices(grouped=True)
            invoices.action_post()
        if paid:
            with self._step("pay"):
                env["account.payment.register"].with_context(
                    active_model="account.move", active_ids=invoices.ids
                ).create({"group_payment": False})._create_payments()
        return orders


# ---------------------------------------------------------------------------------------------
# Part A: the reversal engine against Odoo's own tools
# ---------------------------------------------------------------------------------------------
def engine_cycle(measure, orders, reason, paid):
    orders.cancel_with_reversal(reason, refund_payments=paid)
    measure.phase("revoke")
    orders.revoke_cancel()


def native_cancel(orders):
    """Odoo's own cancel, without the engine's override of `_action_cancel`."""
    cls = next(
        klass
        for klass in type(orders).__mro__
        if klass.__module__.startswith("odoo.addons.order_revoke_cancel.")
        and "_action_cancel" in vars(klass)
    )
    super(cls, orders.with_context(disable_cancel_warning=True))._action_cancel()


def native_cycle(measure, orders, reason, paid):
    """The same documents by hand: cancel (list action on all orders), a return per delivery
    (return wizard), one credit note wizard over all invoices, post, reconcile each credit note
    with its invoice (payment widget) or refund it (payment register); then back: cancel the
    returns, set to quotation and confirm, credit note wizard over the credit notes, post."""
    env = orders.env
    invoices = orders.invoice_ids.filtered(lambda m: m.state == "posted")
    deliveries = orders.picking_ids.filtered(lambda p: p.state == "done")
    native_cancel(orders)
    returns = env["stock.picking"]
    for picking in deliveries:
        wizard = (
            env["stock.return.picking"]
            .with_context(
                active_id=picking.id, active_ids=picking.ids, active_model="stock.picking"
            )
            .create({})
        )
        for line in wizard.product_return_moves:
            line.write({"quantity": line.move_id.quantity, "to_refund": True})
        returns |= wizard._create_return()
    reversal = (
        env["account.move.reversal"]
        .with_context(active_model="account.move", active_ids=invoices.ids)
        .create({"journal_id": invoices[0].journal_id.id, "reason": reason.name})
    )
    reversal.refund_moves()
    credit_notes = reversal.new_move_ids
    credit_notes.action_post()
    if paid:
        env["account.payment.register"].with_context(
            active_model="account.move", active_ids=credit_notes.ids
        ).create({"group_payment": False})._create_payments()
    else:
        for credit_note in credit_notes:
            # Posting a credit note from the wizard already reconciles it with its invoice;
            # what is left open would be assigned with the invoice's payment widget.
            line = credit_note.line_ids.filtered(
                lambda li: li.account_id.account_type == "asset_receivable" and not li.reconciled
            )
            if line and not credit_note.reversed_entry_id.payment_state == "paid":
                credit_note.reversed_entry_id.js_assign_outstanding_line(line.id)

    measure.phase("revoke")
    returns.action_cancel()
    orders.action_draft()
    orders.action_confirm()
    reversal = (
        env["account.move.reversal"]
        .with_context(active_model="account.move", active_ids=credit_notes.ids)
        .create({"journal_id": credit_notes[0].journal_id.id, "reason": "revoke"})
    )
    reversal.refund_moves()
    reversal.new_move_ids.action_post()


def check_same_documents(env, orders, reason, paid):
    """Both cycles must produce the same documents, else the comparison means nothing."""
    counts = {}
    for label, func in (("engine", engine_cycle), ("native", native_cycle)):
        with Measure(env).run("all") as m:
            before = _document_counts(env)
            func(m, orders, reason, paid)
            env.flush_all()
            after = _document_counts(env)
            counts[label] = {k: after[k] - before[k] for k in after}
            counts[label]["states"] = sorted(set(orders.mapped("state")))
    if counts["engine"] != counts["native"]:
        out(f"  WARNING: engine and native make different documents: {counts}")
    return counts["engine"]


def _document_counts(env):
    env.flush_all()
    return {
        "pickings": env["stock.picking"].search_count([]),
        "moves": env["account.move"].search_count([]),
        "payments": env["account.payment"].search_count([]),
    }


def part_a(env, sizes, paid, tracer_size, profile, fee_sizes=(), native_too=True):
    label = "delivered, invoiced and paid" if paid else "delivered and invoiced, unpaid"
    out(f"\n== Part A: cancel_with_reversal + revoke_cancel, orders {label} ==")
    reason = env.ref("order_revoke_cancel.cancel_reason_customer_request")
    start = time.perf_counter()
    builder = Builder(env)
    orders = builder.orders(max(sizes), paid=paid)
    out(
        f"setup: {len(orders)} orders built in {time.perf_counter() - start:.1f} s "
        f"({builder.describe()})"
    )

    if native_too:
        docs = check_same_documents(env, orders[:2], reason, paid)
        out(f"documents per 2-order cycle (engine = native): {docs}")
    # Warm up the registry caches of both paths once, unmeasured.
    measure(env, engine_cycle, orders[:1], reason, paid, first_phase="cancel")
    if native_too:
        measure(env, native_cycle, orders[:1], reason, paid, first_phase="cancel")

    header = (
        f"{'N':>5} | {'engine q':>9} {'native q':>9} {'ratio':>6} | {'engine ms':>10} "
        f"{'native ms':>10} {'ratio':>6} | {'q/order E':>9} {'q/order N':>9} | "
        f"{'ms/order E':>10} {'ms/order N':>10}"
    )
    out(header)
    out("-" * len(header))
    rows = []
    for size in sizes:
        subset = orders[:size]
        engine = measure(env, engine_cycle, subset, reason, paid, first_phase="cancel")
        if not native_too:
            out(f"{size:>5} | {engine.queries:>9} {'-':>9} {'-':>6} | {engine.ms:>10.0f} ")
            out(f"        by phase: {engine.phases}")
            continue
        native = measure(env, native_cycle, subset, reason, paid, first_phase="cancel")
        rows.append((size, engine, native))
        out(
            f"{size:>5} | {engine.queries:>9} {native.queries:>9} "
            f"{engine.queries / native.queries:>6.2f} | {engine.ms:>10.0f} {native.ms:>10.0f} "
            f"{engine.ms / native.ms:>6.2f} | {engine.queries / size:>9.1f} "
            f"{native.queries / size:>9.1f} | {engine.ms / size:>10.1f} {native.ms / size:>10.1f}"
        )
    out("\nby phase (queries / ms):")
    for size, engine, native in rows:
        parts = []
        for name in ("cancel", "revoke"):
            eq, ems = engine.phases[name]
            nq, nms = native.phases[name]
            parts.append(f"{name}: engine {eq} q {ems:.0f} ms, native {nq} q {nms:.0f} ms")
        out(f"  N={size:<4} " + " | ".join(parts))

    if tracer_size:
        subset = orders[:tracer_size]
        tracer = QueryTracer(env.cr)
        with tracer:
            engine = measure(env, engine_cycle, subset, reason, paid, first_phase="cancel")
        report_hotspots(tracer, engine.queries, tracer_size, top=HOTSPOT_TOP)
        if native_too:
            tracer = QueryTracer(env.cr, marker="/bench/bench_orders.py")
            with tracer:
                native = measure(env, native_cycle, subset, reason, paid, first_phase="cancel")
            report_hotspots(tracer, native.queries, tracer_size, what="native", top=HOTSPOT_TOP)
    if profile:
        report_profile(env, engine_cycle, orders[:profile], reason, paid)
    if fee_sizes:
        part_a_fees(env, orders, fee_sizes, reason, paid)
    return orders


def fee_invoice_cycle(measure, orders, product):
    """A fee billed by hand: one posted one-line invoice per order, created and posted
    together; back again, one credit note wizard over them, posted."""
    env = orders.env
    invoices = env["account.move"].create(
        [
            {
                "move_type": "out_invoice",
                "partner_id": order.partner_invoice_id.id,
                "currency_id": order.currency_id.id,
                "invoice_origin": order.name,
                "invoice_line_ids": [
                    Command.create({"product_id": product.id, "quantity": 1, "price_unit": 10.0})
                ],
            }
            for order in orders
        ]
    )
    invoices.action_post()
    measure.phase("revoke")
    reversal = (
        env["account.move.reversal"]
        .with_context(active_model="account.move", active_ids=invoices.ids)
        .create({"journal_id": invoices[0].journal_id.id, "reason": "revoke"})
    )
    reversal.refund_moves()
    reversal.new_move_ids.action_post()


def part_a_fees(env, orders, sizes, reason, paid):
    """What a cancellation fee adds to the engine cycle, against one extra invoice per order
    (and its credit note at revoke) made by hand: the target is extra <= 1 invoice."""
    fee_reason = env["sale.order.cancel.reason"].create(
        {"name": "Bench fee", "fee_type": "fixed", "fee_value": 10.0}
    )
    product = fee_reason._get_fee_product()
    out(f"\nfees ({'paid, refund minus the fee' if paid else 'unpaid'}): cycle with a fixed fee")
    header = (
        f"{'N':>5} | {'no fee q':>9} {'fee q':>9} {'extra q':>8} {'1 inv q':>8} {'ratio':>6} | "
        f"{'no fee ms':>10} {'fee ms':>9} {'extra ms':>9} {'1 inv ms':>9} | {'extra q/order':>13}"
    )
    out(header)
    out("-" * len(header))
    for size in sizes:
        subset = orders[:size]
        plain = measure(env, engine_cycle, subset, reason, paid, first_phase="cancel")
        with_fee = measure(env, engine_cycle, subset, fee_reason, paid, first_phase="cancel")
        by_hand = measure(env, fee_invoice_cycle, subset, product, first_phase="cancel")
        extra_q, extra_ms = with_fee.queries - plain.queries, with_fee.ms - plain.ms
        out(
            f"{size:>5} | {plain.queries:>9} {with_fee.queries:>9} {extra_q:>8} "
            f"{by_hand.queries:>8} {extra_q / by_hand.queries:>6.2f} | {plain.ms:>10.0f} "
            f"{with_fee.ms:>9.0f} {extra_ms:>9.0f} {by_hand.ms:>9.0f} | {extra_q / size:>13.1f}"
        )


def report_hotspots(tracer, total, size, top=15, what="engine"):
    by_line = collections.Counter()
    for (where, _table), count in tracer.by_line.items():
        by_line[where] += count
    out(f"\nqueries of the {what} cycle at N={size} ({total} in all), by the {what}'s line:")
    for where, count in by_line.most_common(top):
        out(f"  {count:>6}  {count / size:>7.1f}/order  {where}")
    out("the same by line and table:")
    for (where, table), count in tracer.by_line.most_common(top):
        out(f"  {count:>6}  {count / size:>7.1f}/order  {table:<28} {where}")


def report_profile(env, func, orders, *args, top=30):
    profiler = cProfile.Profile()
    profiler.enable()
    m = measure(env, func, orders, *args, first_phase="cancel")
    profiler.disable()
    stream = io.StringIO()
    stats = pstats.Stats(profiler, stream=stream).sort_stats("cumulative")
    stats.print_stats(r"order_revoke_cancel|order_termination", top)
    out(f"\ncProfile of the engine cycle at N={len(orders)} ({m.ms:.0f} ms, cumulative):")
    lines = stream.getvalue().splitlines()
    start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
    for line in lines[start:]:
        if line.strip():
            out("  " + line.replace(REPO_ROOT, ""))


# ---------------------------------------------------------------------------------------------
# Part B: closing and terminating (order_termination)
# ---------------------------------------------------------------------------------------------
def termination_ready(env):
    """Why Part B cannot run, or None when it can."""
    module = env["ir.module.module"].search([("name", "=", "order_termination")])
    if module.state != "installed":
        return f"order_termination is not installed (state: {module.state or 'not found'})"
    order_model = env["sale.order"]
    missing = [
        name
        for name in ("close", "get_close_checklist", "request_termination")
        if not hasattr(order_model, name)
    ]
    if "is_closed" not in order_model._fields:
        missing.append("sale.order.is_closed")
    if missing:
        return "order_termination does not provide " + ", ".join(missing) + " yet"
    if not find_mass_close_wizard(env):
        return "order_termination has no mass close wizard (list action) yet"
    if not find_close_cron(env):
        return "order_termination has no scheduled action for auto close yet"
    return None


def _module_records(env, model):
    data = env["ir.model.data"].search(
        [("module", "=", "order_termination"), ("model", "=", model)]
    )
    return env[model].browse(data.mapped("res_id")).exists()


def find_mass_close_wizard(env):
    """(model name, method name) of the list action that closes many orders."""
    candidates = [("sale.order.mass.close", "action_close")]
    for model in _module_records(env, "ir.model"):
        if model.transient and "mass" in model.model and "close" in model.model:
            methods = [n for n in dir(type(env[model.model])) if n.startswith("action_close")]
            candidates += [(model.model, name) for name in methods]
    for model, method in candidates:
        if model in env and hasattr(type(env[model]), method):
            return model, method
    return None


def find_close_cron(env):
    for cron in _module_records(env, "ir.cron").with_context(active_test=False):
        if cron.model_id.model == "sale.order" and "close" in (cron.code or ""):
            return cron
    return None


@contextlib.contextmanager
def commits_as_flushes(cr):
    """The scheduled action commits per batch: keep its work in our transaction instead."""
    cr.commit = cr.flush
    try:
        yield
    finally:
        del cr.commit


def close_by_list_action(measure, orders):
    model, method = find_mass_close_wizard(orders.env)
    wizard = (
        orders.env[model].with_context(active_model="sale.order", active_ids=orders.ids).create({})
    )
    getattr(wizard, method)()
    closed = orders.filtered("is_closed")
    if len(closed) != len(orders):
        out(f"  WARNING: the list action closed {len(closed)} of {len(orders)} orders")


def close_by_cron(measure, orders, others):
    env = orders.env
    # Only the measured orders are old enough: the others were confirmed today.
    env.company.auto_close_days = 1
    old = fields.Datetime.subtract(fields.Datetime.now(), days=30)
    _backdate(orders, old)
    measure.phase("cron")
    cron = find_close_cron(env)
    with commits_as_flushes(env.cr):
        cron.with_user(env.user).method_direct_trigger()
    env.invalidate_all()
    closed = orders.filtered("is_closed")
    if len(closed) != len(orders) or others.filtered("is_closed"):
        out(
            f"  WARNING: the cron closed {len(closed)} of {len(orders)} orders "
            f"(and {len(others.filtered('is_closed'))} it should not)"
        )


def _backdate(orders, when):
    """Make the orders and their documents look `when` old, for the auto close delay."""
    env = orders.env
    cr = env.cr
    env.flush_all()
    invoices = orders.invoice_ids
    partials = invoices.line_ids.matched_credit_ids | invoices.line_ids.matched_debit_ids
    moves = invoices | partials.debit_move_id.move_id | partials.credit_move_id.move_id
    updates = [
        ("UPDATE sale_order SET date_order = %s WHERE id IN %s", when, orders),
        ("UPDATE stock_picking SET date_done = %s WHERE id IN %s", when, orders.picking_ids),
        ("UPDATE account_move SET date = %s WHERE id IN %s", when.date(), moves),
        ("UPDATE account_move SET invoice_date = %s WHERE id IN %s", when.date(), invoices),
        ("UPDATE account_partial_reconcile SET max_date = %s WHERE id IN %s", when, partials),
    ]
    for query, value, records in updates:
        if records:
            cr.execute(query, (value, tuple(records.ids)))
    env.invalidate_all()


def terminate(measure, orders, reason):
    for order in orders:
        order.request_termination(reason, "Benchmark termination", customer_confirmation=False)
    states = set(orders.mapped("state"))
    if states != {"cancel"}:
        out(f"  WARNING: terminations left orders in states {states}")


def part_b(env, close_sizes, termination_sizes, invoiced=None):
    out("\n== Part B: closing settled orders, executing terminations (order_termination) ==")
    why_not = termination_ready(env)
    if why_not:
        out(f"SKIPPED: {why_not}.")
        return
    builder = Builder(env)
    start = time.perf_counter()
    settled = builder.orders(max(close_sizes), paid=True)
    out(
        f"setup: {len(settled)} settled (delivered, invoiced, paid) orders in "
        f"{time.perf_counter() - start:.1f} s ({builder.describe()})"
    )
    failed = [c for c in settled[:1].get_close_checklist() if not c["ok"]]
    if failed:
        out(f"  WARNING: a settled order fails the close checklist: {failed}")

    # Warm-up, unmeasured.
    measure(env, close_by_list_action, settled[:1])
    header = (
        f"{'N':>5} | {'list q':>8} {'list ms':>9} {'q/order':>8} {'ms/order':>9} | "
        f"{'cron q':>8} {'cron ms':>9} {'q/order':>8} {'ms/order':>9}"
    )
    out("close:")
    out(header)
    out("-" * len(header))
    for size in close_sizes:
        subset = settled[:size]
        listed = measure(env, close_by_list_action, subset)
        cron = measure(env, close_by_cron, subset, settled - subset, first_phase="setup")
        cq, cms = cron.phases["cron"]
        out(
            f"{size:>5} | {listed.queries:>8} {listed.ms:>9.0f} {listed.queries / size:>8.1f} "
            f"{listed.ms / size:>9.1f} | {cq:>8} {cms:>9.0f} {cq / size:>8.1f} {cms / size:>9.1f}"
        )

    reason = env["sale.termination.reason"].create(
        {"name": "Benchmark", "customer_confirmation": False}
    )
    if invoiced is not None and len(invoiced) >= max(termination_sizes):
        out(f"\nsetup: reusing the {len(invoiced)} delivered and invoiced orders of Part A")
    else:
        start = time.perf_counter()
        invoiced = builder.orders(max(termination_sizes), paid=False)
        out(
            f"\nsetup: {len(invoiced)} delivered and invoiced orders in "
            f"{time.perf_counter() - start:.1f} s ({builder.describe()})"
        )
    steps = env["sale.termination.approval.step"].search([])
    out(f"terminations (request + execute, {len(steps)} approval steps archived for the run):")
    steps.active = False
    header = f"{'N':>5} | {'queries':>8} {'ms':>9} {'q/order':>8} {'ms/order':>9}"
    out(header)
    out("-" * len(header))
    measure(env, terminate, invoiced[:1], reason)
    for size in termination_sizes:
        m = measure(env, terminate, invoiced[:size], reason)
        out(f"{size:>5} | {m.queries:>8} {m.ms:>9.0f} {m.queries / size:>8.1f} {m.ms / size:>9.1f}")


# ---------------------------------------------------------------------------------------------
def sizes(text):
    return [int(x) for x in text.split(",") if x.strip()]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", required=True, help="Odoo configuration file")
    parser.add_argument("--database", required=True)
    parser.add_argument("--part", choices=["a", "b", "all"], default="all")
    parser.add_argument("--sizes", type=sizes, default=[1, 10, 100, 1000], help="Part A sizes")
    parser.add_argument(
        "--paid-sizes",
        type=sizes,
        default=[1, 10, 100, 1000],
        help="Part A on paid orders with refund_payments (empty = skip)",
    )
    parser.add_argument(
        "--fee-sizes",
        type=sizes,
        default=[1, 10],
        help="Part A: the cycle with a fee against one invoice per order (empty = skip)",
    )
    parser.add_argument("--close-sizes", type=sizes, default=[10, 100, 1000])
    parser.add_argument("--termination-sizes", type=sizes, default=[10, 100])
    parser.add_argument(
        "--hotspots", type=int, default=10, help="N for the query-by-line report (0 = none)"
    )
    parser.add_argument(
        "--paid-hotspots", type=int, default=0, help="the same on paid orders (0 = none)"
    )
    parser.add_argument("--profile", type=int, default=0, help="N for a cProfile of the engine")
    parser.add_argument(
        "--no-native",
        action="store_true",
        help="Part A: the engine only (no native cycle, no ratio), to iterate on the engine",
    )
    args = parser.parse_args(argv)

    odoo.tools.config.parse_config(
        ["-c", args.config, "-d", args.database, "--log-level=warn"], setup_logging=True
    )
    logging.getLogger("odoo.addons.base.models.ir_cron").setLevel(logging.ERROR)
    started = time.perf_counter()
    registry = Registry(args.database)
    with registry.cursor() as cr:
        uid = odoo.SUPERUSER_ID
        env = api.Environment(cr, uid, {})
        admin = env.ref("base.user_admin")
        env = api.Environment(cr, admin.id, admin.context_get())
        out(
            f"Odoo {odoo.release.version} | database {args.database} | user {admin.login} | "
            f"{os.cpu_count()} CPUs | PostgreSQL {cr.connection.server_version}"
        )
        invoiced = None
        try:
            if args.part in ("a", "all"):
                if args.sizes:
                    invoiced = part_a(
                        env,
                        args.sizes,
                        False,
                        args.hotspots,
                        args.profile,
                        args.fee_sizes,
                        native_too=not args.no_native,
                    )
                if args.paid_sizes:
                    part_a(
                        env,
                        args.paid_sizes,
                        True,
                        args.paid_hotspots,
                        0,
                        args.fee_sizes,
                        native_too=not args.no_native,
                    )
            if args.part in ("b", "all"):
                part_b(env, args.close_sizes, args.termination_sizes, invoiced)
        finally:
            cr.rollback()
    out(f"\ntotal time {time.perf_counter() - started:.0f} s (everything rolled back)")


if __name__ == "__main__":
    main()
