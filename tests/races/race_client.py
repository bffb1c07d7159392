"""Concurrent JSON-RPC calls against a running Odoo server with both addons installed.

Run by bin/run-races (which starts the server, threaded and with --workers=2, on a copy of
the test database). Every round races two calls on the same order or request, then checks:

- every call either succeeds or is refused with an Odoo business error (UserError and its
  subclasses); a psycopg2 or Python error reaching the client, or an HTTP 5xx, is a violation;
- the documents of the order (cancellation records, pickings, journal entries, payments,
  termination requests) are exactly those that the successful calls make when run one after
  the other on an identical order: a second return, credit note, refund or cancellation record
  is a duplicate;
- no termination request is stalled (every approval given but the request still waiting, or
  the customer's confirmation recorded but the order not terminated).

Standard library only: it runs outside Odoo, as an integration would.
"""

import argparse
import collections
import http.cookiejar
import itertools
import json
import re
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

BUSINESS_ERRORS = (
    "odoo.exceptions.UserError",
    "odoo.exceptions.AccessError",
    "odoo.exceptions.MissingError",
    "odoo.exceptions.ValidationError",
)
LOCK_MESSAGE = "is being changed by someone else"


class RpcError(Exception):
    def __init__(self, name, message):
        super().__init__(f"{name}: {message}")
        self.name = name
        self.message = message


class Client:
    """execute_kw over /jsonrpc, as one user."""

    _ids = itertools.count(1)

    def __init__(self, url, db, login, password):
        self.url, self.db, self.login, self.password = url, db, login, password
        self.uid = self._call("common", "login", db, login, password)
        if not self.uid:
            raise SystemExit(f"cannot log in as {login} on {db}")

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
        with urllib.request.urlopen(req, timeout=300) as resp:
            answer = json.loads(resp.read())
        if "error" in answer:
            data = answer["error"].get("data") or {}
            raise RpcError(data.get("name", "?"), data.get("message", str(answer["error"])))
        return answer["result"]

    def __call__(self, model, method, *args, **kwargs):
        return self._call(
            "object", "execute_kw", self.db, self.uid, self.password, model, method, args, kwargs
        )


