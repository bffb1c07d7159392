import re

from odoo.tests import HttpCase, tagged

from .common import TerminationCase


@tagged("post_install", "-at_install")
class TestTerminationPortal(TerminationCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        (cls.step_wh | cls.step_fin).active = False

    def setUp(self):
        super().setUp()
        self.order = self.confirmed_order()
        self.termination = self.request(self.order, reason=self.reason_confirm)
        self.assertEqual(
            self.termination.state, "to_confirm", msg="the request waits for the customer"
        )
        self.url = f"/my/terminations/{self.termination.id}"
        self.token = self.termination.access_token

    def _csrf(self):
        page = self.url_open(f"{self.url}?access_token={self.token}").text
        return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    def respond(self, decision, **data):
        """Post the customer's answer the way the portal form does."""
        data = {
            "csrf_token": self._csrf(),
            "access_token": self.token,
            "decision": decision,
            **data,
        }
        return self.url_open(f"{self.url}/respond", data=data)

    def assertNothingChanged(self):
        self.assertEqual(
            self.termination.state, "to_confirm", msg="the request still waits for the customer"
        )
        self.assertEqual(self.order.state, "sale", msg="the order goes on")

    # ---- the page --------------------------------------------------------------------------
    def test_page_with_token_shows_the_request(self):
        response = self.url_open(f"{self.url}?access_token={self.token}")
        self.assertEqual(response.status_code, 200, msg="the token opens the page")
        self.assertIn(self.order.name, response.text, msg="the page names the order")
        self.assertIn(self.reason_confirm.name, response.text, msg="the page gives the reason")
        self.assertNotIn(
            "The customer moved abroad.",
            response.text,
            msg="the page never shows the internal description",
        )
        self.assertIn("Confirm the termination", response.text, msg="the page offers to confirm")
        # What termination means: the open delivery will not be made.
        self.assertIn(
            self.order.picking_ids.name,
            response.text,
            msg="the page lists the delivery that will not be made",
        )

    def test_page_without_or_with_wrong_token_is_forbidden(self):
        for url in (self.url, f"{self.url}?access_token=wrong-token"):
            response = self.url_open(url)
            self.assertEqual(response.status_code, 403, msg=f"{url} is forbidden")
            self.assertNotIn(self.order.name, response.text, msg=f"{url} hides the order")
            self.assertNotIn(self.reason_confirm.name, response.text, msg=f"{url} hides the reason")

    def test_page_of_unknown_request_is_not_found(self):
        response = self.url_open(f"/my/terminations/999999?access_token={self.token}")
        self.assertEqual(response.status_code, 404, msg="an unknown request is not found")

    def test_portal_user_needs_the_token_too(self):
        portal_user = self.portal_customer("term_portal_customer")
        self.authenticate(portal_user.login, portal_user.login)
        response = self.url_open(self.url)
        self.assertEqual(
            response.status_code, 403, msg="the customer's own login does not replace the token"
        )
        self.assertNotIn(self.order.name, response.text, msg="the page hides the order")
        response = self.url_open(f"{self.url}?access_token={self.token}")
        self.assertEqual(response.status_code, 200, msg="with the token the customer gets in")
        self.assertIn(self.order.name, response.text, msg="the page names the order")

    def test_customer_order_page_leads_to_the_answer(self):
        """Regression: a signed-in customer found, on their order page, nothing of the
        termination waiting for their confirmation (only their email had the link)."""
        order_page = f"/my/orders/{self.order.id}"
        portal_user = self.portal_customer("term_portal_answer")
        self.authenticate(portal_user.login, portal_user.login)
        page = self.url_open(order_page).text
        self.assertIn("termination_answer_waiting", page, msg="the order page says it waits")
        self.assertIn(
            f"{self.url}?access_token={self.token}".replace("&", "&amp;"),
            page,
            msg="and leads to the answer page",
        )
        self.authenticate(None, None)
        page = self.url_open(f"{order_page}?access_token={self.order._portal_ensure_token()}").text
        self.assertIn(self.order.name, page, msg="the order's link opens the order")
        self.assertNotIn(self.token, page, msg="but not the customer's answer link")

    # ---- the answer ------------------------------------------------------------------------
    def test_confirm_over_http(self):
        response = self.respond("confirm", comment="Fine by us.")
        self.assertEqual(response.status_code, 200, msg="the answer is accepted")
        self.assertIn(
            "you confirmed the termination",
            response.text,
            msg="the customer is thanked for confirming",
        )
        self.assertEqual(self.termination.state, "done", msg="the termination is executed")
        self.assertEqual(
            self.termination.customer_response,
            "confirmed",
            msg="the customer's confirmation is recorded",
        )
        self.assertEqual(
            self.termination.customer_comment,
            "Fine by us.",
            msg="the customer's comment is recorded",
        )
        self.assertEqual(self.order.state, "cancel", msg="the order ends cancelled")
        self.assertTrue(
            any("Fine by us." in body for body in self.order.message_ids.mapped("body")),
            msg="the customer's comment is posted on the order",
        )
        self.assertTrue(
            any("Fine by us." in body for body in self.termination.message_ids.mapped("body")),
            msg="the customer's comment is posted on the request",
        )

    def test_decline_over_http(self):
        self.respond("decline")
        self.assertEqual(self.termination.state, "rejected", msg="the termination is rejected")
        self.assertEqual(
            self.termination.customer_response,
            "declined",
            msg="the customer's refusal is recorded",
        )
        self.assertEqual(self.order.state, "sale", msg="the order goes on")

    def test_post_with_wrong_token_is_forbidden(self):
        response = self.url_open(
            f"{self.url}/respond",
            data={"csrf_token": self._csrf(), "access_token": "wrong", "decision": "confirm"},
        )
        self.assertEqual(response.status_code, 403, msg="a wrong token cannot answer")
        self.assertNothingChanged()

    def test_post_without_csrf_is_refused(self):
        with self.assertLogs("odoo.http", level="WARNING") as logs:
            response = self.url_open(
                f"{self.url}/respond", data={"access_token": self.token, "decision": "confirm"}
            )
        self.assertNotEqual(
            response.status_code, 200, msg="an answer without CSRF token is refused"
        )
        self.assertTrue(
            any("No CSRF validation token" in line for line in logs.output),
            msg="Odoo warns that the CSRF token is missing",
        )
        self.assertNothingChanged()
