"""The execution of an approved (and, if asked, confirmed) termination: all or nothing through
the reversal engine of order_revoke_cancel and the purchase cascade, in the name of whoever
decided last; a failure is recorded on the request for the termination managers.

Apart from the workflow: this is the one step that changes the order's documents.
"""

from markupsafe import Markup

from odoo import fields, models
from odoo.exceptions import UserError

from odoo.addons.order_revoke_cancel.tools.call_scope import call_scope

from .sale_order_cancel_purchase import TERMINATION_PURCHASE_SCOPE


class SaleTerminationRequestExecution(models.Model):
    _inherit = "sale.termination.request"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    cancellation_id = fields.Many2one("sale.order.cancellation", readonly=True, copy=False)
    purchase_effect_ids = fields.One2many(
        "sale.termination.purchase.effect", "request_id", readonly=True, copy=False
    )
    executed_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    execution_error = fields.Text(
        readonly=True,
        copy=False,
        help="Why the last attempt to execute the termination failed; nothing of that "
        "attempt was kept.",
    )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_execute(self):
        """Retry the execution of an approved (and, if asked, confirmed) termination after a
        failure: termination managers only, in their name."""
        self._check_termination_manager(
            self.env._(
                "Only termination managers may execute the termination of %s.",
                ", ".join(self.mapped("order_name")),
            )
        )
        self._lock_for_decision()
        for request in self:
            request._execute_by(self.env.user)
        return True

    # ------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------
    def _is_executable(self):
        """Whether every approval and, if asked, the customer agreed (a pure predicate)."""
        self.ensure_one()
        approved = all(a.state == "approved" for a in self.approval_ids)
        confirmed = not self.customer_confirmation or self.customer_response == "confirmed"
        return self.state in ("to_approve", "to_confirm") and approved and confirmed

    def _check_executable(self):
        self.ensure_one()
        if not self._is_executable():
            raise UserError(
                self.env._(
                    "%(request)s cannot terminate %(order)s yet: every approval step and, if "
                    "asked, the customer must agree first.",
                    request=self.name,
                    order=self.order_name,
                )
            )

    def _execute_by(self, user):
        """Execute the termination in `user`'s name, all or nothing: when any step fails the
        request and the order stay exactly as before, the failure is written on the request
        and the termination managers get an activity. Return whether it was executed."""
        self.ensure_one()
        self._check_executable()
        try:
            with self.env.cr.savepoint():
                self._execute(user)
        # UserError covers every refusal of the steps (AccessError, ValidationError, lock
        # dates...); programming errors and serialization failures are not swallowed.
        except UserError as error:
            self._record_execution_failure(error, user)
            return False
        return True

    def _execute(self, user):
        """Terminate the order, in `user`'s name: the documents are theirs, not OdooBot's.

        With approval lines, the approvals are the authority: the execution reads and changes
        sales, stock, accounting and purchase documents the approver may not access, so it
        runs as superuser under `user`. Without approval lines, it keeps `user`'s own rights
        and the order's lock rules. The purchase cascade is the termination's defined
        consequence on documents salesmen may not change: it always runs as superuser
        (`sale.order._apply_purchase_effects`).
        """
        self.ensure_one()
        request = self.with_user(user)
        if self.approval_ids:
            request = request.sudo()
        order = request.order_id
        quantities = {line.with_env(order.env): qty for line, qty in self._get_quantities().items()}
        # The request is done before the order is touched: the order's hold is then lifted
        # for this transaction only, decided from the request itself, not from a flag.
        self.sudo().write(
            {
                **self._prepare_decision_vals("done", fields.Datetime.now()),
                "executed_by_id": user.id,
                "execution_error": False,
            }
        )
        self.approval_ids.sudo()._unlink_activities()
        # The engine's workhorse, not its RPC entry point: the reason is the termination's own
        # (the shipped "Order terminated" is archived so that nobody picks it by hand). The
        # purchase cascade is the cancellation's purchase effects (sale_order_cancel_purchase),
        # applied for a termination, of the order or of lines, whatever the company's setting
        # and recorded on both.
        with call_scope(self.env, TERMINATION_PURCHASE_SCOPE, {order.id: self}):
            if quantities:
                cancellations = order._cancel_lines(
                    quantities,
                    request.reason_id._get_cancel_reason(),
                    request._get_cancel_note(),
                    request.receive_returns,
                    request.refund_payments,
                )
            else:
                cancellations = order._cancel_with_reversal(
                    request.reason_id._get_cancel_reason(),
                    request._get_cancel_note(),
                    request.receive_returns,
                    request.refund_payments,
                )
        self.sudo().write({"cancellation_id": cancellations[:1].id})
        request._notify_terminated()
        if self.origin == "portal":
            self.sudo()._send_customer_outcome()
        return self.purchase_effect_ids

    def _record_execution_failure(self, error, user):
        """Write why the execution failed on the request and ask the termination managers to
        act; the request keeps its state, so a manager executes it again once fixed."""
        self.ensure_one()
        reason = error.args[0] if error.args else str(error)
        # The failure is the request's own record, written by the machinery as superuser.
        request = self.with_user(user).sudo()
        request.execution_error = reason
        message = self.env._(
            "The termination of %(order)s failed and nothing of it was kept: %(error)s",
            order=self.order_name,
            error=reason,
        )
        request._notify_termination_managers(
            lambda env: env._("Termination of %s failed", self.order_name), message
        )

    def _get_cancel_note(self):
        return self.env._(
            "%(request)s (%(reason)s): %(description)s",
            request=self.name,
            reason=self.reason_id.name,
            description=self.description,
        )

    def _notify_terminated(self):
        """Chatter on both documents and activities for the company's notification groups."""
        order = self.order_id
        body = Markup("<p>%s</p>") % self.env._(
            "Order terminated by %(request)s. Reason: %(reason)s.",
            request=self.name,
            reason=self.reason_id.name,
        )
        order.message_post(
            body=body, subtype_xmlid="order_termination.mt_order_termination_decided"
        )
        self.message_post(body=body, subtype_xmlid="mail.mt_note")
        users = order.company_id.termination_notify_group_ids.users.filtered(
            lambda u: not u.share and u.active
        )
        for user in users:
            order.sudo().activity_schedule(
                "order_termination.mail_activity_order_terminated",
                user_id=user.id,
                # Stored: in the language of whom it is for.
                summary=self.with_context(lang=user.lang or self.env.lang).env._(
                    "%s was terminated", order.name
                ),
            )
