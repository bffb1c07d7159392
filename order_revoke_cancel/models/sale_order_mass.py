"""Actions on many orders: the per-order step that the synchronous list actions and the
background batches (`sale.order.batch`) share, one savepoint per order, and the list action
that revokes several cancellations at once."""

from odoo import models
from odoo.exceptions import AccessError, UserError


class SaleOrderMass(models.Model):
    _inherit = "sale.order"  # pylint: disable=consider-merging-classes-inherited

    def _try_cancel_with_reversal(
        self, reason, note=None, receive_returns=False, refund_payments=False
    ):
        """Cancel one order in its own savepoint: `(cancellations, False)`, or `(empty,
        message)` when it is refused, with nothing of it left."""
        self.ensure_one()
        try:
            with self.env.cr.savepoint():
                cancellations = self.cancel_with_reversal(
                    reason,
                    note=note,
                    receive_returns=receive_returns,
                    refund_payments=refund_payments,
                )
        except (UserError, AccessError) as error:
            return self.env["sale.order.cancellation"], str(error.args[0] if error.args else error)
        return cancellations, False

    def _try_revoke_cancel(self, note=None):
        """Revoke one order's cancellation in its own savepoint, as `_try_cancel_with_reversal`."""
        self.ensure_one()
        try:
            with self.env.cr.savepoint():
                cancellations = self.revoke_cancel(note=note)
        except (UserError, AccessError) as error:
            return self.env["sale.order.cancellation"], str(error.args[0] if error.args else error)
        return cancellations, False

    def action_revoke_cancel_many(self):
        """List action *Revoke Cancellation* on several orders: each order in its own
        savepoint, reported one by one; above the company's background threshold, a batch."""
        if not self.env.user.has_group("order_revoke_cancel.group_revoke_cancel"):
            raise AccessError(
                self.env._(
                    "Only users allowed to revoke cancellations may revoke %s.",
                    ", ".join(self[:5].mapped("name")),
                )
            )
        Batch = self.env["sale.order.batch"]
        if Batch._runs_in_background(self):
            return Batch._create_batch("revoke", self).action_open()
        revoked, refused = [], []
        for order in self:
            _cancellations, error = order._try_revoke_cancel()
            if error:
                refused.append((order, error))
            else:
                revoked.append(order)
        lines = [self.env._("%s was restored.", order.name) for order in revoked]
        lines += [
            self.env._("%(order)s was not restored: %(why)s", order=order.name, why=why)
            for order, why in refused
        ]
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Revoke Cancellation"),
                "message": "\n".join(lines),
                "type": "warning" if refused else "success",
                "sticky": bool(refused),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }
