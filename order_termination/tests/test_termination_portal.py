import re

from odoo.tests import HttpCase, new_test_user, tagged

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
        self.assertEqual(self.termination.state, "to_confirm")
        self.url = f"/my/terminations/{self.termination.id}"
        self.token = self.termination.access_token

    def test_page_needs_the_token(self):
        response = self.url_open(f"{self.url}?access_token={self.token}")
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.order.name, response.text)
        self.assertIn("The customer moved abroad.", response.text)
        self.assertIn("Confirm the termination", response.text)
        # What termination means: the open delivery will not be made.
        self.assertIn(self.order.picking_ids.name, response.text)
        for url in (self.url, f"{self.url}?access_token=wrong-token"):
            response = self.url_open(url)
            self.assertEqual(response.status_code, 403)
            self.assertNotIn(self.order.name, response.text)
            self.assertNotIn("moved abroad", response.text)
        response = self.url_open(f"/my/terminations/999999?access_token={self.token}")
        self.assertEqual(response.status_code, 404)

    def _csrf(self):
        page = self.url_open(f"{self.url}?access_token={self.token}").text
        return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    def test_confirm_over_http(self):
        response = self.url_open(
            f"{self.url}/respond",
            data={
                "csrf_token": self._csrf(),
                "access_token": self.token,
                "decision": "confirm",
                "comment": "Fine by us.",
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("you confirmed the termination", response.text)
        self.assertEqual(self.termination.state, "done")
        self.assertEqual(self.termination.customer_response, "confirmed")
        self.assertEqual(self.termination.customer_comment, "Fine by us.")
        self.assertEqual(self.order.state, "cancel")
        self.assertTrue(
            any("Fine by us." in body for body in self.order.message_ids.mapped("body"))
        )
        self.assertTrue(
            any("Fine by us." in body for body in self.termination.message_ids.mapped("body"))
        )

    def test_decline_over_http(self):
        self.url_open(
            f"{self.url}/respond",
            data={
                "csrf_token": self._csrf(),
                "access_token": self.token,
                "decision": "decline",
            },
        )
        self.assertEqual(self.termination.state, "rejected")
        self.assertEqual(self.termination.customer_response, "declined")
        self.assertEqual(self.order.state, "sale")

    def test_post_refused_without_token_or_csrf(self):
        csrf = self._csrf()
        response = self.url_open(
            f"{self.url}/respond",
            data={"csrf_token": csrf, "access_token": "wrong", "decision": "confirm"},
        )
        self.assertEqual(response.status_code, 403)
        response = self.url_open(
            f"{self.url}/respond", data={"access_token": self.token, "decision": "confirm"}
        )
        self.assertNotEqual(response.status_code, 200)
        self.assertEqual(self.termination.state, "to_confirm")
        self.assertEqual(self.order.state, "sale")

    def test_portal_user_needs_the_token_too(self):
        portal_user = new_test_user(
            self.env,
            login="term_portal_customer",
            groups="base.group_portal",
            partner_id=self.partner_a.id,
        )
        self.authenticate(portal_user.login, portal_user.login)
        response = self.url_open(self.url)
        self.assertEqual(response.status_code, 403)
        self.assertNotIn(self.order.name, response.text)
        response = self.url_open(f"{self.url}?access_token={self.token}")
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.order.name, response.text)