# ----------------------------------------------------------------------------------------------
# Setup
# ----------------------------------------------------------------------------------------------
class World:
    """Users, approval groups and steps, a product and a cancel reason, made once per run."""

    def __init__(self, url, db, label):
        self.url, self.db, self.label = url, db, label
        self.warm_up(url)
        self.admin = Client(url, db, "admin", "admin")
        admin = self.admin
        self.company_id = admin("res.users", "read", [admin.uid], ["company_id"])[0]["company_id"][
            0
        ]
        ref = self.ref
        # Steps of earlier runs (or of the database) would apply to every request.
        steps = admin("sale.termination.approval.step", "search", [])
        if steps:
            admin("sale.termination.approval.step", "write", steps, {"active": False})
        self.group_a = admin("res.groups", "create", {"name": f"Race approvers A {label}"})
        self.group_b = admin("res.groups", "create", {"name": f"Race approvers B {label}"})
        admin(
            "sale.termination.approval.step",
            "create",
            [
                {"name": f"A {label}", "sequence": 10, "group_id": self.group_a},
                {"name": f"B {label}", "sequence": 10, "group_id": self.group_b},
            ],
        )
        manager_groups = [
            ref("sales_team.group_sale_manager"),
            ref("stock.group_stock_user"),
            ref("account.group_account_invoice"),
        ]
        self.manager = self.user(f"race_manager_{label}", manager_groups)
        self.manager2 = self.user(f"race_manager2_{label}", manager_groups)
        self.approver_a = self.user(f"race_appr_a_{label}", [ref("base.group_user"), self.group_a])
        self.approver_b = self.user(f"race_appr_b_{label}", [ref("base.group_user"), self.group_b])
        self.product = admin(
            "product.product",
            "create",
            {
                "name": f"Race chair {label}",
                "type": "consu",
                "invoice_policy": "order",
                "list_price": 100.0,
                "taxes_id": [(5, 0, 0)],
            },
        )
        self.service = admin(
            "product.product",
            "create",
            {
                "name": f"Race installation {label}",
                "type": "service",
                "invoice_policy": "order",
                "list_price": 100.0,
                "taxes_id": [(5, 0, 0)],
            },
        )
        self.cancel_reason = ref("order_revoke_cancel.cancel_reason_customer_request")
        self.term_reason = admin(
            "sale.termination.reason", "create", {"name": f"Race reason {label}"}
        )
        self.partner_seq = itertools.count(1)

    @staticmethod
    def warm_up(url):
        """One plain HTTP request before any concurrent one: Odoo computes its map of static
        folders (parsing every manifest) on the first request whose path has three segments,
        and CPython 3.11 < 3.11.8 may fail ("AST constructor recursion depth mismatch",
        python/cpython#106905) when two threads of the threaded server parse at the same time."""
        try:
            with urllib.request.urlopen(f"{url}/web/static/warm-up", timeout=300) as resp:
                resp.read()
        except urllib.error.HTTPError:
            pass  # 404 is fine: the map is computed either way

    def ref(self, xmlid):
        module, name = xmlid.split(".")
        rows = self.admin(
            "ir.model.data",
            "search_read",
            [("module", "=", module), ("name", "=", name)],
            ["res_id"],
        )
        return rows[0]["res_id"]

    def user(self, login, group_ids):
        uid = self.admin(
            "res.users",
            "create",
            {
                "name": login,
                "login": login,
                "email": f"{login}@race.example.com",
                "password": login,
                "company_id": self.company_id,
                "company_ids": [(6, 0, [self.company_id])],
                "groups_id": [(6, 0, group_ids)],
            },
        )
        client = Client(self.url, self.db, login, login)
        assert client.uid == uid
        return client

    # ---- orders in bulk: one call per step for all the orders of a scenario ----------------
    def orders(self, count, deliver=True, invoice=True, pay=True, service=False):
        """`count` confirmed orders, one customer each (payments are counted per customer);
        of the stored product (a delivery each), or with `service` of a service (none)."""
        admin = self.admin
        partners = admin(
            "res.partner",
            "create",
            [
                {"name": f"Race customer {self.label} {next(self.partner_seq)}"}
                for _i in range(count)
            ],
        )
        order_ids = admin(
            "sale.order",
            "create",
            [
                {
                    "partner_id": partner,
                    "user_id": self.manager.uid,
                    "order_line": [
                        (
                            0,
                            0,
                            {
                                "product_id": self.service if service else self.product,
                                "product_uom_qty": 2,
                                "price_unit": 100,
                            },
                        )
                    ],
                }
                for partner in partners
            ],
        )
        admin("sale.order", "action_confirm", order_ids)
        if deliver and not service:
            pickings = admin("stock.picking", "search", [("sale_id", "in", order_ids)])
            moves = admin(
                "stock.move", "search_read", [("picking_id", "in", pickings)], ["product_uom_qty"]
            )
            by_qty = collections.defaultdict(list)
            for move in moves:
                by_qty[move["product_uom_qty"]].append(move["id"])
            for qty, ids in by_qty.items():
                admin("stock.move", "write", ids, {"quantity": qty, "picked": True})
            admin("stock.picking", "button_validate", pickings)
        if invoice:
            wizard = admin(
                "sale.advance.payment.inv",
                "create",
                {"advance_payment_method": "delivered", "consolidated_billing": False},
                context={"active_model": "sale.order", "active_ids": order_ids},
            )
            admin(
                "sale.advance.payment.inv",
                "create_invoices",
                [wizard],
                context={"active_model": "sale.order", "active_ids": order_ids},
            )
            invoices = admin(
                "account.move",
                "search",
                [("partner_id", "in", partners), ("move_type", "=", "out_invoice")],
            )
            admin("account.move", "action_post", invoices)
            if pay:
                ctx = {"active_model": "account.move", "active_ids": invoices}
                register = admin(
                    "account.payment.register", "create", {"group_payment": False}, context=ctx
                )
                admin("account.payment.register", "action_create_payments", [register], context=ctx)
        return order_ids

    # ---- what an order is made of, for comparing rounds with their reference ----------------
    def vectors(self, order_ids):
        """{order id: counts of its documents by kind and state} (no ids, no names)."""
        admin = self.admin
        orders = admin("sale.order", "read", order_ids, ["state", "is_closed", "partner_id"])
        partner_of = {o["id"]: o["partner_id"][0] for o in orders}
        result = {
            o["id"]: collections.Counter({f"order:{o['state']}:closed={o['is_closed']}": 1})
            for o in orders
        }

        def add(rows, key_of, order_of):
            for row in rows:
                order_id = order_of(row)
                if order_id in result:
                    result[order_id][key_of(row)] += 1

        add(
            admin(
                "sale.order.cancellation",
                "search_read",
                [("order_id", "in", order_ids)],
                ["order_id", "state"],
            ),
            lambda r: f"cancellation:{r['state']}",
            lambda r: r["order_id"][0],
        )
        add(
            admin(
                "stock.picking",
                "search_read",
                [("sale_id", "in", order_ids)],
                ["sale_id", "picking_type_code", "state"],
            ),
            lambda r: f"picking:{r['picking_type_code']}:{r['state']}",
            lambda r: r["sale_id"][0],
        )
        order_of_partner = {p: o for o, p in partner_of.items()}
        add(
            admin(
                "account.move",
                "search_read",
                [("partner_id", "in", list(order_of_partner)), ("move_type", "!=", "entry")],
                ["partner_id", "move_type", "state"],
            ),
            lambda r: f"move:{r['move_type']}:{r['state']}",
            lambda r: order_of_partner.get(r["partner_id"][0]),
        )
        add(
            admin(
                "account.payment",
                "search_read",
                [("partner_id", "in", list(order_of_partner))],
                ["partner_id", "payment_type", "state"],
            ),
            lambda r: f"payment:{r['payment_type']}:{r['state']}",
            lambda r: order_of_partner.get(r["partner_id"][0]),
        )
        add(
            admin(
                "sale.termination.request",
                "search_read",
                [("order_id", "in", order_ids)],
                ["order_id", "state"],
            ),
            lambda r: f"request:{r['state']}",
            lambda r: r["order_id"][0],
        )
        return result

    def stalled_requests(self):
        """Requests every approver agreed to (and the customer, if asked) still not done."""
        admin = self.admin
        stalled = []
        for request in admin(
            "sale.termination.request",
            "search_read",
            [("state", "in", ("to_approve", "to_confirm"))],
            ["name", "state", "approval_ids", "customer_confirmation", "customer_response"],
        ):
            states = {
                a["state"]
                for a in admin(
                    "sale.termination.approval", "read", request["approval_ids"], ["state"]
                )
            }
            all_approved = states <= {"approved"}
            if request["state"] == "to_approve" and all_approved:
                stalled.append(request["name"])
            if request["state"] == "to_confirm" and request["customer_response"] == "confirmed":
                stalled.append(request["name"])
        return stalled


