"""Browser scenario of a cancellation of lines and its revoke (see test_ui_tours.py)."""

from odoo.tests import tagged

from odoo.addons.order_revoke_cancel.tests import common

from .test_ui_tours import ScreenshotTourCase


@tagged("post_install", "-at_install")
class TestCancelLinesTour(common.OrderEndOfLifeCase, ScreenshotTourCase):
    """A sales manager cancels part of two lines of an order, then revokes it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tour_user = cls.company_user(
            "tour_lines_manager", common.SALES_MANAGER_GROUPS, name="Tour Lines Manager"
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "Tour Lines Customer", "email": "tour.lines@example.com"}
        )

    def test_cancel_two_lines_then_revoke_in_browser(self):
        order = self.confirmed_order(
            [(self.storable, 10), (self.service, 2)],
            partner=self.customer,
            user_id=self.tour_user.id,
        )
        chairs = order.order_line.filtered(lambda line: line.product_id == self.storable)
        service = order.order_line - chairs

        self.start_tour("/odoo/sales", "order_cancel_lines_tour", login=self.tour_user.login)

        self.env.invalidate_all()
        self.assertEqual(order.state, "sale")
        cancellation = order.cancellation_ids
        self.assertEqual(len(cancellation), 1)
        self.assertRecordValues(
            cancellation,
            [
                {
                    "scope": "lines",
                    "state": "revoked",
                    "revoke_note": "The customer wants them after all",
                }
            ],
        )
        self.assertEqual(
            {snapshot.sale_line_id: snapshot.qty_cancelled for snapshot in cancellation.line_ids},
            {chairs: 3, service: 1},
        )
        self.assertEqual((chairs.qty_cancelled, service.qty_cancelled), (0, 0))
        open_moves = order.picking_ids.move_ids.filtered(
            lambda m: m.state not in ("done", "cancel")
        )
        self.assertEqual(sum(open_moves.mapped("product_uom_qty")), 10, msg="all 10 to deliver")
