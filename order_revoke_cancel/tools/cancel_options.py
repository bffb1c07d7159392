"""The options of a cancellation, typed, as `cancel_with_reversal` hands them to Odoo's
argument-less `_action_cancel`.

Why a class and not a dict: the options cross one hand-off that core's signature forces (the
call scope of `sale.order._action_cancel`, see `call_scope.py`) and then travel as arguments
through the plan, the checks, the ledger and the reversal. A frozen dataclass names every
option once, with its type and its default (the native Cancel button, mass cancels of other
modules and crons cancel with `CancelOptions()`: nothing received back, nothing refunded, no
fee), so that no reader guesses a key and no code path can change them on the way.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class CancelOptions:
    """What the user chose for a cancellation of one or several orders."""

    # `sale.order.cancel.reason` id, or False on paths that give none.
    reason_id: int | bool = False
    note: str | bool = False
    receive_returns: bool = False
    refund_payments: bool = False
    # The fee to bill per order id (what the user kept, changed or waived) and the reason's own
    # fee per order id (what the ledger compares it with).
    fee_amounts: dict = field(default_factory=dict)
    reason_fee_amounts: dict = field(default_factory=dict)
    # Orders the cancellation unlocked: their snapshot says they were locked.
    unlocked_order_ids: frozenset = frozenset()

    def get_reason(self, env):
        """The reason as a record (empty when none was given)."""
        return env["sale.order.cancel.reason"].browse(self.reason_id or [])

    def get_fee(self, order_id):
        return self.fee_amounts.get(order_id, 0.0)

    def get_reason_fee(self, order_id):
        return self.reason_fee_amounts.get(order_id, 0.0)
