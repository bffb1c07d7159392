from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import TerminationCase


@tagged("post_install", "-at_install")
class TestTerminationOfLines(TerminationCase):
    """A termination request may end quantities of some lines: the thresholds read the amount
    terminated, the execution cancels those quantities, the order stays confirmed, and its
    revoke is for termination managers."""

    def approve(self, request, user=None):
        request.with_user(user or self.warehouse_approver).action_approve()

    def test_request_of_lines_reads_its_amount_and_cancels_the_quantities(self):
        order = self.delivered_and_invoiced(qty=20)  # 2,000: the finance step applies to all
        line = order.order_line
        whole = self.env["sale.termination.request"].new({"order_id": order.id})
        self.assertEqual(len(whole._get_applicable_steps()), 2, msg="whole order: both steps")

        request = self.request(order, user=self.manager, quantities={str(line.id): 3})
        self.assertEqual(request.line_ids.quantity, 3)
        self.assertEqual(request.amount_total, 300, msg="the amount terminated")
        self.assertEqual(
            request.approval_ids.step_id, self.step_wh, msg="300 is below the finance threshold"
        )
        self.assertEqual(order.termination_state, "pending", msg="the order is held meanwhile")
        with self.assertRaises(UserError):
            order.with_user(self.manager).cancel_lines({line.id: 1}, self.cancel_reason())

        self.approve(request)
        self.assertEqual(request.state, "done")
        cancellation = request.cancellation_id
        self.assertEqual(cancellation.scope, "lines")
        self.assertEqual(order.state, "sale", msg="the order carries on")
        self.assertFalse(order.termination_state)
        self.assertEqual(line.qty_cancelled, 3)
        self.assertEqual(cancellation.return_picking_ids.move_ids.product_uom_qty, 3)
        self.assertEqual(cancellation.credit_note_ids.amount_total, 300)
        self.assertEqual(line.qty_invoiced, 17)
        self.assertEqual(self.receivable(), 1700)

        revoker = self.company_user(
            "term_line_revoker",
            "sales_team.group_sale_salesman_all_leads,order_revoke_cancel.group_revoke_cancel",
        )
        with self.assertRaisesRegex(AccessError, order.name):
            cancellation.with_user(revoker).revoke("no")
        cancellation.with_user(self.manager).revoke("Customer keeps them after all.")
        self.assertEqual(request.state, "revoked")
        self.assertEqual(line.qty_cancelled, 0)
        self.assertEqual(line.qty_invoiced, 20)
        self.assertEqual(self.receivable(), 2000)

    def test_request_of_every_line_is_the_whole_order(self):
        order = self.confirmed_order(qty=5)
        request = self.request(order, quantities={order.order_line.id: 5})
        self.assertFalse(request.line_ids, msg="all of it: the whole order's termination")
        self.approve(request)
        self.assertEqual(order.state, "cancel")
        self.assertEqual(order.termination_state, "terminated")

    def test_quantities_are_checked_when_requested(self):
        order = self.confirmed_order(qty=5)
        with self.assertRaisesRegex(UserError, order.name):
            self.request(order, quantities={order.order_line.id: 6})
        self.assertFalse(order.termination_request_ids)

    def cancel_reason(self):
        return self.env.ref("order_revoke_cancel.cancel_reason_customer_request")

    def test_cancelling_the_last_open_line_closes_the_order(self):
        order = self.env["sale.order"].create(
            {
                "partner_id": self.partner_a.id,
                "order_line": [
                    Command.create(
                        {"product_id": self.storable.id, "product_uom_qty": 5, "price_unit": 100}
                    ),
                    Command.create(
                        {"product_id": self.storable.id, "product_uom_qty": 3, "price_unit": 80}
                    ),
                ],
            }
        )
        order.action_confirm()
        first, second = order.order_line
        manager = order.with_user(self.manager)
        close_reason = self.env.ref("order_termination.close_reason_short_close")
        manager.close_lines(first.ids, close_reason, note="No more of these.")
        self.assertTrue(first.is_closed)
        with self.assertRaisesRegex(UserError, "is closed"):
            manager.cancel_lines({first.id: 1}, self.cancel_reason())
        manager.cancel_lines({second.id: 3}, self.cancel_reason())
        self.assertEqual(order.state, "sale", msg="not cancelled: a line was closed")
        self.assertTrue(order.is_closed, msg="its last open line cancelled: the order closes")
        self.assertTrue(order.close_forced)

    def test_cancel_taken_off_the_pick_backorder_first(self):
        """Found by the soak: a two-step delivery picked in part (a ship of what was picked, a
        pick backorder for the rest). Odoo takes the cancelled quantity off the pick
        backorder, the first step; the ship of the goods already picked stays."""
        self.warehouse.delivery_steps = "pick_ship"
        order = self.confirmed_order(qty=7)
        pick_type, ship_type = self.warehouse.pick_type_id, self.warehouse.out_type_id
        self.validate(self.open_picking(order, pick_type), 3)
        backorder, ship = self.open_picking(order, pick_type), self.open_picking(order, ship_type)
        line = order.order_line
        impact = order.get_line_cancel_impact({line.id: 1})
        self.assertEqual(
            [(i["action"], i["res_id"], i["quantity"]) for i in impact],
            [("reduce_picking", backorder.id, 1.0)],
        )
        order.cancel_lines({line.id: 1}, self.cancel_reason())
        self.assertEqual(backorder.move_ids.product_uom_qty, 3)
        self.assertEqual(ship.move_ids.product_uom_qty, 3, msg="the goods picked still ship")

    # ---- the wizard and the customer's page ------------------------------------------------
    def test_wizard_requests_part_of_the_order_with_its_preview(self):
        """A salesman enters a quantity in Request Termination: the preview, the approvers
        and the request are those of that quantity; none entered is the whole order."""
        order = self.delivered_and_invoiced(qty=20)  # 2,000: the finance step applies to all
        action = order.with_user(self.requester).action_request_termination()
        wizard = (
            self.env[action["res_model"]]
            .with_user(self.requester)
            .with_context(**action["context"])
            .create({"reason_id": self.reason.id, "description": "Three are broken."})
        )
        self.assertEqual(wizard.line_ids.sale_line_id, order.order_line)
        whole_preview = str(wizard.impact_html)
        self.assertIn("20", whole_preview, msg="the whole order: 20 to return")
        self.assertIn(self.step_fin.name, str(wizard.approvers_html), msg="2,000: finance too")

        wizard.line_ids.quantity = 3

        preview = str(wizard.impact_html)
        self.assertIn("(3.00 units)", preview, msg="3 to return")
        self.assertNotIn("20.00 units", preview)
        self.assertIn("300.00", preview, msg="3 credited")
        self.assertNotIn(self.step_fin.name, str(wizard.approvers_html), msg="300: below")

        wizard.line_ids.quantity = 21
        self.assertIn(order.name, str(wizard.impact_html), msg="the refusal, in place")

        wizard.line_ids.quantity = 3
        action = wizard.action_confirm()
        request = self.env["sale.termination.request"].browse(action["res_id"])
        self.assertEqual(request.line_ids.quantity, 3)
        self.assertEqual(request.amount_total, 300)
        self.assertEqual(request.approval_ids.step_id, self.step_wh)

    def test_customer_preview_is_that_of_the_quantities(self):
        """The customer's page of a termination of lines says what ending those quantities
        does, not the whole order's."""
        order = self.confirmed_order(qty=10)
        request = self.request(
            order, reason=self.reason_confirm, quantities={order.order_line.id: 4}
        )
        lines = order._get_termination_impact_lines(
            customer=True, reason=request.reason_id, quantities=request._get_quantities()
        )
        delivery = order.picking_ids
        self.assertEqual(
            lines,
            [f"Delivery {delivery.name} is reduced by 4.00 units."],
            msg="the delivery is reduced, not cancelled",
        )
