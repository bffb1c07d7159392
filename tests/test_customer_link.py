"""Issue 17.5: the customer's answer link reaches the customer only. A plain salesman who reads
everything he may (chatter, stored mails, activities, tracking, every field of the request,
get_portal_url, the preview) finds no string equal to the token; the customer's email link
works for the customer; staff holding a customer's link cannot use it in the customer's name."""

import json
import re

from odoo.tests import HttpCase, JsonRpcException, tagged
from odoo.tools import mute_logger

from odoo.addons.order_termination.tests.common import TerminationCase

from .jsonrpc import execute_kw_json


@tagged("post_install", "-at_install")
class TestCustomerLink(TerminationCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        (cls.step_wh | cls.step_fin).active = False
        cls.company.portal_termination_request = True

    def waiting_request(self):
        order = self.confirmed_order()
        request = self.request(order, reason=self.reason_confirm, user=self.manager)
        self.assertEqual(request.state, "to_confirm", msg="the request waits for the customer")
        token = request.sudo().access_token
        self.assertTrue(token, msg="the request has a token for the customer's link")
        return order, request, token

    def rpc(self, user, model, method, *args, **kwargs):
        """The result, or the error's name when the call is refused."""
        try:
            with mute_logger("odoo.http"):
                return execute_kw_json(self, user, model, method, args, kwargs)
        except JsonRpcException as error:
            return str(error)

    def customer_mail(self, request):
        return (
            self.env["mail.mail"]
            .sudo()
            .search(
                [
                    ("model", "=", request._name),
                    ("res_id", "=", request.id),
                    ("recipient_ids", "in", self.partner_a.ids),
                ]
            )
        )

    def csrf(self, url):
        return re.search(r'name="csrf_token" value="([^"]+)"', self.url_open(url).text).group(1)

    def test_salesman_reads_no_token_anywhere(self):
        order, request, token = self.waiting_request()
        salesman = self.requester
        message_domain = [
            "|",
            "&",
            ("model", "=", request._name),
            ("res_id", "=", request.id),
            "&",
            ("model", "=", "sale.order"),
            ("res_id", "=", order.id),
        ]
        seen = {
            "messages": self.rpc(salesman, "mail.message", "search_read", message_domain),
            "message_format": self.rpc(
                salesman, "mail.message", "search_read", message_domain, fields=["body"]
            ),
            "mails": self.rpc(salesman, "mail.mail", "search_read", [("res_id", "=", request.id)]),
            "activities": self.rpc(
                salesman, "mail.activity", "search_read", [("res_id", "in", [request.id, order.id])]
            ),
            "tracking": self.rpc(salesman, "mail.tracking.value", "search_read", []),
            "request": self.rpc(salesman, request._name, "read", request.ids),
            "request_search": self.rpc(
                salesman, request._name, "search_read", [("id", "=", request.id)]
            ),
            "token_field": self.rpc(salesman, request._name, "read", request.ids, ["access_token"]),
            "portal_url": self.rpc(salesman, request._name, "get_portal_url", request.ids),
            "preview": self.rpc(salesman, request._name, "action_preview_portal", request.ids),
            "share": self.rpc(
                salesman,
                "portal.share",
                "default_get",
                ["share_link"],
                context={"active_model": request._name, "active_id": request.id},
            ),
        }
        self.assertEqual(seen["token_field"], "odoo.exceptions.AccessError", msg="not readable")
        self.assertTrue(seen["messages"], msg="the salesman reads the chatter")
        self.authenticate(salesman.login, salesman.login)
        preview = self.url_open(seen["preview"]["url"])
        self.assertEqual(preview.status_code, 200, msg="the salesman previews the page")
        self.assertIn("Preview: this is the page the customer sees", preview.text)
        self.assertNotIn('name="decision"', preview.text, msg="the preview has no answer form")
        seen["preview_page"] = preview.text
        blob = json.dumps(seen, default=str)
        self.assertNotIn(token, blob, msg="no string equal to the token reaches the salesman")
        stored = request.sudo().message_ids.mapped("body") + order.sudo().message_ids.mapped("body")
        self.assertNotIn(token, "".join(str(body) for body in stored), msg="no message body")

    def test_customer_email_link_works_for_the_customer(self):
        _order, request, token = self.waiting_request()
        mail = self.customer_mail(request)
        self.assertEqual(len(mail), 1, msg="one email to the customer")
        self.assertTrue(mail.auto_delete, msg="deleted once sent")
        link = re.search(r'href="([^"]*/my/terminations/[^"]*)"', mail.body_html).group(1)
        self.assertIn(f"access_token={token}", link, msg="the customer's email carries the link")
        others = (
            self.env["mail.mail"]
            .sudo()
            .search([("model", "=", request._name), ("res_id", "=", request.id)])
            - mail
        )
        self.assertNotIn(token, "".join(others.mapped("body_html")), msg="only the customer's")
        path = link[link.index("/my/terminations/") :].replace("&amp;", "&")
        page = self.url_open(path)
        self.assertEqual(page.status_code, 200, msg="the customer opens the page")
        self.assertIn("Confirm the termination", page.text)
        response = self.url_open(
            f"/my/terminations/{request.id}/respond",
            data={"csrf_token": self.csrf(path), "access_token": token, "decision": "confirm"},
        )
        self.assertIn("you confirmed the termination", response.text)
        self.env.invalidate_all()
        self.assertEqual(request.state, "done", msg="the customer's confirmation executes it")

    def test_staff_holding_the_link_cannot_answer_for_the_customer(self):
        order, request, token = self.waiting_request()
        for user in (self.requester, self.manager):
            self.authenticate(user.login, user.login)
            url = f"/my/terminations/{request.id}?access_token={token}"
            response = self.url_open(
                f"/my/terminations/{request.id}/respond",
                data={"csrf_token": self.csrf(url), "access_token": token, "decision": "confirm"},
            )
            self.assertIn("You are signed in as staff", response.text, msg=user.login)
            self.assertEqual(
                self.rpc(user, request._name, "customer_respond", request.ids, True, None, token),
                "odoo.exceptions.AccessError",
                msg=f"{user.login}: refused over RPC too",
            )
        self.env.invalidate_all()
        self.assertEqual(request.state, "to_confirm", msg="no answer was recorded")
        self.assertFalse(request.customer_response, msg="no answer was recorded")
        self.assertEqual(order.state, "sale", msg="the order goes on")

    def test_staff_cannot_request_as_the_customer_on_the_order_page(self):
        order = self.confirmed_order()
        reason = self.env["sale.termination.reason"].create(
            {"name": "No longer needed", "customer_selectable": True}
        )
        order_token = self.rpc(self.requester, "sale.order", "read", order.ids, ["access_token"])
        order_token = order_token[0]["access_token"] or order._portal_ensure_token()
        self.authenticate(self.requester.login, self.requester.login)
        page = f"/my/orders/{order.id}?access_token={order_token}"
        response = self.url_open(
            f"/my/orders/{order.id}/request_termination",
            data={
                "csrf_token": self.csrf(page),
                "access_token": order_token,
                "reason_id": str(reason.id),
                "comment": "Please cancel.",
            },
        )
        self.assertIn("You are signed in as staff", response.text, msg="refused politely")
        self.assertFalse(order.termination_request_ids, msg="no request in the customer's name")
