from odoo.tests import HttpCase, tagged

from .common import TerminationCase


@tagged("post_install", "-at_install")
class TestRevokeTerminated(TerminationCase, HttpCase):
    """Revoking a terminated order revokes its termination: the request says who revoked it,
    when and why, the customer who confirmed it is told, the reports and the portal follow."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        (cls.step_wh | cls.step_fin).active = False

    def terminated_order(self):
        """A delivered and invoiced order, terminated after the customer confirmed."""
        order = self.delivered_and_invoiced()
        # Without approval steps the customer's answer executes in the requester's name: a
        # delivered and invoiced order needs a requester who may cancel with reversal.
        termination = self.request(order, reason=self.reason_confirm, user=self.manager)
        self.assertEqual(termination.state, "to_confirm")
        self.customer_answer(termination, True)
        self.assertEqual(termination.state, "done", msg="terminated")
        self.assertEqual(order.termination_state, "terminated")
        return order, termination

    def emails_to_customer(self, termination):
        return (
            self.env["mail.mail"]
            .sudo()
            .search(
                [
                    ("model", "=", termination._name),
                    ("res_id", "=", termination.id),
                    ("recipient_ids", "in", self.partner_a.ids),
                ]
            )
        )

    def test_revoke_marks_the_request_revoked(self):
        order, termination = self.terminated_order()
        emails_before = self.emails_to_customer(termination)

        order.with_user(self.manager).revoke_cancel(note="The customer changed their mind.")

        self.assertEqual(order.state, "sale", msg="the order lives again")
        self.assertEqual(termination.state, "revoked")
        self.assertEqual(termination.revoke_user_id, self.manager, msg="who")
        self.assertTrue(termination.revoke_date, msg="when")
        self.assertEqual(termination.revoke_note, "The customer changed their mind.", msg="why")
        self.assertFalse(order.termination_state, msg="no longer terminated")
        self.assertEqual(order.order_line.qty_invoiced, 5, msg="billed again")
        email = self.emails_to_customer(termination) - emails_before
        self.assertEqual(len(email), 1, msg="the customer who confirmed is told")
        self.assertIn("was revoked", email.body_html)
        self.assertNotIn("changed their mind", email.body_html, msg="no internal note")
        self.assertNotIn("moved abroad", email.body_html, msg="no internal description")

    def revoke_wizard(self, order):
        return (
            self.env["sale.order.revoke.cancel"]
            .with_user(self.manager)
            .with_context(default_order_id=order.id)
            .create({})
        )

    def test_revoke_wizard_says_the_request_is_revoked_and_the_customer_told(self):
        order, termination = self.terminated_order()
        wizard = self.revoke_wizard(order)
        self.assertEqual(
            wizard.termination_notice,
            f"{termination.name} will be marked Revoked, and {self.partner_a.display_name}, who "
            "confirmed the termination, will be told by email that the order carries on.",
        )
        wizard.note = "Revoked."
        wizard.action_revoke()
        self.assertEqual(termination.state, "revoked", msg="what the wizard said")

    def test_revoke_wizard_of_a_termination_nobody_confirmed(self):
        order = self.delivered_and_invoiced()
        termination = self.request(order, user=self.manager)
        self.assertEqual(termination.state, "done", msg="no step, no confirmation: executed")
        self.assertIn("the customer is not emailed", self.revoke_wizard(order).termination_notice)

    def test_revoke_wizard_of_a_plain_cancellation_says_nothing_of_terminations(self):
        order = self.delivered_and_invoiced()
        order.with_user(self.manager).cancel_with_reversal(
            self.env.ref("order_revoke_cancel.cancel_reason_customer_request")
        )
        self.assertFalse(self.revoke_wizard(order).termination_notice)

    def test_reports_follow_the_revoke(self):
        order, termination = self.terminated_order()
        Analysis = self.env["sale.cancellation.analysis"].with_user(self.manager)
        row = Analysis.search([("order_id", "=", order.id)])
        self.assertEqual((row.kind, row.revoked), ("termination", False), msg="in force")

        order.with_user(self.manager).revoke_cancel(note="Revoked.")

        self.env.flush_all()  # the analysis is an SQL view over the records as stored
        Analysis.invalidate_model()
        row = Analysis.search([("order_id", "=", order.id)])
        self.assertEqual(row.kind, "termination", msg="still filed as a termination")
        self.assertTrue(row.revoked, msg="left out of the in-force counts")
        self.assertFalse(Analysis.search([("order_id", "=", order.id), ("revoked", "=", False)]))
        Request = self.env["sale.termination.request"].with_user(self.manager)
        self.assertFalse(
            Request.search([("id", "=", termination.id), ("state", "=", "done")]),
            msg="the Terminated filter no longer counts it",
        )

    def test_cancelling_the_revoked_order_again_is_not_a_termination(self):
        order, termination = self.terminated_order()
        order.with_user(self.manager).revoke_cancel(note="Revoked.")
        order.with_user(self.manager).cancel_with_reversal(
            self.env.ref("order_revoke_cancel.cancel_reason_customer_request")
        )
        self.assertEqual(order.state, "cancel")
        self.assertFalse(order.termination_state, msg="a plain cancellation now")
        self.assertEqual(termination.state, "revoked")

    def test_portal_page_says_revoked(self):
        order, termination = self.terminated_order()
        token = termination.sudo().access_token
        url = f"/my/terminations/{termination.id}?access_token={token}"
        self.assertIn("Your order was terminated.", self.url_open(url).text)

        order.with_user(self.manager).revoke_cancel(note="Revoked.")

        page = self.url_open(url).text
        self.assertIn("The termination of your order was revoked", page)
        self.assertNotIn("Your order was terminated.", page)

    def test_sales_manager_revokes_and_salesman_reads(self):
        order, termination = self.terminated_order()
        order.with_user(self.manager).revoke_cancel(note="Revoked.")
        as_salesman = termination.with_user(self.requester)
        self.assertEqual(as_salesman.state, "revoked", msg="the requester reads the outcome")
        self.assertEqual(as_salesman.revoke_user_id, self.manager)
