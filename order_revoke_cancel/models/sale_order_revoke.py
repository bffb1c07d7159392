"""Revoke: undo a cancellation from its ledger (order, stock and receivables as they
were), and Set to Quotation of orders cancelled without reversal."""

from markupsafe import Markup

from odoo import api, models
from odoo.exceptions import AccessError, UserError

from ..tools import (
    check_text,
    lock_for_update,
)


class SaleOrderRevoke(models.Model):
    _inherit = "sale.order"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------
    # Revoke
    # ------------------------------------------------------------------
    def get_revoke_impact(self):
        """What revoking would create, cancel or restore; changes nothing."""
        impact = []
        for order in self:
            cancellation = order._get_last_cancellation()
            if cancellation:
                impact += cancellation._get_revoke_impact()
            elif order.state == "cancel":
                impact.append(order._impact_line("new_delivery", order, False, False))
        return impact

    def action_draft(self):
        """Extend `sale.action_draft` ("Set to Quotation"): an order cancelled with reversal (or
        terminated) comes back only through revoke, which also undoes its returns, credit notes
        and ledger; orders cancelled natively, without a record, keep the native behaviour."""
        for order in self:
            error = order._get_action_draft_error()
            if error:
                raise error
        return super().action_draft()

    def _get_action_draft_error(self):
        """The error `action_draft` raises for this order, or False (a pure predicate, also
        behind `can_set_to_quotation`)."""
        self.ensure_one()
        if self.state == "cancel" and self._get_last_cancellation():
            return UserError(
                self.env._(
                    "%s cannot be set back to quotation: its cancellation is recorded, and "
                    "only Revoke Cancellation restores it together with what it reversed.",
                    self.name,
                )
            )
        return False

    def _get_reversal_returns(self):
        """Returns made by the engine (cancellations, and their backorders): the goods they
        brought back from a pick or pack step are no longer on their way to the customer."""
        return self.cancellation_ids._get_return_pickings()

    def _get_last_cancellation(self):
        self.ensure_one()
        return self.cancellation_ids.filtered(lambda c: c.state == "cancelled").sorted("id")[-1:]

    @api.returns("sale.order.cancellation")
    def revoke_cancel(self, note=None):
        """Restore cancelled orders exactly as they were before their cancellation."""
        self._check_revoke_cancel()
        note = check_text(self, note, "note")
        cancellations = self.env["sale.order.cancellation"]
        for order in self:
            cancellations |= order._get_last_cancellation()
        lock_for_update(self)
        for order in self - cancellations.order_id:
            order._revoke_native_cancel(note)
        return self._revoke_cancellations(cancellations, note)

    def _revoke_cancellations(self, cancellations, note):
        """Undo `cancellations` (of these orders, checked by the caller) from their ledger:
        the one workhorse behind `revoke_cancel` and `sale.order.cancellation.revoke`."""
        return cancellations._revoke(note)

    def _check_revoke_cancel(self):
        """Raise the first refusal of `_get_revoke_cancel_error` among these orders."""
        for order in self:
            error = order._get_revoke_cancel_error()
            if error:
                raise error

    def _get_revoke_cancel_error(self, cancellation=None):
        """The error `revoke_cancel` raises for this order, or False where it works: the right
        to revoke, a cancellation in force (the order's last one, or `cancellation`), and
        nothing that stands in the way of an exact revoke (the ledger's blockers: revoke
        window, lock dates, documents changed since, a later cancellation of the same lines).
        A pure predicate, the one check behind `revoke_cancel`, `can_revoke_cancel` and
        `sale.order.cancellation.revoke`; modules that refuse more extend it."""
        self.ensure_one()
        if not (self.env.su or self.env.user.has_group("order_revoke_cancel.group_revoke_cancel")):
            return AccessError(
                self.env._(
                    "Restoring %s needs the right to revoke order cancellations: ask your sales "
                    "manager.",
                    self.name,
                )
            )
        cancellation = cancellation or self._get_last_cancellation()
        if self.state != "cancel" and not cancellation:
            return UserError(
                self.env._("%s is not cancelled: there is nothing to revoke.", self.name)
            )
        refusal = cancellation._get_revoke_refusal()
        return UserError(refusal) if refusal else False

    def _revoke_native_cancel(self, note):
        """An order cancelled before this addon (no ledger): confirm it again if it had been."""
        self.ensure_one()
        previous = self._get_state_before_native_cancel()
        self.action_draft()
        if previous == "sale":
            self.action_confirm()
        elif previous == "sent":
            self.state = "sent"
        self.message_post(
            body=Markup("%s<br/>%s") % (self.env._("Cancellation revoked."), note or "")
        )

    def _get_state_before_native_cancel(self):
        tracking = (
            self.env["mail.tracking.value"]
            .sudo()
            .search(
                [
                    ("mail_message_id.model", "=", self._name),
                    ("mail_message_id.res_id", "=", self.id),
                    ("field_id.name", "=", "state"),
                    ("field_id.model", "=", self._name),
                ],
                order="id desc",
                limit=1,
            )
        )
        if tracking.old_value_char:
            states = dict(self._fields["state"]._description_selection(self.env))
            reverse = {label: key for key, label in states.items()}
            return reverse.get(tracking.old_value_char, "draft")
        return "sale" if (self.picking_ids or self.invoice_ids) else "draft"

    def action_revoke_cancel(self):
        self.ensure_one()
        return {
            "name": self.env._("Revoke Cancellation of %s", self.name),
            "type": "ir.actions.act_window",
            "res_model": "sale.order.revoke.cancel",
            "view_mode": "form",
            "target": "new",
            "context": {"default_order_id": self.id},
        }

    def action_view_cancellations(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id(
            "order_revoke_cancel.action_sale_order_cancellation"
        )
        action["domain"] = [("order_id", "=", self.id)]
        action["context"] = {"create": False}
        if len(self.cancellation_ids) == 1:
            action.update(
                view_mode="form", res_id=self.cancellation_ids.id, views=[(False, "form")]
            )
        return action
