from odoo.tests import Form, tagged

from odoo.addons.order_termination.controllers.portal import TerminationPortal

from .common import TerminationCase


@tagged("post_install", "-at_install")
class TestTerminationPreview(TerminationCase):
    """What a termination means, in the request wizard and on the customer's page, follows
    the request's options as its execution does: 500 invoiced and paid, refunded or kept."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        (cls.step_wh | cls.step_fin).active = False

    def test_request_wizard_preview_follows_the_refund_option(self):
        order = self.settled_order()
        action = order.with_user(self.manager).action_request_termination()
        wizard = Form.from_action(self.env(user=self.manager), action)
        wizard.reason_id = self.reason
        wizard.description = "Moved abroad."
        kept = "$\xa0500.00 already paid stays on your account as credit."
        refunded = "$\xa0500.00 already paid is refunded to you."

        self.assertIn(kept, wizard.impact_html, msg="kept as credit by default")
        self.assertNotIn(refunded, wizard.impact_html, msg="not refunded")
        wizard.refund_payments = True
        self.assertIn(refunded, wizard.impact_html, msg="ticked: refunded")
        self.assertNotIn(kept, wizard.impact_html, msg="and no longer kept")

    def test_customer_page_follows_the_requests_refund_option(self):
        order = self.settled_order()
        termination = self.request(
            order, reason=self.reason_confirm, user=self.manager, refund_payments=True
        )
        self.assertEqual(termination.state, "to_confirm", msg="the customer is asked")

        values = TerminationPortal()._prepare_termination_values(
            termination.sudo(), termination.access_token
        )

        self.assertIn(
            "$\xa0500.00 already paid is refunded to you.",
            values["impact_lines"],
            msg="the customer reads that the money comes back",
        )
