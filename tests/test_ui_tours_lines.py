"""Browser scenarios of ending part of an order: cancel lines and revoke, close lines and reopen,
and the line wizards in Chinese (see test_ui_tours.py)."""

from odoo.tests import tagged

from odoo.addons.order_revoke_cancel.tests import common

from .test_ui_tours import ScreenshotTourCase

# The modules whose screens the line tours show.
SCREEN_MODULES = (
    "base",
    "web",
    "mail",
    "sale",
    "sale_stock",
    "stock",
    "account",
    "order_revoke_cancel",
    "order_termination",
)


class LineTourCase(common.OrderEndOfLifeCase, ScreenshotTourCase):
    """A sales manager in the language `lang`, and the order of the line tours: 10 office
    chairs and 2 installations whose salesperson is that manager."""

    lang = "en_US"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if cls.lang != "en_US":
            cls.env["res.lang"]._activate_lang(cls.lang)
            # The terms of the screens the tours show (code terms are read from the files).
            cls.env["ir.module.module"]._load_module_terms(list(SCREEN_MODULES), [cls.lang])
        cls.tour_user = cls.company_user(
            f"tour_lines_manager_{cls.lang}",
            common.SALES_MANAGER_GROUPS,
            name="Tour Lines Manager",
            lang=cls.lang,
        )

    def chairs_and_installation(self, customer=None):
        partner = None
        if customer:
            # An email, or the wizards' native recipients widget asks for one in a popup.
            partner = self.env["res.partner"].create({"name": customer, "email": "t@example.com"})
        return self.confirmed_order(
            [(self.storable, 10), (self.service, 2)], partner=partner, user_id=self.tour_user.id
        )


@tagged("post_install", "-at_install")
class TestLineTours(LineTourCase):
    """Cancel part of two lines and revoke it; close a line short and reopen it."""

    def test_cancel_two_lines_then_revoke_in_browser(self):
        order = self.chairs_and_installation("Tour Lines Customer")
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

    def test_close_a_line_then_reopen_in_browser(self):
        order = self.chairs_and_installation("Tour Close Lines Customer")
        invoice = self.invoice(order)
        self.deliver(order, qty=4)
        chairs = order.order_line.filtered(lambda line: line.product_id == self.storable)
        backorder = order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        self.assertEqual(backorder.move_ids.product_uom_qty, 6, msg="6 chairs to deliver")

        self.start_tour("/odoo/sales", "order_close_lines_tour", login=self.tour_user.login)

        self.env.invalidate_all()
        self.assertFalse(chairs.is_closed, msg="reopened at the end")
        self.assertEqual(order.state, "sale")
        self.assertFalse(order.is_closed)
        credit_note = order.invoice_ids.filtered(lambda m: m.move_type == "out_refund")
        self.assertEqual(len(credit_note), 1, msg="the close credited the 6 chairs")
        self.assertEqual(credit_note.reversed_entry_id, invoice)
        self.assertEqual(chairs.qty_invoiced, 10, msg="the reopen billed them again")
        open_moves = chairs.move_ids.filtered(lambda m: m.state not in ("done", "cancel"))
        self.assertEqual(sum(open_moves.mapped("product_uom_qty")), 6, msg="6 to deliver again")
        bodies = " ".join(order.message_ids.mapped("body"))
        self.assertIn("The customer needs no more chairs.", bodies, msg="the close's note")
        self.assertIn("The customer takes the chairs after all", bodies, msg="the reopen's note")


@tagged("post_install", "-at_install")
class TestLinesChineseTour(LineTourCase):
    """The line wizards as a Chinese-speaking manager sees them: views and code translated."""

    lang = "zh_CN"

    def test_line_wizards_in_chinese(self):
        order = self.chairs_and_installation()
        self.invoice(order)
        self.deliver(order, qty=4)

        self.start_tour(
            f"/odoo/sales/{order.id}", "order_lines_zh_tour", login=self.tour_user.login
        )

        self.env.invalidate_all()
        self.assertFalse(order.cancellation_ids, msg="the tour only looked")
        self.assertFalse(order.order_line.filtered("is_closed"))