# ----------------------------------------------------------------------------------------------
# Portal (HTTP form POST with the request's token, like the customer's browser)
# ----------------------------------------------------------------------------------------------
def portal_confirm(url, request_id, token):
    """Open the customer's page in a fresh session, then POST the confirmation; the HTTP status
    (redirects are not followed: 303 is the normal answer)."""
    data = {"access_token": token, "decision": "confirm", "comment": "Yes, terminate it."}
    return portal_post(
        url, f"/my/terminations/{request_id}", f"/my/terminations/{request_id}/respond", token, data
    )


def portal_post(url, page_path, post_path, token, data):
    """Open `page_path` with the token in a fresh session (for its CSRF token), then POST
    `data` to `post_path`; the HTTP status and the redirect's Location (or the error body)."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    page_url = f"{url}{page_path}?access_token={urllib.parse.quote(token)}"
    with opener.open(page_url, timeout=300) as resp:
        html = resp.read().decode()
    match = re.search(r'name="csrf_token"\s+value="([^"]+)"', html) or re.search(
        r'csrf_token["\']?\s*[:=]\s*["\']([0-9a-f]+o?\d*)["\']', html
    )
    if match:
        data["csrf_token"] = match.group(1)
    body = urllib.parse.urlencode(data).encode()
    try:
        with opener.open(f"{url}{post_path}", body, timeout=300) as resp:
            return resp.status, resp.headers.get("Location", "")
    except urllib.error.HTTPError as error:
        # Redirects are not followed: urllib reports the 303 as an "error" carrying Location.
        if error.code in (301, 302, 303):
            return error.code, error.headers.get("Location", "")
        return error.code, error.read().decode(errors="replace")[:300]


# ----------------------------------------------------------------------------------------------
# Scenarios: two calls raced on one order; references are the same calls made one by one
# ----------------------------------------------------------------------------------------------
class Scenario:
    name = ""
    # The calls raced in each round, by name; a reference runs the successful ones in this order.
    calls = ()
    # Whether the calls are interchangeable (the same call twice): then only how many succeeded
    # matters, not which one.
    symmetric = False

    def outcome_key(self, outcome):
        """The successful calls of a round, as the reference must replay them."""
        succeeded = tuple(name for name in self.calls if outcome[name] is None)
        return self.calls[: len(succeeded)] if self.symmetric else succeeded

    def __init__(self, world):
        self.world = world

    def prepare(self, count):
        """`count` identical subjects; returns [(order id, context for the calls)]."""
        raise NotImplementedError

    def call(self, name, subject):
        """Make call `name` on `subject`; raise RpcError when refused."""
        raise NotImplementedError

    def after_round(self, subject, outcome):
        """Hook run after the race (e.g. retry an approval refused by the lock)."""
        return outcome


class DoubleCancel(Scenario):
    name = "double cancel"
    calls = ("cancel_1", "cancel_2")
    symmetric = True

    def prepare(self, count):
        return [(o, {}) for o in self.world.orders(count)]

    def call(self, name, subject):
        w = self.world
        user = w.manager if name == "cancel_1" else w.manager2
        user(
            "sale.order",
            "cancel_with_reversal",
            [subject[0]],
            w.cancel_reason,
            receive_returns=True,
            refund_payments=True,
        )


class DoubleRevoke(Scenario):
    name = "double revoke"
    calls = ("revoke_1", "revoke_2")
    symmetric = True

    def prepare(self, count):
        w = self.world
        order_ids = w.orders(count)
        w.manager(
            "sale.order", "cancel_with_reversal", order_ids, w.cancel_reason, receive_returns=True
        )
        return [(o, {}) for o in order_ids]

    def call(self, name, subject):
        user = self.world.manager if name == "revoke_1" else self.world.manager2
        user("sale.order", "revoke_cancel", [subject[0]], note="Race")


class CancelVsRevoke(Scenario):
    """A cancelled order: one manager revokes while another cancels it (again)."""

    name = "cancel vs revoke"
    calls = ("revoke", "cancel")

    def prepare(self, count):
        return DoubleRevoke(self.world).prepare(count)

    def call(self, name, subject):
        w = self.world
        if name == "revoke":
            w.manager("sale.order", "revoke_cancel", [subject[0]], note="Race")
        else:
            w.manager2("sale.order", "cancel_with_reversal", [subject[0]], w.cancel_reason)


class ParallelApprovals(Scenario):
    """Two parallel approval steps decided at the same moment by their two approvers."""

    name = "parallel approvals"
    calls = ("approve_a", "approve_b")

    def prepare(self, count):
        w = self.world
        order_ids = w.orders(count, invoice=False)
        request_ids = w.manager(
            "sale.order",
            "request_termination",
            order_ids,
            w.term_reason,
            "Race: the customer cancelled.",
            customer_confirmation=False,
        )
        by_order = {
            r["order_id"][0]: r["id"]
            for r in w.admin("sale.termination.request", "read", request_ids, ["order_id"])
        }
        return [(o, {"request": by_order[o]}) for o in order_ids]

    def call(self, name, subject):
        w = self.world
        user = w.approver_a if name == "approve_a" else w.approver_b
        user("sale.termination.request", "action_approve", [subject[1]["request"]])

    def after_round(self, subject, outcome):
        """An approver refused because the other one held the request retries once: both
        approvals are independent decisions that must both land."""
        for name in self.calls:
            error = outcome.get(name)
            if isinstance(error, RpcError) and LOCK_MESSAGE in error.message:
                time.sleep(0.2)
                try:
                    self.call(name, subject)
                    outcome[name] = None
                    outcome.setdefault("_retried", 0)
                    outcome["_retried"] += 1
                except RpcError as again:
                    outcome[name] = again
        return outcome


class DoublePortalConfirmation(Scenario):
    """The customer's confirmation posted twice at once (double click, two tabs)."""

    name = "double portal confirmation"
    calls = ("confirm_1", "confirm_2")
    symmetric = True

    def prepare(self, count):
        w = self.world
        order_ids = w.orders(count, invoice=False)
        request_ids = w.manager(
            "sale.order",
            "request_termination",
            order_ids,
            w.term_reason,
            "Race: the customer must agree.",
            customer_confirmation=True,
        )
        w.approver_a("sale.termination.request", "action_approve", request_ids)
        w.approver_b("sale.termination.request", "action_approve", request_ids)
        rows = w.admin(
            "sale.termination.request", "read", request_ids, ["order_id", "access_token", "state"]
        )
        for row in rows:
            assert row["state"] == "to_confirm", row
        return [(r["order_id"][0], {"request": r["id"], "token": r["access_token"]}) for r in rows]

    def call(self, name, subject):
        status, body = portal_confirm(self.world.url, subject[1]["request"], subject[1]["token"])
        if status >= 500:
            raise RpcError(f"HTTP {status}", body)
        if status >= 400:
            raise RpcError("odoo.exceptions.UserError", f"HTTP {status}")
        # The page the customer is sent back to says whether the answer was taken.
        if "message=confirmed" not in body:
            raise RpcError("odoo.exceptions.UserError", f"answer not taken: {body}")


