"""Fault test of the background batches: kill the cron worker in the middle of a batch.

Run by bin/run-batch-fault, which starts an Odoo server with --workers=2 and one cron worker on
a copy of the test database. Over JSON-RPC, as an integration would, it:

1. creates N confirmed orders and mass-cancels them with the company's background threshold
   set below N, so that the wizard returns a `sale.order.batch` at once (the time of that web
   request is printed);
2. watches the batch and, while a chunk is in progress (a transaction of the cron worker holds
   the batch row FOR UPDATE, found in pg_locks), kills that worker with SIGKILL, KILLS times;
3. waits for the batch to end (Odoo starts a new cron worker, which resumes it) and checks that
   it is `done`, that every order has exactly one result and one cancellation record (nothing
   done twice) and is cancelled (none skipped).

Prints `N orders, K kills, 0 duplicates, 0 missing, 0 violations in T s` and exits 1 on any
violation. Standard library only, plus `psql` to find the worker (PG* variables from the
caller).
"""

import argparse
import collections
import os
import re
import signal
import subprocess
import sys
import time

from race_client import World

# The client port of the PostgreSQL connection that holds the batch row for update (a chunk in
# progress). Odoo's application_name names the process that opened the connection pool, which
# under --workers may be the master: the port, mapped by `ss`, names the worker for sure.
LOCK_HOLDER = """
SELECT a.client_port FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
WHERE l.locktype = 'relation' AND l.relation = 'sale_order_batch'::regclass
  AND l.mode = 'RowShareLock' AND a.datname = current_database() AND a.client_port > 0
"""


def psql(db, query):
    out = subprocess.run(
        ["psql", "-d", db, "-tAc", query], check=True, capture_output=True, text=True
    ).stdout
    return [line for line in out.splitlines() if line.strip()]


def children(pid):
    out = subprocess.run(
        ["ps", "--ppid", str(pid), "-o", "pid="], check=False, capture_output=True, text=True
    ).stdout
    return {int(p) for p in out.split()}


def socket_owners(port):
    """Pids of the local processes with a TCP socket on `port` (as root: `ss -p`)."""
    out = subprocess.run(
        ["ss", "-Htnp", f"sport = :{port}"], check=False, capture_output=True, text=True
    ).stdout
    return {int(pid) for pid in re.findall(r"pid=(\d+)", out)}


def cron_worker_in_chunk(db, server_pid):
    """The pid of the server's worker holding the batch row for update, if any."""
    workers = children(server_pid)
    for port in psql(db, LOCK_HOLDER):
        owners = socket_owners(int(port)) & workers
        if len(owners) == 1:
            return owners.pop()
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--server-pid", type=int, required=True)
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--kills", type=int, default=2)
    parser.add_argument("--timeout", type=int, default=900)
    args = parser.parse_args()

    world = World(args.url, args.db, "fault")
    admin = world.admin
    admin("res.company", "write", [world.company_id], {"order_background_threshold": 10})
    admin("product.product", "write", [world.product], {"is_storable": True})
    partner = admin("res.partner", "create", {"name": "Batch fault customer"})
    vals = [
        {
            "partner_id": partner,
            "order_line": [(0, 0, {"product_id": world.product, "product_uom_qty": 1})],
        }
        for _i in range(args.orders)
    ]
    order_ids = []
    for start in range(0, len(vals), 100):
        order_ids += admin("sale.order", "create", vals[start : start + 100])
    for start in range(0, len(order_ids), 100):
        admin("sale.order", "action_confirm", order_ids[start : start + 100])
    context = {"active_model": "sale.order", "active_ids": order_ids}
    wizard = admin(
        "sale.mass.cancel.orders",
        "create",
        {"cancel_reason_id": world.cancel_reason, "sale_order_ids": [(6, 0, order_ids)]},
        context=context,
    )
    started = time.monotonic()
    action = admin("sale.mass.cancel.orders", "action_mass_cancel", [wizard], context=context)
    request_time = time.monotonic() - started
    violations = []
    if action.get("res_model") != "sale.order.batch":
        print(f"the mass cancel did not start a batch: {action}")
        return 1
    batch_id = action["res_id"]
    print(f"mass cancel of {args.orders} orders returned a batch in {request_time:.2f} s")
    if request_time >= 1.0:
        violations.append(f"the web request took {request_time:.2f} s (>= 1 s)")

    kills, last_progress, state = 0, -1.0, "queued"
    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline:
        batch = admin("sale.order.batch", "read", [batch_id], ["state", "progress"])[0]
        state = batch["state"]
        if state in ("done", "failed"):
            break
        # Kill at spread points: after some progress, and again after more.
        wanted = 100.0 * (kills + 1) / (args.kills + 2)
        if kills < args.kills and batch["progress"] >= wanted > last_progress:
            pid = cron_worker_in_chunk(args.db, args.server_pid)
            if pid:
                os.kill(pid, signal.SIGKILL)
                kills += 1
                last_progress = batch["progress"]
                print(f"killed cron worker {pid} at {batch['progress']:.0f} %")
                continue
        time.sleep(0.2)
    elapsed = time.monotonic() - started

    batch = admin(
        "sale.order.batch",
        "read",
        [batch_id],
        ["state", "progress", "done_count", "failed_count", "skipped_count", "error"],
    )[0]
    results = admin(
        "sale.order.batch.result", "search_read", [("batch_id", "=", batch_id)], ["order_id"]
    )
    per_order = collections.Counter(r["order_id"][0] for r in results if r["order_id"])
    cancellations = admin(
        "sale.order.cancellation", "search_read", [("order_id", "in", order_ids)], ["order_id"]
    )
    cancelled_per_order = collections.Counter(c["order_id"][0] for c in cancellations)
    states = collections.Counter(
        o["state"] for o in admin("sale.order", "read", order_ids, ["state"])
    )
    duplicates = sum(1 for n in per_order.values() if n > 1)
    duplicates += sum(1 for n in cancelled_per_order.values() if n > 1)
    missing = len(set(order_ids) - set(per_order)) + len(set(order_ids) - set(cancelled_per_order))
    if batch["state"] != "done":
        violations.append(f"the batch ended {batch['state']}: {batch['error']}")
    if kills < args.kills:
        violations.append(f"only {kills} of {args.kills} kills happened mid-chunk")
    if duplicates:
        violations.append(f"{duplicates} orders were done twice")
    if missing:
        violations.append(f"{missing} orders have no result or no cancellation")
    if states != {"cancel": len(order_ids)}:
        violations.append(f"order states: {dict(states)}")
    if batch["done_count"] != len(order_ids):
        violations.append(f"done {batch['done_count']} of {len(order_ids)}")
    for violation in violations:
        print(f"VIOLATION: {violation}")
    print(
        f"{len(order_ids)} orders, {kills} kills, {duplicates} duplicates, {missing} missing, "
        f"{len(violations)} violations in {elapsed:.0f} s "
        f"({len(order_ids) / elapsed:.1f} orders/s with the kills)"
    )
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
