"""Browser scenarios of the customer self-service and the cancellation analysis, run in
Chromium by `bin/run-tests`; `bin/screenshots` also takes their pictures (see
tests/test_ui_tours.py)."""

from odoo.tests import tagged

from odoo.addons.order_revoke_cancel.tests import common

from .test_ui_tours import ScreenshotTourCase


@tagged("post_install", "-at_install")
class TestSelfServiceTours(common.OrderEndOfLifeCase, ScreenshotTourCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.portal_termination_request = True
        cls.env["sale.termination.approval.step"].search([]).action_archive()
        cls.env["sale.termination.approval.step"].create(
            {
                "name": "Sales approval",
                "group_id": cls.env.ref("sales_team.group_sale_manager").id,
                "company_id": cls.company.id,
            }
        )
        cls.offered = cls.env["sale.termination.reason"].create(
            {"name": "Tour: no longer needed", "customer_selectable": True}
        )
        cls.env["sale.termination.reason"].create({"name": "Tour: internal only"})
        cls.customer = cls.env["res.partner"].create(
            {"name": "Tour Self-Service Customer", "email": "tour.self@example.com"}
        )

    def test_customer_requests_cancellation_in_browser(self):
        order = self.confirmed_order([(self.storable, 2)], partner=self.customer)
        token = order._portal_ensure_token()

        self.start_tour(
            f"/my/orders/{order.id}?access_token={token}", "order_termination_portal_request_tour"
        )

        self.env.invalidate_all()
        request = order.termination_request_ids
        self.assertEqual(len(request), 1, msg="one request")
        self.assertRecordValues(
            request,
            [
                {
                    "origin": "portal",
                    "reason_id": self.offered.id,
                    "customer_message": "Our project was stopped.",
                    "state": "to_approve",
                }
            ],
        )
        self.assertEqual(order.termination_state, "pending", msg="the order waits for approval")

    def test_cancellation_analysis_in_browser(self):
        duplicate = self.env.ref("order_revoke_cancel.cancel_reason_duplicate")
        duplicate.name = "Tour: duplicate order"
        for _i in range(2):
            order = self.confirmed_order([(self.storable, 1)], partner=self.customer)
            order.cancel_with_reversal(duplicate)
        invoiced = self.confirmed_order([(self.storable, 3)], partner=self.customer)
        self.invoice(invoiced)
        invoiced.cancel_with_reversal(self.reason)
        revoked = self.confirmed_order([(self.storable, 1)], partner=self.customer)
        revoked.cancel_with_reversal(self.reason)
        revoked.revoke_cancel("Tour: cancelled by mistake")
        manager = self.company_user(
            "tour_analysis_manager", common.SALES_MANAGER_GROUPS, name="Tour Analysis Manager"
        )
        self.start_tour("/odoo/sales", "order_cancellation_analysis_tour", login=manager.login)