class DoublePortalRequest(Scenario):
    """The customer's cancellation request posted twice at once on the order page."""

    name = "double portal request"
    calls = ("request_1", "request_2")
    symmetric = True

    def prepare(self, count):
        w = self.world
        w.admin("res.company", "write", [w.company_id], {"portal_termination_request": True})
        self.reason = w.admin(
            "sale.termination.reason",
            "create",
            {"name": f"Race customer reason {w.label}", "customer_selectable": True},
        )
        order_ids = w.orders(count, invoice=False)
        for order_id in order_ids:
            w.admin("sale.order", "write", [order_id], {"access_token": f"race-{order_id}"})
        return [(o, {"token": f"race-{o}"}) for o in order_ids]

    def call(self, name, subject):
        order_id, token = subject[0], subject[1]["token"]
        data = {"access_token": token, "reason_id": self.reason, "comment": "Please cancel."}
        status, body = portal_post(
            self.world.url,
            f"/my/orders/{order_id}",
            f"/my/orders/{order_id}/request_termination",
            token,
            data,
        )
        if status >= 500:
            raise RpcError(f"HTTP {status}", body)
        if status >= 400:
            raise RpcError("odoo.exceptions.UserError", f"HTTP {status}")
        answer = re.search(r"termination_message=(\w+)", body)
        if not answer or answer.group(1) != "requested":
            raise RpcError(
                "odoo.exceptions.UserError",
                f"request not taken: {answer.group(1) if answer else body[:300]}",
            )


