"""Property-based invariants of the whole engine: random histories of 1-3 orders.

Hypothesis draws a history step by step (each step is chosen among those that make sense in the
state the previous steps left): confirm, deliver (full or partial, one-, two- or three-step
warehouse, lot-tracked product), invoice (alone or one invoice for two orders), a hand-made or
wizard credit note, pay (partial or full), cancel with random options, revoke, receive the
pending returns, close (forced too, as a manager) and reopen. After every step the documents
must agree with each other and with what the step means:

- stock: on-hand per internal location is what the done moves imply, and nothing sits in an
  intermediate location (Output, Packing) that no live move will take away;
- per sale line, `qty_delivered` and `qty_invoiced` are what the done moves and the invoice lines
  say;
- every posted journal entry is balanced and no posted entry is ever rewritten;
- the customer's receivable is the sum of the open residuals, and moves exactly by what the
  step billed, credited, collected or refunded;
- orders the step did not act on are untouched;
- cancel leaves nothing invoiced; revoke (and reopen after a short close) restores the state,
  quantities and receivable the order had before (plus what was refunded).

Each example runs inside a savepoint that is rolled back, so every history starts from the same
database. A counterexample prints as the list of its steps ("order 1: confirm; ...").

CI runs a fixed seed over the features that pass (`CI_FEATURES`). `bin/run-soak` runs the same
machine with every feature over many more histories (SOAK_EXAMPLES), collects every violation
instead of stopping at the first one and prints "N sequences, K violations".
"""

import os
import random
import sys
import time
from collections import defaultdict

from hypothesis import HealthCheck, Phase, given, note, seed, settings
from hypothesis import strategies as st

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from odoo.addons.order_revoke_cancel.tests import common

SOAK_EXAMPLES = int(os.environ.get("SOAK_EXAMPLES") or 0)
# Time budget of a soak (seconds, 0 = none): past it, no new batch of examples is started and
# the report says how many sequences ran.
SOAK_SECONDS = int(os.environ.get("SOAK_SECONDS") or 0)
SOAK_BATCH = 25
CI_EXAMPLES = 30
MAX_STEPS = 8
# CI keeps its histories a little shorter so that 30 of them, with every feature, stay well
# under 90 s of run time; the soak plays the long ones.
CI_MAX_STEPS = 6

# Everything the machine can do. CI draws only the features that are green at the branch's
# final commit; the soak draws every one of them, so it shows what is still broken.
ALL_FEATURES = frozenset(
    {
        "pick_ship",  # two-step delivery warehouse
        "pick_pack_ship",  # three-step delivery warehouse
        "lots",  # lot-tracked product (invoiced on delivered quantities)
        "consolidated",  # one invoice for two orders
        "hand_credit_note",  # credit notes made by hand or by the reversal wizard, edited
        "partial_receive",  # a return received in part (return backorder)
        "draft_invoice",  # invoices left in draft
        "close",  # close a finished order, reopen
        "short_close",  # forced close of an unfinished order (manager), reopen
    }
)
# Every feature: the soak of the final commit ran them all without a violation (issue 6).
CI_FEATURES = ALL_FEATURES


def _features():
    names = os.environ.get("INVARIANT_FEATURES")
    if names is not None:
        return frozenset(n for n in names.split(",") if n) & ALL_FEATURES
    return ALL_FEATURES if SOAK_EXAMPLES else CI_FEATURES


FEATURES = _features()
TOLERANCE = 0.005
WEIGHTS = {
    "confirm": 6,
    "deliver": 6,
    "invoice": 4,
    "pay": 3,
    "receive": 4,
    "credit_note": 2,
    "cancel": 2,
    "revoke": 2,
}


class Violation(AssertionError):
    """An invariant that does not hold; `name` groups the soak's findings."""

    def __init__(self, name, detail):
        super().__init__(f"{name}: {detail}")
        self.name = name
        self.detail = detail


def _close(a, b, tolerance=TOLERANCE):
    return abs((a or 0.0) - (b or 0.0)) <= tolerance


