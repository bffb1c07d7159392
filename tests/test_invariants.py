"""Property-based invariants of the whole engine: random histories of 1-3 orders.

Hypothesis draws a history step by step (each step is chosen among those that make sense in the
state the previous steps left): confirm, deliver (full or partial, one-, two- or three-step
warehouse, lot-tracked product), invoice (alone or one invoice for two orders, with cash
rounding), a hand-made or wizard credit note, pay (partial or full, within the discount period
of a 2/10 net 30 term, or for less with the rest written off), a return for repair without
"update quantities on SO", cancel with random options, revoke, receive the pending returns,
close (forced too, as a manager) and reopen. Orders hold chairs, lot-tracked paint, a lamp with
a price-included 10 % VAT and a 5 % tax at 109.99, and combo menus. After every step the
documents must agree with each other and with what the step means:

- stock: on-hand per internal location, and what the customers hold, is what the done moves
  imply; the customers hold what the orders delivered less every return; nothing sits in an
  intermediate location (Output, Packing) that no live move will take away;
- per sale line, `qty_delivered` and `qty_invoiced` are what the done moves and the invoice lines
  say;
- every posted journal entry is balanced and no posted entry is ever rewritten;
- the customer's receivable is the sum of the open residuals, and moves exactly by what the
  step billed, credited, settled (payment, discount, write-off) or refunded;
- orders the step did not act on are untouched;
- cancel leaves nothing invoiced, refunds the money received (never a discount, a write-off or
  a credit note) for what it reverses, settles every invoice of the order to 0.00 and credits
  every invoice line and tax line to the cent (see `invariants/money.py`); revoke (and reopen
  after a short close) restores the state, quantities and receivable the order had before;
- the feature "preview" (default; INVARIANT_PREVIEW=1 adds it to a chosen set):
  `get_cancel_impact` read before a cancel lists what the cancel made, to the cent.

Each example runs inside a savepoint that is rolled back, so every history starts from the same
database. A counterexample prints as the list of its steps ("order 1: confirm; ...").

CI runs a fixed seed over the default features. `bin/run-soak` runs the same machine over many
more histories (SOAK_EXAMPLES), collects every violation instead of stopping at the first one
and prints "N sequences, K violations". The machine lives in `tests/invariants/`.
"""

import os
import random
import sys
import time
from collections import defaultdict

from hypothesis import HealthCheck, Phase, given, note, seed, settings
from hypothesis import strategies as st

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from odoo.addons.order_revoke_cancel.tests import common

from .invariants.base import (
    CI_EXAMPLES,
    CI_MAX_STEPS,
    FEATURES,
    MAX_STEPS,
    SOAK_BATCH,
    SOAK_EXAMPLES,
    SOAK_SECONDS,
    TOLERANCE,
    Violation,
)
from .invariants.checks import InvariantChecks
from .invariants.doing import StepActions
from .invariants.drawing import HistoryDrawing
from .invariants.fixtures import MachineFixtures
from .invariants.money import MoneyChecks
from .invariants.purchases import PurchaseChecks
from .invariants.snapshot import DatabaseSnapshot


@tagged("post_install", "-at_install")
class TestEngineInvariants(
    MachineFixtures,
    HistoryDrawing,
    StepActions,
    DatabaseSnapshot,
    InvariantChecks,
    MoneyChecks,
    PurchaseChecks,
    common.OrderEndOfLifeCase,
):
    """Random histories of orders; the invariants are checked after every step."""

    # Soak results, over all examples of one run.
    soak_violations = {}
    soak_stats = defaultdict(int)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_machine()

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
        hard = sum(v["count"] for v in violations.values() if not v["soft"])
        soft = sum(v["count"] for v in violations.values() if v["soft"])
        report = [
            f"{stats['sequences']} sequences, {hard} violations in {elapsed:.0f} s "
            f"({stats['steps']} steps; features: {', '.join(sorted(FEATURES)) or 'none'})"
        ]
        if "preview" in FEATURES:
            report.append(f"  and {soft} preview differences (soft in a soak)")
        for key in sorted(k for k in stats if k.startswith(("step ", "time "))):
            report.append(f"  {key}: {stats[key]:.0f}")
        for (name, _kind), found in sorted(violations.items()):
            report.append(
                f"{'PREVIEW' if found['soft'] else 'VIOLATION'} {name} ({found['count']} times), "
                "shortest history:\n"
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
            self.line_cancel_snapshots = {}
            self.notified_received = {}
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
            type(self).soak_stats["sequences"] += 1
            self._record(violation)
        finally:
            savepoint.close(rollback=True)
            self.env.invalidate_all(flush=False)

    def _record(self, violation):
        """Stop at the first violation in CI; in a soak, keep the shortest history of each
        kind (its name and the step it followed)."""
        if not SOAK_EXAMPLES:
            raise AssertionError(
                f"{violation}\nafter the history:\n"
                + "\n".join(f"  {i}. {s}" for i, s in enumerate(self.steps, 1))
            ) from violation
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
                "soft": violation.soft,
            }
        else:
            found["count"] += 1

    def _record_soft(self, violation):
        """A finding that does not end the history (the preview)."""
        self._record(violation)

    def _run_step(self, step):
        self.steps.append(step.description)
        note(step.description)
        type(self).soak_stats[f"step {step.kind}"] += 1
        type(self).soak_stats["steps"] += 1
        started = time.monotonic()
        before = self.last_snapshot
        expected_refusal = self._expected_refusal(step, before)
        if step.kind == "cancel" and "preview" in FEATURES:
            step.impact = step.orders.with_user(self.manager).get_cancel_impact(**step.options)
        if step.kind in ("revoke", "revoke_lines") and "preview" in FEATURES:
            step.impact = step.orders.with_user(self.manager).get_revoke_impact()
        if step.kind == "cancel_lines" and "preview" in FEATURES and not expected_refusal:
            step.impact = step.orders.with_user(self.manager).get_line_cancel_impact(
                {line.id: qty for line, qty in step.quantities.items()}, **step.options
            )
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
        if not refusal and step.kind not in ("cancel_lines", "revoke_lines"):
            self._forget_line_cancel_snapshots(step.orders)
        type(self).soak_stats["time total"] += time.monotonic() - started

    def _forget_line_cancel_snapshots(self, orders):
        """A cancellation of lines is compared at its revoke with the order as it was before
        it; once another step changed the order (delivered, invoiced, paid...), that picture
        is no longer what the revoke must give back: forget it (the revoke is still checked
        for what does not depend on it, its preview)."""
        Cancellation = self.env["sale.order.cancellation"]
        for cancellation_id in list(self.line_cancel_snapshots):
            if Cancellation.browse(cancellation_id).order_id in orders:
                del self.line_cancel_snapshots[cancellation_id]

    def _expected_refusal(self, step, before):
        """Why the step must be refused (contract), or False."""
        if step.kind == "cancel_lines":
            if step.orders._cancels_every_line(step.quantities):
                # Every line in full is the order's cancellation, which cancels its drafts.
                return False
            drafts = [
                line
                for line in step.quantities
                if line.invoice_lines.move_id.filtered(lambda m: m.state == "draft")
            ]
            return drafts and "cancelling a line that a draft invoice bills is refused"
        if step.kind == "close_lines":
            return step.orders._get_closable_lines_error(step.line)
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