class CloseVsCancel(Scenario):
    """A settled order (a paid service): one manager closes it while another cancels it."""

    name = "close vs cancel"
    calls = ("close", "cancel")

    def prepare(self, count):
        return [(o, {}) for o in self.world.orders(count, service=True)]

    def call(self, name, subject):
        w = self.world
        if name == "close":
            w.manager("sale.order", "close", [subject[0]], note="Race")
        else:
            w.manager2(
                "sale.order",
                "cancel_with_reversal",
                [subject[0]],
                w.cancel_reason,
                receive_returns=True,
                refund_payments=True,
            )


SCENARIOS = (
    DoubleCancel,
    DoubleRevoke,
    CancelVsRevoke,
    ParallelApprovals,
    DoublePortalConfirmation,
    DoublePortalRequest,
    CloseVsCancel,
)


def race(scenario, subject):
    """Fire the scenario's calls at the same moment; {call name: None or the RpcError}."""
    barrier = threading.Barrier(len(scenario.calls))
    outcome = {}

    def run(name):
        barrier.wait()
        try:
            scenario.call(name, subject)
            outcome[name] = None
        except RpcError as error:
            outcome[name] = error
        except Exception as error:  # any transport failure is a violation
            outcome[name] = RpcError(type(error).__name__, str(error))

    threads = [threading.Thread(target=run, args=(name,)) for name in scenario.calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return scenario.after_round(subject, outcome)


def run_scenario(world, scenario_class, rounds, report):
    scenario = scenario_class(world)
    # Spare subjects make the references: the successful calls of a round, one after the other.
    spares_count = 2 if scenario.symmetric else 3
    started = time.time()
    subjects = scenario.prepare(rounds + spares_count)
    prepared = time.time()
    race_subjects, spares = subjects[:rounds], subjects[rounds:]
    outcomes = []
    stats = collections.Counter()
    messages = collections.Counter()
    for subject in race_subjects:
        outcome = race(scenario, subject)
        outcomes.append(outcome)
        for name in scenario.calls:
            error = outcome[name]
            if error is None:
                stats["succeeded"] += 1
            elif error.name in BUSINESS_ERRORS:
                stats["refused (lock)" if LOCK_MESSAGE in error.message else "refused"] += 1
                # One line per kind of refusal: order and request names vary, the text not.
                first_line = error.message.splitlines()[0]
                messages[re.sub(r"\b[A-Z]+\d+\b|\bTERM/\S+", "…", first_line)[:140]] += 1
            else:
                stats["leaked"] += 1
                report["violations"].append(
                    f"{scenario.name}: order {subject[0]}: {name} failed with {error.name}: "
                    f"{error.message[:300]}"
                )
        stats["retried"] += outcome.get("_retried", 0)
        if all(outcome[name] is not None for name in scenario.calls):
            stats["rounds where both were refused"] += 1
    # References: one per set of successful calls, made sequentially on a spare subject.
    references = {}
    reference_orders = {}
    for outcome in outcomes:
        key = scenario.outcome_key(outcome)
        if key in references:
            continue
        if not spares:
            report["violations"].append(f"{scenario.name}: no spare order for reference {key}")
            continue
        spare = spares.pop(0)
        for name in key:
            scenario.call(name, spare)
        references[key] = spare[0]
        reference_orders[spare[0]] = key
    vectors = world.vectors([s[0] for s in race_subjects] + list(reference_orders))
    duplicates = 0
    for subject, outcome in zip(race_subjects, outcomes, strict=True):
        key = scenario.outcome_key(outcome)
        if key not in references:
            continue
        got, want = vectors[subject[0]], vectors[references[key]]
        if got != want:
            duplicates += 1
            report["violations"].append(
                f"{scenario.name}: order {subject[0]} after {key or 'no success'}: "
                f"{dict(got - want)} more and {dict(want - got)} fewer than the same calls "
                "made one after the other"
            )
    report["rounds"] += rounds
    report["duplicates"] += duplicates
    print(
        f"  {scenario.name}: {rounds} rounds, {duplicates} duplicates; "
        + ", ".join(f"{k} {v}" for k, v in sorted(stats.items()))
        + "; outcomes: "
        + ", ".join(f"{'+'.join(k) or 'none'}" for k in references)
        + f" (setup {prepared - started:.0f}s, rounds {time.time() - prepared:.0f}s)",
        flush=True,
    )
    for message, count in messages.most_common():
        print(f"    refused {count}x: {message}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--label", default="race")
    parser.add_argument("--only", help="comma-separated scenario names (default: all)")
    args = parser.parse_args()
    started = time.time()
    world = World(args.url, args.db, args.label)
    report = {"rounds": 0, "duplicates": 0, "violations": []}
    for scenario_class in SCENARIOS:
        if args.only and scenario_class.name not in args.only.split(","):
            continue
        run_scenario(world, scenario_class, args.rounds, report)
    stalled = world.stalled_requests()
    for name in stalled:
        report["violations"].append(f"stalled termination request {name}")
    print(
        f"{args.label}: {report['rounds']} rounds, {report['duplicates']} duplicates, "
        f"{len(stalled)} stalled requests, {len(report['violations'])} violations "
        f"({time.time() - started:.0f}s)",
        flush=True,
    )
    for violation in report["violations"]:
        print(f"  VIOLATION {violation}", flush=True)
    return 1 if report["violations"] else 0


if __name__ == "__main__":
    sys.exit(main())
