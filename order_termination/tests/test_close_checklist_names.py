from odoo import Command
from odoo.tests import tagged

from .common import TerminationCase


@tagged("post_install", "-at_install")
class TestCloseChecklistNames(TerminationCase):
    """The checklist names the products of its checks from one source, in the reader's
    language. Regression: in Chinese, "Not fully delivered" named the product in Chinese and
    "Still to invoice" by the line's English description, "[FURN_6667] Acoustic Bloc Screens
    (Wood)"."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.env["ir.module.module"].search(
            [("name", "in", ("order_revoke_cancel", "order_termination"))]
        )._update_translations(["zh_CN"])
        cls.screen = cls.env["product.product"].create(
            {
                "name": "Acoustic Screen",
                "default_code": "AS-1",
                "type": "consu",
                "is_storable": True,
                "list_price": 50.0,
                "taxes_id": [Command.clear()],
            }
        )
        cls.screen.with_context(lang="zh_CN").name = "声学屏风"
        cls.env["stock.quant"]._update_available_quantity(cls.screen, cls.stock_location, 100)

    def test_every_check_names_the_product_in_the_readers_language(self):
        order = self.confirmed_order(product=self.screen)
        order.order_line = [Command.create({"product_id": self.screen.id, "product_uom_qty": 1})]
        self.assertIn("Acoustic Screen", order.order_line[0].name, msg="an English description")
        checks = {
            c["code"]: c["detail"]
            for c in order.with_user(self.manager).with_context(lang="zh_CN").get_close_checklist()
        }
        colon = "\N{FULLWIDTH COLON}"
        self.assertEqual(checks["delivered"], f"未全部交货{colon}[AS-1] 声学屏风", msg="each once")
        self.assertEqual(checks["invoiced"], f"仍待开票{colon}[AS-1] 声学屏风", msg="the same name")
        english = {
            c["code"]: c["detail"]
            for c in order.with_user(self.manager).with_context(lang="en_US").get_close_checklist()
        }
        self.assertEqual(english["delivered"], "Not fully delivered: [AS-1] Acoustic Screen")
        self.assertEqual(english["invoiced"], "Still to invoice: [AS-1] Acoustic Screen")
