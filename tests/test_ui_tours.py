"""Browser scenarios: what a user clicks through, run in Chromium by `bin/run-tests`."""

from odoo.tests import HttpCase, tagged

from odoo.addons.order_revoke_cancel.tests import common


@tagged("post_install", "-at_install")
class TestOrderRevokeCancelTour(common.OrderEndOfLifeCase, HttpCase):
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


@tagged("post_install", "-at_install")
class TestOrderTerminationTour(common.OrderEndOfLifeCase, HttpCase):
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
