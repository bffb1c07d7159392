"""The machine behind `tests/test_invariants.py`, one concern per module.

- `base`: options (features, sizes), `Violation`, `Step`;
- `fixtures`: the products, taxes, payment terms and warehouses the histories use;
- `drawing`: which steps make sense in a state, and drawing one with its arguments;
- `doing`: doing a step as a user would (wizards, registers, returns);
- `snapshot`: what the database says after a step;
- `checks`: the invariants of stock, quantities and the receivable, and what each step means;
- `purchases`: the invariants of the purchases made for the orders (make to order, dropship):
  a cancellation changes them as its ledger says, nothing bought beyond what is still needed,
  a revoke buys again;
- `money`: the invariants of money at a cancellation (refund = money received, settled to the
  cent) and the preview against the execution.

No module is named `test_*`: pytest collects only `tests/test_invariants.py`.
"""
