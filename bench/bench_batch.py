"""Scale part of the benchmark: big selections in the background (issue 16).

Run by bench/run-bench-batch against an Odoo server with --workers=2 and two cron workers on a
copy of the test database. Over JSON-RPC, as a user in the browser would, for each size N:

- **cancel**: N delivered and invoiced orders, mass-cancelled (the wizard's
  `action_mass_cancel`, which starts a `sale.order.batch` above the company's threshold);
- **close**: N settled orders (delivered, invoiced, paid), mass-closed (`sale.order.mass.close`).

For each it prints the time of the web request that starts the batch (target: under 1 s), the
time until the batch is done, orders per second and milliseconds per order (flat from the
smallest size to the largest is the target), and checks that every order got exactly one
result and is cancelled or closed. Building the orders is not measured.
"""

import argparse
import concurrent.futures
import json
import os
import sys
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "races"))

from race_client import Client, RpcError  # the race test's JSON-RPC client

# Building the orders (not measured): chunks of BUILD_CHUNK orders, BUILD_WORKERS chunks at a time
# (the server has two HTTP workers; Odoo retries a call that hits a serialization failure).
BUILD_CHUNK = int(os.environ.get("BUILD_CHUNK", "100"))
BUILD_WORKERS = int(os.environ.get("BUILD_WORKERS", "2"))
# Seconds the client waits for one answer: building a chunk on a busy machine takes minutes per
# call (the race client's 5 minutes gave up while the server went on and committed).
CALL_TIMEOUT = 900


class BenchClient(Client):
    """The race test's client with a longer wait for an answer."""

    def _call(self, service, method, *args):
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "id": next(self._ids),
            "params": {"service": service, "method": method, "args": list(args)},
        }
        req = urllib.request.Request(
            f"{self.url}/jsonrpc",
            data=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=CALL_TIMEOUT) as resp:
            answer = json.loads(resp.read())
        if "error" in answer:
            data = answer["error"].get("data") or {}
            raise RpcError(data.get("name", "?"), data.get("message", str(answer["error"])))
        return answer["result"]


