from werkzeug.exceptions import Forbidden, NotFound
from werkzeug.urls import url_encode

from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request
from odoo.tools import consteq

from odoo.addons.portal.controllers.portal import CustomerPortal


class TerminationPortal(CustomerPortal):
    """The page where a customer confirms or declines the termination of their order.

    Only the request's access token opens it, whoever is logged in: portal's
    `_document_check_access` would also let in any user who may read the request (every
    internal user), and the customer's answer must come from the link the customer received.
    """

    def _get_termination_sudo(self, request_id, access_token):
        """The request as superuser when the token matches; nothing of it otherwise."""
        # Superuser only to compare the token; nothing is shown or changed before that.
        termination_sudo = request.env["sale.termination.request"].sudo().browse(request_id)
        if not termination_sudo.exists():
            raise NotFound()
        if not (
            isinstance(access_token, str)
            and termination_sudo.access_token
            and consteq(termination_sudo.access_token, access_token)
        ):
            raise Forbidden()
        return termination_sudo

    def _prepare_termination_values(self, termination_sudo, access_token, **kwargs):
        """What the customer sees: the order, the reason and the customer message, never
        the internal description, approvers' comments or purchase documents. The order is
        not passed as `order`/`sale_order`: other portal breadcrumbs (purchase) key on those
        names and would call it a purchase order."""
        order_sudo = termination_sudo.order_id
        waiting = termination_sudo.state == "to_confirm" and not termination_sudo.customer_response
        return {
            "termination": termination_sudo,
            "termination_order": order_sudo,
            "access_token": access_token,
            "waiting_for_answer": waiting,
            "impact_lines": self._get_termination_impact_lines(termination_sudo) if waiting else [],
            "message": kwargs.get("message"),
            "page_name": "termination",
        }

    def _get_termination_impact_lines(self, termination_sudo):
        """What terminating does, for the customer: the impact of the request's own quantities
        (of the whole order when it names none). When the engine can no longer end those
        quantities (the order changed since the request), the page shows no preview rather
        than an error: executing the request would be refused with that error to the staff."""
        try:
            return termination_sudo.order_id._get_termination_impact_lines(
                customer=True,
                receive_returns=termination_sudo.receive_returns,
                refund_payments=termination_sudo.refund_payments,
                reason=termination_sudo.reason_id,
                quantities=termination_sudo._get_quantities(),
            )
        except UserError:
            return []

    @http.route("/my/terminations/<int:request_id>", type="http", auth="public", website=True)
    def portal_my_termination(self, request_id, access_token=None, **kwargs):
        termination_sudo = self._get_termination_sudo(request_id, access_token)
        values = self._prepare_termination_values(termination_sudo, access_token, **kwargs)
        return request.render("order_termination.portal_termination_page", values)

    @http.route("/my/terminations/<int:request_id>/preview", type="http", auth="user", website=True)
    def portal_preview_termination(self, request_id, **kwargs):
        """What the customer sees, for staff who may read the request: no token, no form."""
        if request.env.user.share:
            raise Forbidden()
        termination = request.env["sale.termination.request"].browse(request_id).exists()
        if not termination:
            raise NotFound()
        try:
            termination.check_access("read")
        except AccessError as error:
            raise Forbidden() from error
        # Superuser for the customer's view of the order only; nothing is written.
        values = self._prepare_termination_values(termination.sudo(), False)
        values["preview"] = True
        return request.render("order_termination.portal_termination_page", values)

    @http.route(
        "/my/terminations/<int:request_id>/respond",
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
    )
    def portal_termination_respond(
        self, request_id, access_token=None, decision=None, comment=None, **kwargs
    ):
        termination_sudo = self._get_termination_sudo(request_id, access_token)
        if decision not in ("confirm", "decline"):
            raise NotFound()
        if not request.env.user.share:
            # Staff never answer in the customer's name, even holding the customer's link:
            # they record the answer on the request (customer_respond refuses them too).
            return request.redirect(
                f"/my/terminations/{request_id}?access_token={access_token}&message=staff"
            )
        accept = decision == "confirm"
        try:
            # customer_respond checks the token again and runs with the requester's authority
            # in the customer's name, never with the rights of whoever is logged in.
            done = termination_sudo.customer_respond(
                accept, (comment or "").strip() or None, access_token=access_token
            )
        except AccessError as error:
            raise Forbidden() from error
        except UserError:
            message = "not_waiting"
        else:
            if not accept:
                message = "declined"
            elif done:
                message = "confirmed"
            else:
                # The execution failed and was rolled back: the answer is kept, people act.
                message = "received"
        return request.redirect(
            f"/my/terminations/{request_id}?access_token={access_token}&message={message}"
        )

    @http.route(
        "/my/orders/<int:order_id>/request_termination",
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
    )
    def portal_order_request_termination(
        self, order_id, access_token=None, reason_id=None, comment=None, **kwargs
    ):
        """The customer asks to cancel their confirmed order ("Request cancellation" on the
        order page). Access is checked as core checks it for the order page; whatever goes
        wrong, the customer is sent back with a polite message, never an error page."""
        try:
            order_sudo = self._document_check_access(
                "sale.order", order_id, access_token=access_token
            )
        except (AccessError, MissingError):
            return request.redirect("/my?termination_message=no_access")
        if not request.env.user.share:
            # The order's token is readable by staff: the customer's form is not theirs.
            params = {"termination_message": "staff"}
            if access_token:
                params["access_token"] = access_token
            return request.redirect(f"{order_sudo.access_url}?{url_encode(params)}")
        try:
            reason = int(reason_id or 0)
        except ValueError:
            reason = 0
        quantities = _portal_quantities(kwargs)
        try:
            order_sudo._portal_request_termination(
                reason, comment, request.env.user, quantities=quantities
            )
        except UserError:
            order_sudo.invalidate_recordset()
            pending = order_sudo._portal_get_termination_request().state in ("draft", "to_approve")
            message = "pending" if pending else "refused"
        else:
            message = "requested"
        params = {"termination_message": message}
        if access_token:
            params["access_token"] = access_token
        return request.redirect(f"{order_sudo.access_url}?{url_encode(params)}")


def _portal_quantities(params):
    """``{line id: quantity}`` from the form's ``qty_<line id>`` fields that hold a number more
    than zero, or None (the whole order). Anything else is left out: the model checks what is
    left (lines of the order, at most what is still ordered)."""
    quantities = {}
    for key, value in params.items():
        if not key.startswith("qty_") or not key[4:].isdigit():
            continue
        try:
            qty = float(value)
        except (TypeError, ValueError):
            continue
        if qty > 0 and qty == qty and qty != float("inf"):
            quantities[int(key[4:])] = qty
    return quantities or None
