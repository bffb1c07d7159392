from werkzeug.exceptions import Forbidden, NotFound

from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal


class TerminationPortal(CustomerPortal):
    """The page where a customer confirms or declines the termination of their order."""

    def _get_termination_sudo(self, request_id, access_token):
        """The request as superuser when the token matches; nothing of it otherwise."""
        try:
            return self._document_check_access(
                "sale.termination.request", request_id, access_token=access_token
            )
        except MissingError as error:
            raise NotFound() from error
        except AccessError as error:
            raise Forbidden() from error

    def _prepare_termination_values(self, termination_sudo, access_token, **kwargs):
        order_sudo = termination_sudo.order_id
        return {
            "termination": termination_sudo,
            "order": order_sudo,
            "access_token": access_token,
            "impact_lines": order_sudo._get_termination_impact_lines(
                customer=True,
                receive_returns=termination_sudo.receive_returns,
                refund_payments=termination_sudo.refund_payments,
            )
            if termination_sudo.state == "to_confirm"
            else [],
            "message": kwargs.get("message"),
            "page_name": "termination",
        }

    @http.route("/my/terminations/<int:request_id>", type="http", auth="public", website=True)
    def portal_my_termination(self, request_id, access_token=None, **kwargs):
        termination_sudo = self._get_termination_sudo(request_id, access_token)
        values = self._prepare_termination_values(termination_sudo, access_token, **kwargs)
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
        message = "confirmed" if decision == "confirm" else "declined"
        try:
            termination_sudo.customer_respond(decision == "confirm", (comment or "").strip())
        except UserError:
            message = "not_waiting"
        return request.redirect(
            f"/my/terminations/{request_id}?access_token={access_token}&message={message}"
        )