class Bench:
    def __init__(self, url, db):
        self.admin = BenchClient(url, db, "admin", "admin")
        admin = self.admin
        self.company_id = admin("res.users", "read", [admin.uid], ["company_id"])[0]["company_id"][
            0
        ]
        admin("res.company", "write", [self.company_id], {"order_background_threshold": 50})
        self.product = admin(
            "product.product",
            "create",
            {
                "name": "Bench chair",
                "type": "consu",
                "invoice_policy": "order",
                "list_price": 100.0,
                "taxes_id": [(5, 0, 0)],
            },
        )
        self.cancel_reason = admin(
            "ir.model.data",
            "check_object_reference",
            "order_revoke_cancel",
            "cancel_reason_customer_request",
        )[1]
        self.close_reason = admin(
            "ir.model.data",
            "check_object_reference",
            "order_termination",
            "close_reason_settled",
        )[1]

    # ---- building orders (not measured) ------------------------------------------------------
    def orders(self, count, paid):
        chunks = [
            (start, min(BUILD_CHUNK, count - start)) for start in range(0, count, BUILD_CHUNK)
        ]
        t0 = time.monotonic()
        ids = []
        with concurrent.futures.ThreadPoolExecutor(BUILD_WORKERS) as pool:
            futures = [pool.submit(self._chunk, start, size, paid) for start, size in chunks]
            for future in futures:
                ids += future.result()
                print(
                    f"  built {len(ids)}/{count} orders in {time.monotonic() - t0:.0f} s",
                    file=sys.stderr,
                    flush=True,
                )
        return ids

    def _chunk(self, start, size, paid):
        admin = self.admin
        # One customer per order: Odoo's invoicing groups the orders of one customer into
        # one invoice, and a shared invoice is another measure (see "Part A").
        partners = admin(
            "res.partner",
            "create",
            [{"name": f"Bench customer {start + i}"} for i in range(size)],
        )
        chunk = admin(
            "sale.order",
            "create",
            [
                {
                    "partner_id": partner,
                    "order_line": [(0, 0, {"product_id": self.product, "product_uom_qty": 2})],
                }
                for partner in partners
            ],
        )
        admin("sale.order", "action_confirm", chunk)
        pickings = admin("stock.picking", "search", [("sale_id", "in", chunk)])
        moves = admin("stock.move", "search", [("picking_id", "in", pickings)])
        admin("stock.move", "write", moves, {"quantity": 2, "picked": True})
        admin("stock.picking", "button_validate", pickings, context={"skip_backorder": True})
        context = {"active_model": "sale.order", "active_ids": chunk}
        wizard = admin(
            "sale.advance.payment.inv",
            "create",
            {"advance_payment_method": "delivered"},
            context=context,
        )
        admin("sale.advance.payment.inv", "create_invoices", [wizard], context=context)
        invoices = admin(
            "account.move",
            "search",
            [("line_ids.sale_line_ids.order_id", "in", chunk), ("state", "=", "draft")],
        )
        admin("account.move", "action_post", invoices)
        if paid:
            context = {"active_model": "account.move", "active_ids": invoices}
            register = admin(
                "account.payment.register", "create", {"group_payment": False}, context=context
            )
            admin(
                "account.payment.register",
                "action_create_payments",
                [register],
                context=context,
            )
        return chunk

    # ---- measured ----------------------------------------------------------------------------
    def start_cancel(self, ids):
        context = {"active_model": "sale.order", "active_ids": ids}
        wizard = self.admin(
            "sale.mass.cancel.orders",
            "create",
            {"cancel_reason_id": self.cancel_reason, "sale_order_ids": [(6, 0, ids)]},
            context=context,
        )
        return lambda: self.admin(
            "sale.mass.cancel.orders", "action_mass_cancel", [wizard], context=context
        )

    def start_close(self, ids):
        context = {"active_model": "sale.order", "active_ids": ids}
        wizard = self.admin(
            "sale.order.mass.close",
            "create",
            {"reason_id": self.close_reason, "order_ids": [(6, 0, ids)]},
            context=context,
        )
        return lambda: self.admin(
            "sale.order.mass.close", "action_close", [wizard], context=context
        )

    def ready_orders(self, operation, count):
        """Orders built earlier (`--phase build`, or a run stopped during its set-up) that are
        ready for `operation`, oldest first, at most `count`: delivered and invoiced, and for
        close paid too. An order of a chunk cut off halfway (not yet delivered, invoiced or
        paid) is left out."""
        domain = [
            ("partner_id.name", "=like", "Bench customer %"),
            ("state", "=", "sale"),
            ("delivery_status", "=", "full"),
            ("invoice_status", "=", "invoiced"),
            ("invoice_ids.state", "=", "posted"),
        ]
        if operation == "close":
            domain += [
                ("invoice_ids.payment_state", "in", ["paid", "in_payment"]),
                ("is_closed", "=", False),
            ]
        else:
            domain.append(("invoice_ids.payment_state", "=", "not_paid"))
        return self.admin("sale.order", "search", domain, order="id", limit=count)

    def run(self, operation, count, timeout, phase="all"):
        if phase == "measure":
            ids = self.ready_orders(operation, count)
            count = len(ids)
        else:
            ids = self.orders(count, paid=operation == "close")
        if phase == "build":
            return None
        start = self.start_cancel(ids) if operation == "cancel" else self.start_close(ids)
        t0 = time.monotonic()
        action = start()
        request = time.monotonic() - t0
        batch_id = action["res_id"]
        while time.monotonic() - t0 < timeout:
            batch = self.admin(
                "sale.order.batch", "read", [batch_id], ["state", "done_count", "failed_count"]
            )[0]
            if batch["state"] in ("done", "failed"):
                break
            time.sleep(0.5)
        total = time.monotonic() - t0
        results = self.admin(
            "sale.order.batch.result", "search_count", [("batch_id", "=", batch_id)]
        )
        ok = batch["state"] == "done" and batch["done_count"] == count and results == count
        return {
            "operation": operation,
            "orders": count,
            "request": request,
            "total": total,
            "per_second": count / total,
            "ms_per_order": 1000 * total / count,
            "ok": ok,
            "state": batch["state"],
            "failed": batch["failed_count"],
        }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--sizes", default="100,1000", help="comma-separated order counts")
    parser.add_argument("--operations", default="cancel,close")
    parser.add_argument("--timeout", type=int, default=7200)
    parser.add_argument(
        "--phase",
        choices=["all", "build", "measure"],
        default="all",
        help="build: only build the orders; measure: only measure, on up to N orders built "
        "earlier (see ready_orders); all (default): both",
    )
    args = parser.parse_args()
    bench = Bench(args.url, args.db)
    rows = []
    for operation in args.operations.split(","):
        for size in [int(s) for s in args.sizes.split(",") if s]:
            row = bench.run(operation, size, args.timeout, args.phase)
            if row is None:
                print(f"{operation:<7} {size:>6} orders built", flush=True)
                continue
            rows.append(row)
            verdict = "ok" if row["ok"] else f"FAILED ({row['state']})"
            print(
                f"{row['operation']:<7} {row['orders']:>6} orders  "
                f"request {row['request']:6.2f} s  total {row['total']:8.1f} s  "
                f"{row['per_second']:6.1f} orders/s  "
                f"{row['ms_per_order']:7.1f} ms/order  {verdict}",
                flush=True,
            )
    bad = [r for r in rows if not r["ok"] or r["request"] >= 1.0]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
