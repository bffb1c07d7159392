"""Build the orders of the scale benchmark in one process (``PHASE=build`` of run-bench-batch).

Over JSON-RPC (``bench_batch.py``, ``PHASE=all``) the set-up makes 1.2 to 2.4 settled orders
per second on 2 cores: two HTTP workers wait on each other for the journal's sequence, and
every chunk pays the RPC round trips. In one process, with the ORM's batches that Part A's
set-up uses (`bench_orders.Builder`: one `create`, one confirmation, one validation of the
deliveries, one `_create_invoices`, one payment register per batch), it makes about 7 orders per
second, so that 10,000 settled orders take about half an hour instead of hours.

The orders are real ones, made by Odoo's own methods as the admin user, and committed batch
by batch: a run stopped halfway keeps what it built, and ``PHASE=measure`` takes the orders
that are ready (``bench_batch.Bench.ready_orders``).
"""

import argparse
import os
import sys
import time

import odoo
from odoo import api
from odoo.modules.registry import Registry

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bench_orders import Builder  # Part A's set-up: the same orders, the same batches


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--operation", choices=["cancel", "close"], required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--batch", type=int, default=100)
    args = parser.parse_args(argv)

    odoo.tools.config.parse_config(
        ["-c", args.config, "-d", args.database, "--log-level=warn"], setup_logging=True
    )
    registry = Registry(args.database)
    paid = args.operation == "close"
    started = time.perf_counter()
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        admin = env.ref("base.user_admin")
        builder = Builder(api.Environment(cr, admin.id, admin.context_get()))
        cr.commit()
        built = 0
        while built < args.count:
            size = min(args.batch, args.count - built)
            builder.orders(size, paid=paid, batch=size)
            cr.commit()
            built += size
            elapsed = time.perf_counter() - started
            print(
                f"  built {built}/{args.count} orders for {args.operation} in {elapsed:.0f} s "
                f"({built / elapsed:.1f} orders/s)",
                flush=True,
            )


if __name__ == "__main__":
    main()