@tagged("post_install", "-at_install")
class TestEngineInvariants(common.OrderEndOfLifeCase):
    """Random histories of orders; the invariants are checked after every step."""

    # Soak results, over all examples of one run.
    soak_violations = {}
    soak_stats = defaultdict(int)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = cls.company_user(
            "inv_manager",
            common.SALES_MANAGER_GROUPS + ",stock.group_production_lot",
        )
        cls.partner = cls.partner_a
        Warehouse = cls.env["stock.warehouse"]
        cls.warehouses = {"ship_only": cls.warehouse}
        cls.warehouse.delivery_steps = "ship_only"
        for steps, code in (("pick_ship", "IW2"), ("pick_pack_ship", "IW3")):
            cls.warehouses[steps] = Warehouse.create(
                {
                    "name": f"Invariants {steps}",
                    "code": code,
                    "company_id": cls.company.id,
                    "delivery_steps": steps,
                }
            )
        cls.lot_product = cls.lot_tracked_product()
        Quant = cls.env["stock.quant"]
        for warehouse in cls.warehouses.values():
            if warehouse != cls.warehouse:
                Quant._update_available_quantity(cls.storable, warehouse.lot_stock_id, 1000)
            for lot_name in ("A", "B"):
                lot = cls.env["stock.lot"].create(
                    {
                        "name": f"{warehouse.code}-{lot_name}",
                        "product_id": cls.lot_product.id,
                        "company_id": cls.company.id,
                    }
                )
                Quant._update_available_quantity(
                    cls.lot_product, warehouse.lot_stock_id, 300, lot_id=lot
                )
        cls.products = cls.storable | cls.lot_product
        cls.prices = {cls.storable.id: 100.0, cls.lot_product.id: 30.0}
        cls.close_reason = cls.env.ref("order_termination.close_reason_short_close")
        cls.intermediate_locations = cls.env["stock.location"]
        for warehouse in cls.warehouses.values():
            if warehouse.delivery_steps != "ship_only":
                cls.intermediate_locations |= warehouse.wh_output_stock_loc_id
            if warehouse.delivery_steps == "pick_pack_ship":
                cls.intermediate_locations |= warehouse.wh_pack_stock_loc_id

    # ------------------------------------------------------------------------------------------
    # The property
    # ------------------------------------------------------------------------------------------
    def test_invariants(self):
        examples = SOAK_EXAMPLES or CI_EXAMPLES
        config = settings(
            max_examples=examples,
            deadline=None,
            database=None,
            derandomize=not SOAK_EXAMPLES,
            print_blob=False,
            suppress_health_check=list(HealthCheck),
            # The soak collects every violation itself; shrinking one would cost hours.
            phases=[Phase.generate]
            if SOAK_EXAMPLES
            else [Phase.explicit, Phase.generate, Phase.shrink],
        )
        started = self.soak_started = time.monotonic()
        type(self).soak_violations = {}
        type(self).soak_stats = defaultdict(int)

        def new_history():
            # A new function per Hypothesis run: each run decorates its own.
            def history(data):
                self._one_history(data)

            return history

        if SOAK_EXAMPLES:
            # Batches of examples, each its own Hypothesis run with the next seed: the time
            # budget is checked between batches (a run cannot be cut short consistently).
            soak_seed = int(os.environ.get("SOAK_SEED") or random.randrange(2**32))
            print(f"Soak seed {soak_seed} (SOAK_SEED={soak_seed} replays it)", file=sys.stderr)
            batch = 0
            while type(self).soak_stats["sequences"] < SOAK_EXAMPLES and not (
                SOAK_SECONDS and time.monotonic() - started > SOAK_SECONDS
            ):
                size = min(SOAK_BATCH, SOAK_EXAMPLES - type(self).soak_stats["sequences"])
                batch_config = settings(config, max_examples=size)
                seed(soak_seed + batch)(given(data=st.data())(batch_config(new_history())))()
                batch += 1
        else:
            given(data=st.data())(config(new_history()))()
        elapsed = time.monotonic() - started
        stats = type(self).soak_stats
        violations = type(self).soak_violations
        report = [
            f"{stats['sequences']} sequences, {sum(v['count'] for v in violations.values())} "
            f"violations in {elapsed:.0f} s ({stats['steps']} steps; features: "
            f"{', '.join(sorted(FEATURES)) or 'none'})"
        ]
        for key in sorted(k for k in stats if k.startswith(("step ", "time "))):
            report.append(f"  {key}: {stats[key]:.0f}")
        for (name, _kind), found in sorted(violations.items()):
            report.append(
                f"VIOLATION {name} ({found['count']} times), shortest history:\n"
                + "\n".join(f"    {i}. {s}" for i, s in enumerate(found["steps"], 1))
                + f"\n  -> {found['detail']}"
            )
        print("\n".join(report), file=sys.stderr)  # the soak's report
        if violations:
            self.fail(f"{len(violations)} kinds of violation, see the report above")

    def _one_history(self, data):
        """One example: a fresh set of orders and a random history, rolled back afterwards."""
        savepoint = self.env.cr.savepoint()
        try:
            self.steps = []
            self.cancel_snapshots = {}
            self.close_snapshots = {}
            self._start_history(data)
            longest = MAX_STEPS if SOAK_EXAMPLES else CI_MAX_STEPS
            n_steps = data.draw(st.integers(2, longest), label="steps")
            for _ in range(n_steps):
                step = self._draw_step(data)
                if step is None:
                    break
                self._run_step(step)
            type(self).soak_stats["sequences"] += 1
            if SOAK_EXAMPLES and type(self).soak_stats["sequences"] % 25 == 0:
                print(  # soak progress
                    f"... {type(self).soak_stats['sequences']} sequences, "
                    f"{len(type(self).soak_violations)} kinds of violation so far, "
                    f"{time.monotonic() - self.soak_started:.0f} s",
                    file=sys.stderr,
                    flush=True,
                )
        except Violation as violation:
            if not SOAK_EXAMPLES:
                raise AssertionError(
                    f"{violation}\nafter the history:\n"
                    + "\n".join(f"  {i}. {s}" for i, s in enumerate(self.steps, 1))
                ) from violation
            type(self).soak_stats["sequences"] += 1
            key = (violation.name, self.steps[-1].split(":", 1)[-1].split()[0])
            found = type(self).soak_violations.get(key)
            if found is None:
                print(  # a new kind of violation, shown at once in a long soak
                    f"new violation {violation}\n"
                    + "\n".join(f"    {i}. {s}" for i, s in enumerate(self.steps, 1)),
                    file=sys.stderr,
                    flush=True,
                )
            if found is None or len(self.steps) < len(found["steps"]):
                type(self).soak_violations[key] = {
                    "count": (found or {}).get("count", 0) + 1,
                    "steps": list(self.steps),
                    "detail": violation.detail,
                }
            else:
                found["count"] += 1
        finally:
            savepoint.close(rollback=True)
            self.env.invalidate_all(flush=False)

    # ------------------------------------------------------------------------------------------
    # Histories
    # ------------------------------------------------------------------------------------------
    def _start_history(self, data):
        kinds = ["ship_only"] + [k for k in ("pick_ship", "pick_pack_ship") if k in FEATURES]
        products = [self.storable] + ([self.lot_product] if "lots" in FEATURES else [])
        n_orders = data.draw(st.integers(1, 3), label="orders")
        self.orders = []
        descriptions = []
        env = self.env(user=self.manager)
        for index in range(n_orders):
            kind = data.draw(st.sampled_from(kinds), label="warehouse")
            chosen = data.draw(
                st.lists(st.sampled_from(products), min_size=1, max_size=2, unique=True),
                label="products",
            )
            lines = [(product, data.draw(st.integers(1, 10), label="qty")) for product in chosen]
            order = env["sale.order"].create(
                {
                    "partner_id": self.partner.id,
                    "warehouse_id": self.warehouses[kind].id,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": product.id,
                                "product_uom_qty": qty,
                                "price_unit": self.prices[product.id],
                            }
                        )
                        for product, qty in lines
                    ],
                }
            )
            self.orders.append(order)
            descriptions.append(
                f"order {index + 1} ({kind}): "
                + ", ".join(f"{qty} x {product.name}" for product, qty in lines)
            )
        self.steps.append("create " + "; ".join(descriptions))
        note(self.steps[-1])
        self.start_quants = self._quants()
        self.start_move_lines = self._done_move_lines()
        self.last_snapshot = self._snapshot()

    def _label(self, order):
        return f"order {self.orders.index(order) + 1}"

    def _draw_step(self, data):
        """Choose one step among those that make sense now; None when nothing does."""
        self.env.invalidate_all()
        candidates = []
        for order in self.orders:
            candidates += self._candidates(order)
        if not candidates:
            return None
        # Steps that build history are drawn more often than the ones that end it.
        weighted = [c for c in candidates for _ in range(WEIGHTS.get(c[0], 1))]
        kind, order = data.draw(st.sampled_from(weighted), label="step")
        return getattr(self, f"_draw_{kind}")(data, order)

    def _candidates(self, order):
        result = []
        closed = order.is_closed
        if order.state in ("draft", "sent"):
            result.append(("confirm", order))
            if not order.cancellation_ids:
                result.append(("cancel", order))
        elif order.state == "sale" and not closed:
            if self._ready_deliveries(order):
                result.append(("deliver", order))
            if self._invoiceable(order):
                result.append(("invoice", order))
            if "hand_credit_note" in FEATURES and self._creditable_lines(order):
                result.append(("credit_note", order))
            result.append(("cancel", order))
            if "short_close" in FEATURES or (
                "close" in FEATURES and all(c["ok"] for c in order.get_close_checklist())
            ):
                result.append(("close", order))
        elif order.state == "cancel":
            result.append(("revoke", order))
        if closed:
            result.append(("reopen", order))
        if self._open_invoices(order):
            result.append(("pay", order))
        if self._pending_returns(order):
            result.append(("receive", order))
        return result

    # ---- the documents of an order -------------------------------------------------------
    def _ready_deliveries(self, order):
        return order.picking_ids.filtered(
            lambda p: (
                p.state == "assigned" and not p.return_id and p.picking_type_code != "incoming"
            )
        ).sorted("id")

    def _pending_returns(self, order):
        return order.picking_ids.filtered(
            lambda p: p.return_id and p.state not in ("done", "cancel", "draft")
        ).sorted("id")

    def _invoiceable(self, order):
        """A regular invoice bills positive quantities only: an order whose lines are only
        over-invoiced (goods came back after a draft invoice) shows "to invoice" but Odoo
        answers "No items are available to invoice", as it does without these addons."""
        return any(line.qty_to_invoice > 0 for line in order.order_line)

    def _open_invoices(self, order):
        return order.invoice_ids.filtered(
            lambda m: (
                m.state == "posted" and m.move_type == "out_invoice" and m.amount_residual > 0.01
            )
        ).sorted("id")

    def _creditable_lines(self, order):
        """Posted invoice lines of the order whose sale line still has something invoiced."""
        return (
            order.invoice_ids.filtered(
                lambda m: m.state == "posted" and m.move_type == "out_invoice"
            )
            .invoice_line_ids.filtered(
                lambda li: (
                    li.display_type == "product"
                    and li.sale_line_ids.order_id == order
                    and li.sale_line_ids.qty_invoiced >= 1
                )
            )
            .sorted("id")
        )

    # ---- drawing the steps ---------------------------------------------------------------
    def _draw_confirm(self, data, order):
        return Step(f"{self._label(order)}: confirm", order, order.action_confirm)

    def _draw_deliver(self, data, order):
        pickings = self._ready_deliveries(order)
        picking = data.draw(st.sampled_from(list(pickings)), label="picking")
        full = data.draw(st.booleans(), label="full")
        tenths = data.draw(st.integers(1, 9), label="part")
        quantities = {}
        for move in picking.move_ids.filtered(lambda m: m.state not in ("done", "cancel")):
            demand = move.product_uom_qty
            qty = demand if full or demand <= 1 else max(1, min(demand - 1, demand * tenths // 10))
            quantities[move.id] = qty
        warehouse = picking.picking_type_id.warehouse_id
        if picking.location_dest_id.usage == "customer":
            step_name = "ship"
        elif picking.location_id == warehouse.lot_stock_id:
            step_name = "pick"
        else:
            step_name = "pack"
        kind = warehouse.delivery_steps
        amount = "all" if full else "+".join(str(int(q)) for q in quantities.values())
        return Step(
            f"{self._label(order)}: deliver {amount} ({step_name} of {kind})",
            order,
            lambda: self._validate(picking, quantities),
        )

    def _draw_receive(self, data, order):
        returns = self._pending_returns(order)
        partial = "partial_receive" in FEATURES and data.draw(st.booleans(), label="partial")
        quantities = {}
        for move in returns.move_ids.filtered(lambda m: m.state not in ("done", "cancel")):
            demand = move.product_uom_qty
            quantities[move.id] = max(1, demand // 2) if partial and demand > 1 else demand
        return Step(
            f"{self._label(order)}: receive pending returns"
            + (" in part (backorder)" if partial else ""),
            order,
            lambda: self._receive(returns, quantities),
        )

    def _draw_invoice(self, data, order):
        orders = order
        siblings = [
            o
            for o in self.orders
            if o != order and o.state == "sale" and not o.is_closed and self._invoiceable(o)
        ]
        if "consolidated" in FEATURES and siblings and data.draw(st.booleans(), label="together"):
            orders |= data.draw(st.sampled_from(siblings), label="sibling")
        post = "draft_invoice" not in FEATURES or data.draw(
            st.booleans() | st.just(True), label="post"
        )
        labels = "+".join(str(self.orders.index(o) + 1) for o in orders.sorted("id"))
        prefix = (
            f"orders {labels}: invoice together"
            if len(orders) > 1
            else (f"{self._label(order)}: invoice")
        )
        return Step(
            prefix + ("" if post else " (left in draft)"),
            orders,
            lambda: self._invoice(orders, post),
        )

    def _draw_credit_note(self, data, order):
        line = data.draw(st.sampled_from(list(self._creditable_lines(order))), label="line")
        sale_line = line.sale_line_ids[:1]
        qty = data.draw(
            st.integers(1, max(1, int(min(line.quantity, sale_line.qty_invoiced)))), label="cn qty"
        )
        edited = data.draw(st.booleans(), label="edited price")
        price = round(line.price_unit * (0.5 if edited else 1.0), 2)
        wizard = data.draw(st.booleans(), label="by wizard")
        how = "reversal wizard, edited" if wizard else "by hand"
        return Step(
            f"{self._label(order)}: credit note {qty} x {line.product_id.name} at {price:g} "
            f"on {line.move_id.name} ({how})",
            order,
            lambda: self._credit_note(line, qty, price, wizard),
        )

    def _draw_pay(self, data, order):
        invoice = data.draw(st.sampled_from(list(self._open_invoices(order))), label="invoice")
        full = data.draw(st.booleans(), label="full payment")
        amount = invoice.amount_residual if full else round(invoice.amount_residual / 2, 2)
        step = Step(
            f"{self._label(order)}: pay {amount:g} of {invoice.amount_residual:g} on "
            f"{invoice.name}",
            order,
            lambda: self._pay(invoice, amount),
        )
        step.amount = amount
        return step

    def _draw_cancel(self, data, order):
        receive = data.draw(st.booleans(), label="receive_returns")
        refund = data.draw(st.booleans(), label="refund_payments")
        return Step(
            f"{self._label(order)}: cancel(receive_returns={receive}, refund_payments={refund})",
            order,
            lambda: order.with_user(self.manager).cancel_with_reversal(
                self.reason, receive_returns=receive, refund_payments=refund
            ),
            kind="cancel",
        )

    def _draw_revoke(self, data, order):
        return Step(
            f"{self._label(order)}: revoke",
            order,
            lambda: order.with_user(self.manager).revoke_cancel(note="Revoked by the machine"),
            kind="revoke",
        )

    def _draw_close(self, data, order):
        finished = all(check["ok"] for check in order.get_close_checklist())
        force = not finished or (
            "short_close" in FEATURES and data.draw(st.booleans(), label="force")
        )
        return Step(
            f"{self._label(order)}: close" + (" (forced, manager)" if force else ""),
            order,
            lambda: order.with_user(self.manager).close(
                reason=self.close_reason, note="Machine", force=force
            ),
            kind="force_close" if force else "close",
        )

    def _draw_reopen(self, data, order):
        return Step(
            f"{self._label(order)}: reopen",
            order,
            lambda: order.with_user(self.manager).reopen("Reopened by the machine"),
            kind="reopen",
        )

    # ---- doing the steps -----------------------------------------------------------------
    def _validate(self, pickings, quantities):
        pickings = pickings.with_user(self.manager)
        for move in pickings.move_ids:
            if move.id in quantities:
                move.quantity = quantities[move.id]
                move.picked = True
        res = pickings.button_validate()
        if isinstance(res, dict) and res.get("res_model") == "stock.backorder.confirmation":
            wizard = self.env["stock.backorder.confirmation"].with_user(self.manager)
            wizard.with_context(**res["context"]).create({}).process()
        elif isinstance(res, dict):
            raise Violation(
                "validation asks for a wizard",
                f"validating {', '.join(pickings.mapped('name'))} opened {res.get('res_model')}",
            )

    def _receive(self, returns, quantities):
        """Receive returns as a warehouse does: a return of a pick waits for the return of the
        pack that brings its goods back to Packing, so the returns are received in that order;
        lots and serial numbers can only be received where they are (what the return reserved
        once the earlier returns are in)."""
        pending = returns
        while pending:
            wave = (
                pending.filtered(
                    lambda p, pending=pending: not (p.move_ids.move_orig_ids & pending.move_ids)
                )
                or pending
            )
            wave.with_user(self.manager).action_assign()
            wanted = {}
            for move in wave.move_ids.filtered(lambda m: m.state not in ("done", "cancel")):
                qty = quantities.get(move.id, 0.0)
                if move.has_tracking != "none":
                    qty = min(qty, move.quantity)
                if qty > 0:
                    wanted[move.id] = qty
            ready = wave.filtered(lambda p, wanted=wanted: set(p.move_ids.ids) & set(wanted))
            if ready:
                self._validate(ready, wanted)
            pending -= wave

    def _invoice(self, orders, post):
        invoices = orders.with_user(self.manager)._create_invoices()
        if post:
            invoices.action_post()
        return invoices

    def _credit_note(self, line, qty, price, wizard):
        env = self.env(user=self.manager)
        if wizard:
            reversal = (
                env["account.move.reversal"]
                .with_context(active_model="account.move", active_ids=line.move_id.ids)
                .create({"journal_id": line.move_id.journal_id.id, "reason": "Machine"})
            )
            action = reversal.refund_moves()
            credit_note = env["account.move"].browse(action["res_id"])
            keep = credit_note.invoice_line_ids.filtered(
                lambda li: li.display_type == "product" and li.sale_line_ids == line.sale_line_ids
            )[:1]
            credit_note.write(
                {
                    "invoice_line_ids": [
                        Command.unlink(li.id)
                        for li in credit_note.invoice_line_ids.filtered(
                            lambda li: li.display_type == "product"
                        )
                        - keep
                    ]
                    + [Command.update(keep.id, {"quantity": qty, "price_unit": price})]
                }
            )
        else:
            credit_note = env["account.move"].create(
                {
                    "move_type": "out_refund",
                    "partner_id": self.partner.id,
                    "invoice_date": fields.Date.context_today(line),
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "product_id": line.product_id.id,
                                "quantity": qty,
                                "price_unit": price,
                                "tax_ids": [Command.clear()],
                                "sale_line_ids": [Command.set(line.sale_line_ids.ids)],
                            }
                        )
                    ],
                }
            )
        credit_note.action_post()
        return credit_note

    def _pay(self, invoice, amount):
        register = (
            self.env["account.payment.register"]
            .with_user(self.manager)
            .with_context(active_model="account.move", active_ids=invoice.ids)
        )
        register.create({"amount": amount})._create_payments()

    def _run_step(self, step):
        self.steps.append(step.description)
        note(step.description)
        type(self).soak_stats[f"step {step.kind}"] += 1
        type(self).soak_stats["steps"] += 1
        started = time.monotonic()
        before = self.last_snapshot
        expected_refusal = self._expected_refusal(step, before)
        refusal = None
        try:
            with self.env.cr.savepoint():
                step.result = step.action()
                self.env.flush_all()
        except (UserError, AccessError) as error:
            refusal = str(error.args[0] if error.args else error)
        except Violation:
            raise
        except Exception as error:  # any crash is a finding, reported as such
            raise Violation("crash", f"{type(error).__name__}: {error}") from error
        self.env.invalidate_all()
        if refusal:
            self.steps[-1] += f"  [refused: {refusal.splitlines()[0][:120]}]"
            type(self).soak_stats[f"step {step.kind} refused"] += 1
            if not expected_refusal:
                raise Violation(f"{step.kind} refused", refusal)
        elif expected_refusal:
            raise Violation(f"{step.kind} not refused", expected_refusal)
        type(self).soak_stats[f"time {step.kind}"] += time.monotonic() - started
        after = self.last_snapshot = self._snapshot()
        self._check_consistency(after)
        self._check_step(step, before, after, refused=bool(refusal))
        type(self).soak_stats["time total"] += time.monotonic() - started

    def _expected_refusal(self, step, before):
        """Why the step must be refused (contract), or False."""
        if step.kind != "force_close":
            return False
        order = step.orders
        if order.invoice_ids.filtered(lambda m: m.state == "draft"):
            # A short close settles what is posted: a draft invoice would be counted as
            # invoiced, then posted or not after the order was settled without it.
            return "a forced close while an invoice is draft is refused"
        lines = before["orders"][order.id]["lines"]
        if any(line["delivered"] > line["invoiced"] + TOLERANCE for line in lines.values()):
            return "a forced close while delivered goods are not invoiced is refused"
        return False

    # ------------------------------------------------------------------------------------------
    # What the database says
    # ------------------------------------------------------------------------------------------
    def _quants(self):
        self.env.flush_all()
        self.env.cr.execute(
            """
            SELECT q.product_id, q.location_id, SUM(q.quantity)
              FROM stock_quant q JOIN stock_location l ON l.id = q.location_id
             WHERE q.product_id IN %s AND l.usage = 'internal'
             GROUP BY q.product_id, q.location_id
            """,
            [tuple(self.products.ids)],
        )
        return {(p, loc): qty for p, loc, qty in self.env.cr.fetchall()}

    def _done_move_lines(self):
        """{(product, location): net quantity moved in by done move lines}."""
        self.env.cr.execute(
            """
            SELECT product_id, location_dest_id, SUM(quantity) FROM stock_move_line
             WHERE state = 'done' AND product_id IN %s GROUP BY product_id, location_dest_id
            """,
            [tuple(self.products.ids)],
        )
        result = defaultdict(float)
        for product, location, qty in self.env.cr.fetchall():
            result[(product, location)] += qty
        self.env.cr.execute(
            """
            SELECT product_id, location_id, SUM(quantity) FROM stock_move_line
             WHERE state = 'done' AND product_id IN %s GROUP BY product_id, location_id
            """,
            [tuple(self.products.ids)],
        )
        for product, location, qty in self.env.cr.fetchall():
            result[(product, location)] -= qty
        return result

    def _posted_entries(self):
        self.env.cr.execute(
            """
            SELECT l.move_id, l.id, l.account_id, ROUND(l.debit, 2), ROUND(l.credit, 2),
                   l.partner_id, ROUND(l.amount_currency, 2)
              FROM account_move_line l JOIN account_move m ON m.id = l.move_id
             WHERE m.state = 'posted' AND m.company_id = %s
            """,
            [self.company.id],
        )
        entries = defaultdict(set)
        for move_id, *line in self.env.cr.fetchall():
            entries[move_id].add(tuple(line))
        return {move_id: frozenset(lines) for move_id, lines in entries.items()}

    def _receivable(self):
        self.env.cr.execute(
            """
            SELECT COALESCE(SUM(l.balance), 0), COALESCE(SUM(l.amount_residual), 0)
              FROM account_move_line l JOIN account_account a ON a.id = l.account_id
             WHERE a.account_type = 'asset_receivable' AND l.parent_state = 'posted'
               AND l.partner_id = %s AND l.company_id = %s
            """,
            [self.partner.commercial_partner_id.id, self.company.id],
        )
        return self.env.cr.fetchone()

    def _snapshot(self):
        self.env.flush_all()
        self.env.invalidate_all()
        orders = {}
        for order in self.orders:
            lines = {}
            for line in order.order_line.filtered(lambda sol: not sol.display_type):
                moves = line.move_ids
                values = {
                    "delivered": line.qty_delivered,
                    "invoiced": line.qty_invoiced,
                    "to_invoice": line.qty_to_invoice,
                    "ordered": line.product_uom_qty,
                    "billed": self._billed(line),
                    # Live moves on their way to the customer: the ship, and in a multi-step
                    # warehouse the pick or pack whose chain ends there (the next step's move
                    # is made only when the previous one is done, so nothing counts twice).
                    "open_demand": sum(
                        m.product_uom_qty
                        for m in moves
                        if m.state not in ("done", "cancel")
                        and (m.location_final_id or m.location_dest_id).usage == "customer"
                    ),
                    "moves_delivered": sum(
                        m.quantity
                        for m in moves
                        if m.state == "done" and m.location_dest_id.usage == "customer"
                    )
                    - sum(
                        m.quantity
                        for m in moves
                        if m.state == "done" and m.location_id.usage == "customer" and m.to_refund
                    ),
                    "lines_invoiced": sum(
                        (1 if il.move_id.move_type == "out_invoice" else -1) * il.quantity
                        for il in line.invoice_lines
                        if il.move_id.state != "cancel"
                    ),
                }
                # Rounded: a float summed twice must compare equal.
                lines[line.id] = {key: round(value, 4) for key, value in values.items()}
            orders[order.id] = {
                "state": order.state,
                "locked": order.locked,
                "is_closed": order.is_closed,
                "invoice_status": order.invoice_status,
                "lines": lines,
                "pickings": {p.id: p.state for p in order.picking_ids},
                "paid": self._paid(order),
            }
        balance, residual = self._receivable()
        return {
            "orders": orders,
            "balance": balance,
            "residual": residual,
            "quants": self._quants(),
            "move_lines": self._done_move_lines(),
            "posted": self._posted_entries(),
            "live_out": self._live_moves_from_intermediate(),
        }

    def _billed(self, line):
        """What the sale line is billed for, net of credit notes (posted entries only)."""
        return sum(
            (1 if il.move_id.move_type == "out_invoice" else -1) * il.price_total
            for il in line.invoice_lines
            if il.move_id.state == "posted"
        )

    def _paid(self, order):
        """Payments reconciled with the order's invoices (all of each shared invoice)."""
        paid = 0.0
        for invoice in order.invoice_ids.filtered(
            lambda m: m.state == "posted" and m.move_type == "out_invoice"
        ):
            for line in invoice.line_ids.filtered(
                lambda li: li.account_id.account_type == "asset_receivable"
            ):
                for partial in line.matched_credit_ids:
                    if partial.credit_move_id.move_id.origin_payment_id:
                        paid += partial.amount
        return paid

    def _live_moves_from_intermediate(self):
        self.env.cr.execute(
            """
            SELECT product_id, location_id, SUM(product_qty) FROM stock_move
             WHERE state NOT IN ('done', 'cancel', 'draft') AND location_id IN %s
               AND product_id IN %s
             GROUP BY product_id, location_id
            """,
            [tuple(self.intermediate_locations.ids), tuple(self.products.ids)],
        )
        return {(p, loc): qty for p, loc, qty in self.env.cr.fetchall()}

    # ------------------------------------------------------------------------------------------
    # Invariants
    # ------------------------------------------------------------------------------------------
    def _check_consistency(self, snap):
        """What holds after any step: the documents agree with each other."""
        # On hand per internal location = what the done moves imply.
        expected = defaultdict(float, self.start_quants)
        for key, qty in snap["move_lines"].items():
            expected[key] += qty - self.start_move_lines.get(key, 0.0)
        locations = self.env["stock.location"].browse({loc for _p, loc in expected})
        internal = set(locations.filtered(lambda loc: loc.usage == "internal").ids)
        for (product, location), qty in expected.items():
            if location in internal and not _close(snap["quants"].get((product, location)), qty):
                raise Violation(
                    "on hand differs from the done moves",
                    f"{self._name_of('product.product', product)} in "
                    f"{self._name_of('stock.location', location)}: on hand "
                    f"{snap['quants'].get((product, location), 0):g}, moves say {qty:g}",
                )
        # Nothing stranded in Output / Packing: goods there wait for a live move.
        for (product, location), qty in snap["quants"].items():
            if location not in self.intermediate_locations.ids or qty <= TOLERANCE:
                continue
            waiting = snap["live_out"].get((product, location), 0.0)
            if qty > waiting + TOLERANCE:
                raise Violation(
                    "goods stranded in an intermediate location",
                    f"{qty:g} x {self._name_of('product.product', product)} in "
                    f"{self._name_of('stock.location', location)}, but live moves take away "
                    f"only {waiting:g}",
                )
        for order in snap["orders"].values():
            for line_id, line in order["lines"].items():
                if not _close(line["delivered"], line["moves_delivered"]):
                    raise Violation(
                        "qty_delivered differs from the done moves",
                        f"{self._line_name(line_id)}: qty_delivered {line['delivered']:g}, "
                        f"moves say {line['moves_delivered']:g}",
                    )
                if not _close(line["invoiced"], line["lines_invoiced"]):
                    raise Violation(
                        "qty_invoiced differs from the invoice lines",
                        f"{self._line_name(line_id)}: qty_invoiced {line['invoiced']:g}, "
                        f"invoice lines say {line['lines_invoiced']:g}",
                    )
                if line["invoiced"] < -TOLERANCE:
                    raise Violation(
                        "negative qty_invoiced (credited more than invoiced)",
                        f"{self._line_name(line_id)}: qty_invoiced {line['invoiced']:g}",
                    )
        # Every posted entry balanced.
        self.env.cr.execute(
            """
            SELECT m.name FROM account_move_line l JOIN account_move m ON m.id = l.move_id
             WHERE m.state = 'posted' AND m.company_id = %s
             GROUP BY m.id, m.name HAVING ABS(SUM(l.debit) - SUM(l.credit)) > 0.001
            """,
            [self.company.id],
        )
        unbalanced = [name for (name,) in self.env.cr.fetchall()]
        if unbalanced:
            raise Violation("unbalanced journal entry", ", ".join(unbalanced))
        if not _close(snap["balance"], snap["residual"], 0.01):
            raise Violation(
                "receivable differs from the open residuals",
                f"receivable balance {snap['balance']:.2f}, open residuals {snap['residual']:.2f}",
            )

    def _check_step(self, step, before, after, refused):
        """What the step means: its effect, and nothing else."""
        # Posted entries are never rewritten (nor unposted, nor deleted).
        for move_id, lines in before["posted"].items():
            if after["posted"].get(move_id) != lines:
                move = self.env["account.move"].browse(move_id)
                raise Violation(
                    "posted entry rewritten",
                    f"{move.display_name} ({move.state}) changed",
                )
        acted = set(step.orders.ids)
        for order_id, was in before["orders"].items():
            now = after["orders"][order_id]
            if refused or order_id not in acted:
                # What a payment on a shared invoice settles is the sibling's business too.
                was = {k: v for k, v in was.items() if k != "paid"}
                if {k: v for k, v in now.items() if k != "paid"} != was:
                    raise Violation(
                        "order changed by a step on another order"
                        if not refused
                        else "refused step changed the order",
                        f"{self._label(self.env['sale.order'].browse(order_id))}: "
                        f"{self._diff(was, now)}",
                    )
        delta = after["balance"] - before["balance"]
        if refused:
            if not _close(delta, 0, 0.01):
                raise Violation("refused step moved the receivable", f"by {delta:.2f}")
            return
        check = getattr(self, f"_check_{step.kind}", None)
        if check:
            check(step, before, after, delta)

    def _check_invoice(self, step, before, after, delta):
        invoices = step.result
        billed = sum(invoices.filtered(lambda m: m.state == "posted").mapped("amount_total"))
        if not _close(delta, billed, 0.01):
            raise Violation(
                "receivable moved by other than the invoice",
                f"receivable moved by {delta:.2f}, invoices posted for {billed:.2f}",
            )

    def _check_pay(self, step, before, after, delta):
        if not _close(delta, -step.amount, 0.01):
            raise Violation(
                "receivable moved by other than the payment",
                f"receivable moved by {delta:.2f}, paid {step.amount:.2f}",
            )

    def _check_credit(self, step, before, after, delta):
        if not _close(delta, -step.result.amount_total, 0.01):
            raise Violation(
                "receivable moved by other than the credit note",
                f"receivable moved by {delta:.2f}, credit note of {step.result.amount_total:.2f}",
            )

    def _check_cancel(self, step, before, after, delta):
        order = step.orders
        was, now = before["orders"][order.id], after["orders"][order.id]
        cancellation = order._get_last_cancellation()
        if now["state"] != "cancel":
            raise Violation("cancel did not cancel", f"state {now['state']}")
        credited = sum(line["billed"] for line in was["lines"].values())
        refunded = sum(cancellation.refund_payment_ids.mapped("amount"))
        for line_id, line in now["lines"].items():
            if not _close(line["invoiced"], 0) or not _close(line["billed"], 0, 0.01):
                raise Violation(
                    "cancel left something invoiced",
                    f"{self._line_name(line_id)}: qty_invoiced {line['invoiced']:g}, "
                    f"billed net {line['billed']:.2f}",
                )
            if cancellation.receive_returns and not _close(line["delivered"], 0):
                raise Violation(
                    "cancel with receive_returns left goods at the customer",
                    f"{self._line_name(line_id)}: qty_delivered {line['delivered']:g}",
                )
        if not cancellation.refund_payments and refunded:
            raise Violation("refund without refund_payments", f"refunded {refunded:.2f}")
        if refunded > min(credited, was["paid"]) + 0.01:
            raise Violation(
                "refund exceeds what was paid for the order",
                f"refunded {refunded:.2f}, credited {credited:.2f}, paid on its invoices "
                f"{was['paid']:.2f}",
            )
        if not _close(delta, -credited + refunded, 0.01):
            raise Violation(
                "cancel moved the receivable by other than credit notes and refunds",
                f"receivable moved by {delta:.2f}; the order was billed {credited:.2f} net, "
                f"refunded {refunded:.2f}",
            )
        self.cancel_snapshots[order.id] = (was, credited, refunded)

    def _check_revoke(self, step, before, after, delta):
        order = step.orders
        snapshot = self.cancel_snapshots.pop(order.id, None)
        if snapshot is None:
            return
        was, credited, _refunded = snapshot
        self._check_restored("revoke", order, was, after["orders"][order.id])
        if not _close(delta, credited, 0.01):
            raise Violation(
                "revoke did not restore the receivable",
                f"receivable moved by {delta:.2f}, the cancellation had credited {credited:.2f}",
            )

    def _check_close(self, step, before, after, delta):
        now = after["orders"][step.orders.id]
        if not now["is_closed"] or not now["locked"]:
            raise Violation("close did not close", f"is_closed {now['is_closed']}")
        if not _close(delta, 0, 0.01):
            raise Violation("close of a finished order moved the receivable", f"{delta:.2f}")
        self.close_snapshots[step.orders.id] = (before["orders"][step.orders.id], 0.0)

    def _check_force_close(self, step, before, after, delta):
        order = step.orders
        was, now = before["orders"][order.id], after["orders"][order.id]
        if not now["is_closed"] or not now["locked"]:
            raise Violation("close did not close", f"is_closed {now['is_closed']}")
        open_pickings = [
            pid for pid, state in now["pickings"].items() if state not in ("done", "cancel")
        ]
        if open_pickings:
            raise Violation(
                "short close left open pickings",
                ", ".join(self.env["stock.picking"].browse(open_pickings).mapped("name")),
            )
        if now["invoice_status"] == "to invoice":
            raise Violation("short-closed order still to invoice", "invoice_status to invoice")
        for line_id, line in now["lines"].items():
            if not _close(line["invoiced"], line["delivered"]):
                raise Violation(
                    "short close did not settle at what was delivered",
                    f"{self._line_name(line_id)}: invoiced {line['invoiced']:g}, "
                    f"delivered {line['delivered']:g}",
                )
        credited = sum(
            was["lines"][lid]["billed"] - line["billed"] for lid, line in now["lines"].items()
        )
        self.close_snapshots[order.id] = (was, credited)

    def _check_reopen(self, step, before, after, delta):
        order = step.orders
        now = after["orders"][order.id]
        if now["is_closed"]:
            raise Violation("reopen did not reopen", "is_closed still set")
        snapshot = self.close_snapshots.pop(order.id, None)
        if snapshot is None:
            return
        was, credited = snapshot
        self._check_restored("reopen", order, was, now)
        if not _close(delta, credited, 0.01):
            raise Violation(
                "reopen did not restore the receivable",
                f"receivable moved by {delta:.2f}, the close had credited {credited:.2f}",
            )

    def _check_restored(self, action, order, was, now):
        """Revoke and reopen put the order back as it was before cancel or close."""
        for key in ("state", "locked"):
            if now[key] != was[key]:
                raise Violation(
                    f"{action} did not restore the order",
                    f"{key} is {now[key]}, was {was[key]}",
                )
        for line_id, line in was["lines"].items():
            current = now["lines"][line_id]
            if not _close(current["invoiced"], line["invoiced"]) or not _close(
                current["billed"], line["billed"], 0.01
            ):
                raise Violation(
                    f"{action} did not restore what was invoiced",
                    f"{self._line_name(line_id)}: qty_invoiced {current['invoiced']:g} "
                    f"(billed {current['billed']:.2f}), was {line['invoiced']:g} "
                    f"(billed {line['billed']:.2f})",
                )
            planned_before = line["delivered"] + line["open_demand"]
            planned_now = current["delivered"] + current["open_demand"]
            if was["state"] == "sale" and not _close(planned_now, planned_before):
                raise Violation(
                    f"{action} did not restore the deliveries",
                    f"{self._line_name(line_id)}: delivered + still to deliver "
                    f"{planned_now:g}, was {planned_before:g}",
                )

    # ---- names for the report ------------------------------------------------------------
    def _name_of(self, model, record_id):
        return self.env[model].browse(record_id).display_name

    def _line_name(self, line_id):
        line = self.env["sale.order.line"].browse(line_id)
        return f"{self._label(line.order_id)}, {line.product_id.name}"

    def _diff(self, was, now):
        return "; ".join(
            f"{key}: {was[key]} -> {now.get(key)}" for key in was if was[key] != now.get(key)
        )


class Step:
    """One step of a history: what it says, the orders it acts on, and how to do it."""

    def __init__(self, description, orders, action, kind=None):
        self.description = description
        self.orders = orders
        self.action = action
        self.kind = kind or description.split(": ", 1)[1].split()[0]
        self.result = None
        self.amount = 0.0
