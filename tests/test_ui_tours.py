"""Browser scenarios: what a user clicks through, run in Chromium by `bin/run-tests`.

`bin/screenshots` runs the same tours with ORDER_ADDONS_SCREENSHOTS set to a folder: their
`screenshot()` steps (order_revoke_cancel/static/tests/tours/screenshot.js) then save the
pictures of the documentation there, so the pictures always show the current screens.
"""

import base64
import json
import os
import pathlib
from unittest.mock import patch

from odoo.tests import HttpCase, tagged
from odoo.tests.common import ChromeBrowser

from odoo.addons.order_revoke_cancel.tests import common

SCREENSHOTS_ENV = "ORDER_ADDONS_SCREENSHOTS"
SCREENSHOT_SIGNAL = "order_addons_screenshot "


class ScreenshotTourCase(HttpCase):
    """Tours whose `screenshot()` steps save pictures when ORDER_ADDONS_SCREENSHOTS is set."""

    def start_tour(self, url_path, tour_name, step_delay=None, **kwargs):
        folder = os.environ.get(SCREENSHOTS_ENV)
        if not folder:
            return super().start_tour(url_path, tour_name, step_delay=step_delay, **kwargs)
        folder = pathlib.Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        handle_console = ChromeBrowser._handle_console

        def handle_console_with_screenshots(browser, type, args=None, stackTrace=None, **kw):  # pylint: disable=redefined-builtin
            first = browser._from_remoteobject(args[0]) if args else ""
            if type == "log" and isinstance(first, str) and first.startswith(SCREENSHOT_SIGNAL):
                _capture(browser, folder, json.loads(first[len(SCREENSHOT_SIGNAL) :]))
            return handle_console(browser, type, args=args, stackTrace=stackTrace, **kw)

        kwargs["cookies"] = {**kwargs.get("cookies", {}), "order_addons_screenshots": "1"}
        with patch.object(ChromeBrowser, "_handle_console", handle_console_with_screenshots):
            return super().start_tour(url_path, tour_name, step_delay=step_delay, **kwargs)


def _capture(browser, folder, request):
    """Capture the requested part of the page, then let the waiting tour step go on."""
    name = request["name"]

    def save(future):
        png = base64.b64decode(future.result()["data"])
        (folder / f"{name}.png").write_bytes(png)
        browser._websocket_send(
            "Runtime.evaluate",
            params={"expression": f"window.orderAddonsScreenshotTaken = {json.dumps(name)}"},
        )

    params = {"format": "png", "clip": request["clip"]}
    browser._websocket_send(
        "Page.captureScreenshot", params=params, with_future=True
    ).add_done_callback(save)


