"""The customer's self-service on the portal: the reasons offered, whether the order page offers
"Request cancellation", and the request the customer's form creates.

Apart because these methods trust nothing: the portal controller calls them as superuser on
the order it opened, so every condition is checked here explicitly.
"""

from odoo import Command, models
from odoo.exceptions import AccessError, UserError

from odoo.addons.order_revoke_cancel.tools import check_text, lock_for_update

from .sale_termination_request import ACTIVE_STATES

# Longest customer comment kept from the portal form.
PORTAL_COMMENT_SIZE = 2000


class SaleOrderPortal(models.Model):
    _inherit = "sale.order"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------
    # These methods are private (no RPC): the portal controller calls them on the order it
    # opened with `_document_check_access`, as superuser like every portal page of core. So
    # nothing below relies on access rights: every condition is checked explicitly.
    def _portal_get_termination_reasons(self):
        """Reasons the customer may choose: offered to customers, active, of the order's
        company or shared."""
        self.ensure_one()
        return self.env["sale.termination.reason"].search(
            [
                ("customer_selectable", "=", True),
                ("company_id", "in", [self.company_id.id, False]),
            ]
        )

    def _portal_get_termination_request(self):
        """The customer's own latest request (made on the portal), shown on the order page."""
        self.ensure_one()
        return self.termination_request_ids.filtered(lambda r: r.origin == "portal")[:1]

    def _portal_get_answer_url(self, user):
        """The answer page (with its token) of the request that waits for the customer's
        confirmation, for `user` (the signed-in visitor of the order page: the portal runs
        this on the order as superuser) when it is the customer the confirmation email went
        to: their order page leads to the page their email links to. Nobody else gets it (a
        visitor with only the order's link, another contact of the company, staff): False."""
        self.ensure_one()
        request = self.termination_request_ids.filtered(lambda r: r.state == "to_confirm")[:1]
        if not request or not user.share or user._is_public():
            return False
        if user.partner_id != request.partner_id:
            return False
        return request._get_customer_answer_url()

    def _portal_can_request_termination(self):
        """Whether the order page offers "Request cancellation"; agrees with the checks of
        `_portal_request_termination`."""
        self.ensure_one()
        return bool(
            self.company_id.portal_termination_request
            and self.state == "sale"
            and not self.is_closed
            and not self.termination_request_ids.filtered(lambda r: r.state in ACTIVE_STATES)
            and self._portal_get_termination_reasons()
        )

    def _get_portal_staff_message(self):
        return self.env._(
            "You are signed in as staff: request the termination of %s from the order in the "
            "back office, the customer's form is for the customer.",
            self.name,
        )

    def _portal_get_termination_lines(self):
        """The lines a customer may choose quantities of on the portal request form."""
        self.ensure_one()
        return self.order_line.filtered(
            lambda line: line._can_cancel_quantity() and line._get_qty_ordered_in_force() > 0
        )

    def _portal_request_termination(self, reason_id, comment, customer_user, quantities=None):
        """Create and submit the termination request the customer asked for on the portal:
        origin 'portal', the comment as customer message, no customer confirmation (the
        customer asked), then the normal approvals. Everything is checked here (setting,
        reason offered to customers and of the order's company, order confirmed, not closed,
        no pending request), then the order row is locked and the pending check repeated, so
        two submissions, even concurrent, create one request. `customer_user` is who posted
        the form (the portal user, or the public user for a visitor with the order's link)."""
        self.ensure_one()
        if not customer_user.share:
            # Staff read the order's own token (native Odoo): they ask in their own name with
            # request_termination, never in the customer's through the portal form.
            raise AccessError(self._get_portal_staff_message())
        comment = (check_text(self, comment, "comment") or "").strip()[:PORTAL_COMMENT_SIZE]
        if not self.company_id.portal_termination_request:
            raise UserError(
                self.env._("Cancellation requests are not taken online for %s.", self.name)
            )
        reasons = self._portal_get_termination_reasons()
        reason = reasons.filtered(lambda r: r.id == reason_id)
        if isinstance(reason_id, bool) or not isinstance(reason_id, int) or not reason:
            raise UserError(
                self.env._(
                    "Choose one of the offered reasons to request the cancellation of %s.",
                    self.name,
                )
            )
        lock_for_update(self)
        self.invalidate_recordset(["termination_request_ids"])
        self._check_can_request_termination()
        # The requester on record: the customer's portal user, or OdooBot for a visitor who
        # came with the order's link (the public user is nobody).
        requester = customer_user
        if requester._is_public():
            requester = self.env.ref("base.user_root")
        description = self.env._(
            "%(customer)s asked on the customer portal to cancel %(order)s.",
            customer=self.partner_id.display_name,
            order=self.name,
        )
        # Checked as any request's (lines of this order, at most what is still ordered).
        line_quantities = self._get_termination_quantities(quantities)
        vals = self._prepare_termination_request_vals(reason, description, False, False, False)
        vals.update(
            {
                "user_id": requester.id,
                "origin": "portal",
                "customer_message": comment or False,
                "line_ids": [
                    Command.create(line_vals)
                    for line_vals in self._prepare_termination_request_line_vals(line_quantities)
                ],
            }
        )
        with self.env.cr.savepoint():
            # Safe: the customer's access to the order was proven by the controller and every
            # condition above was checked; requests are created only as superuser (users read
            # them), and the approvals then run as for any request, never with the rights of
            # the portal user, who has none on internal models.
            request = self.env["sale.termination.request"].with_user(requester).sudo()
            request = request.create(vals)
            request.action_submit()
        return request