@tagged("post_install", "-at_install")
class TestOrderRevokeCancelTour(common.OrderEndOfLifeCase, ScreenshotTourCase):
    """A sales manager cancels a delivered and invoiced order, then revokes it, in the browser."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tour_user = cls.company_user(
            "tour_revoke_manager", common.SALES_MANAGER_GROUPS, name="Tour Revoke Manager"
        )
        cls.customer = cls.env["res.partner"].create(
            # An email, or the wizard's native recipients widget asks for one in a popup.
            {"name": "Tour Revoke Customer", "email": "tour.customer@example.com"}
        )

    def delivered_and_invoiced_order_of_tour_user(self):
        order = self.confirmed_order(
            [(self.storable, 5)], partner=self.customer, user_id=self.tour_user.id
        )
        self.deliver(order)
        self.invoice(order)
        return order

    def test_cancel_with_reversal_then_revoke_in_browser(self):
        order = self.delivered_and_invoiced_order_of_tour_user()
        self.assertTrue(
            self.tour_user.has_group("order_revoke_cancel.group_cancel_reversal"),
            msg="the tour user may cancel with reversal (implied by sales manager)",
        )

        self.start_tour("/odoo/sales", "order_revoke_cancel_tour", login=self.tour_user.login)

        self.env.invalidate_all()
        self.assertEqual(order.state, "sale", msg="the order is confirmed again after revoke")
        cancellation = order.cancellation_ids
        self.assertEqual(len(cancellation), 1, msg="one cancellation was recorded")
        self.assertRecordValues(
            cancellation,
            [
                {
                    "state": "revoked",
                    "reason_id": self.reason.id,
                    "note": "The customer changed their mind",
                    "user_id": self.tour_user.id,
                    "revoke_user_id": self.tour_user.id,
                    "revoke_note": "The customer called back",
                }
            ],
        )
        self.assertEqual(
            self.quantities(order), [(5, 5)], msg="delivered and invoiced as before the cancel"
        )

    def test_mass_cancel_reports_each_order_in_browser(self):
        customer = self.env["res.partner"].create({"name": "Tour Mass Customer"})
        orders = self.create_order(partner=customer, user_id=self.tour_user.id) | (
            self.create_order(partner=customer, user_id=self.tour_user.id)
        )

        self.start_tour("/odoo/sales", "order_mass_cancel_tour", login=self.tour_user.login)

        self.env.invalidate_all()
        self.assertEqual(orders.mapped("state"), ["cancel", "cancel"], msg="both cancelled")
        self.assertEqual(
            orders.cancellation_ids.reason_id,
            self.env.ref("order_revoke_cancel.cancel_reason_duplicate"),
            msg="with the reason chosen in the wizard",
        )


@tagged("post_install", "-at_install")
class TestOrderTerminationTour(common.OrderEndOfLifeCase, ScreenshotTourCase):
    """Termination through two approval steps, and closing, clicked through by each role."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.warehouse_approvers = cls.env["res.groups"].create({"name": "Tour warehouse approvers"})
        cls.requester = cls.company_user(
            "tour_requester", common.SALESMAN_GROUPS, name="Tour Requester"
        )
        cls.sales_approver = cls.company_user(
            "tour_sales_approver", common.SALES_MANAGER_GROUPS, name="Tour Sales Approver"
        )
        cls.warehouse_approver = cls.company_user(
            "tour_warehouse_approver", "stock.group_stock_user", name="Tour Warehouse Approver"
        )
        cls.warehouse_approvers.users = cls.warehouse_approver
        cls.env["sale.termination.approval.step"].search([]).action_archive()
        cls.env["sale.termination.approval.step"].create(
            [
                {
                    "name": "Sales approval",
                    "sequence": 10,
                    "group_id": cls.env.ref("sales_team.group_sale_manager").id,
                    "company_id": cls.company.id,
                },
                {
                    "name": "Warehouse approval",
                    "sequence": 20,
                    "group_id": cls.warehouse_approvers.id,
                    "company_id": cls.company.id,
                },
            ]
        )
        cls.termination_reason = cls.env["sale.termination.reason"].create(
            {"name": "Tour: project stopped", "customer_confirmation": False}
        )

    def customer(self, name):
        # An email, so that no mail-related widget asks for one.
        return self.env["res.partner"].create({"name": name, "email": "tour@example.com"})

    def test_request_and_two_approvals_terminate_order_in_browser(self):
        order = self.confirmed_order(
            [(self.storable, 5)],
            partner=self.customer("Tour Termination Customer"),
            user_id=self.requester.id,
        )
        self.deliver(order)
        self.invoice(order)

        self.start_tour("/odoo/sales", "order_termination_request_tour", login="tour_requester")
        self.env.invalidate_all()
        request = order.termination_request_ids
        self.assertEqual(len(request), 1, msg="the requester's wizard created one request")
        self.assertEqual(request.state, "to_approve", msg="the request waits for approval")

        self.start_tour(
            f"/odoo/sales/{order.id}",
            "order_termination_first_approval_tour",
            login="tour_sales_approver",
        )
        self.start_tour(
            f"/odoo/action-order_termination.action_sale_termination_request/{request.id}",
            "order_termination_final_approval_tour",
            login="tour_warehouse_approver",
        )

        self.env.invalidate_all()
        self.assertEqual(request.state, "done", msg="approved by both steps: executed")
        self.assertEqual(
            request.approval_ids.sorted("sequence").mapped("reviewer_id"),
            self.sales_approver + self.warehouse_approver,
            msg="each step records its approver",
        )
        self.assertEqual(order.state, "cancel", msg="the order is terminated (cancelled)")
        self.assertEqual(order.termination_state, "terminated", msg="and shown as terminated")
        self.assertTrue(
            request.cancellation_id.return_picking_ids, msg="the delivery is being returned"
        )
        self.assertTrue(request.cancellation_id.credit_note_ids, msg="the invoice is credited")

    def test_close_with_checklist_then_reopen_in_browser(self):
        order = self.confirmed_order(
            [(self.storable, 2)], partner=self.customer("Tour Closing Customer")
        )
        self.deliver(order)
        self.pay(self.invoice(order))

        self.start_tour(
            f"/odoo/sales/{order.id}", "order_close_reopen_tour", login="tour_sales_approver"
        )

        self.env.invalidate_all()
        self.assertFalse(order.is_closed, msg="reopened after being closed")
        self.assertEqual(order.state, "sale", msg="still a confirmed order")
        messages = order.message_ids.mapped("body")
        self.assertTrue(
            any("Everything delivered and paid" in str(body) for body in messages),
            msg="the close note was logged on the order",
        )

    def test_mass_close_reports_each_order_in_browser(self):
        settled = self.confirmed_order(
            [(self.storable, 2)],
            partner=self.customer("Tour Settled Customer"),
            user_id=self.sales_approver.id,
        )
        self.deliver(settled)
        self.pay(self.invoice(settled))
        undelivered = self.confirmed_order(
            [(self.storable, 2)],
            partner=self.customer("Tour Open Customer"),
            user_id=self.sales_approver.id,
        )

        self.start_tour("/odoo/sales", "order_mass_close_tour", login="tour_sales_approver")

        self.env.invalidate_all()
        self.assertTrue(settled.is_closed, msg="the settled order is closed")
        self.assertFalse(undelivered.is_closed, msg="the undelivered one is skipped")

    def test_place_and_release_hold_in_browser(self):
        order = self.confirmed_order(
            [(self.storable, 2)],
            partner=self.customer("Tour Hold Customer"),
            user_id=self.requester.id,
        )
        self.start_tour(f"/odoo/sales/{order.id}", "order_hold_tour", login="tour_requester")
        self.env.invalidate_all()
        self.assertFalse(order.hold_reason_id, msg="placed, then released")
        bodies = "".join(str(body) for body in order.message_ids.mapped("body"))
        self.assertIn("The customer contests the price", bodies)
        self.assertIn("Agreed on the price", bodies)

    def test_customer_portal_page_in_browser(self):
        self.env["sale.termination.approval.step"].search([]).action_archive()
        order = self.confirmed_order(
            [(self.storable, 2)], partner=self.customer("Tour Portal Customer")
        )
        reason = self.env["sale.termination.reason"].create(
            {"name": "Tour: customer must agree", "customer_confirmation": True}
        )
        request = order.request_termination(reason, "The customer's project was stopped")
        self.assertEqual(request.state, "to_confirm", msg="the request waits for the customer")

        self.start_tour(
            f"/my/terminations/{request.id}?access_token={request.access_token}",
            "order_termination_portal_tour",
        )

    def test_every_menu_and_setting_reachable_by_clicking(self):
        self.start_tour("/odoo", "order_addons_menus_tour", login="admin")
