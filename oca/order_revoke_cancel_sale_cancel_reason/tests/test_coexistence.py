from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from odoo.addons.order_revoke_cancel.tests.common import OrderEndOfLifeCase


@tagged("post_install", "-at_install")
class TestSaleCancelReasonCoexistence(OrderEndOfLifeCase):
    """Installed next to OCA's sale_cancel_reason: one reason model, one reason per wizard,
    and cancelling with reversal works as without it."""

    def test_one_model_with_every_field(self):
        oca_reason = self.env.ref("sale_cancel_reason.cancel_reason_other_provider")
        self.assertEqual(oca_reason._name, "sale.order.cancel.reason", msg="OCA's reasons are ours")
        self.assertEqual(self.reason._name, "sale.order.cancel.reason", msg="and ours theirs")
        for field in ("name", "sequence", "active", "note_required", "company_id"):
            self.assertIn(field, oca_reason._fields, msg=f"the contract's field {field} is there")
        self.assertTrue(oca_reason.active, msg="OCA's shipped reasons are active")
        field = self.env["sale.order"]._fields["cancel_reason_id"]
        self.assertEqual(field.comodel_name, "sale.order.cancel.reason", msg="one order field")

    def test_manager_cancels_delivered_order_through_the_wizard(self):
        order = self.delivered_and_invoiced_order()
        stock_before = self.on_hand(self.stock_location)

        action = order.with_user(self.sales_manager).action_cancel()
        wizard_form = Form.from_action(self.env(user=self.sales_manager), action)
        wizard_form.cancel_reason_id = self.env.ref(
            "sale_cancel_reason.cancel_reason_no_service_needed"
        )
        wizard_form.receive_returns = True
        wizard = wizard_form.save()
        self.assertEqual(wizard.reason_id, wizard.cancel_reason_id, msg="OCA's field follows ours")
        wizard.action_cancel()

        self.assertEqual(order.state, "cancel", msg="cancelled")
        self.assertEqual(
            order.cancel_reason_id,
            self.env.ref("sale_cancel_reason.cancel_reason_no_service_needed"),
            msg="with OCA's reason, which is a reason of ours",
        )
        self.assertEqual(order.cancellation_ids.reason_id, order.cancel_reason_id, msg="recorded")
        self.assertEqual(self.quantities(order), [(0, 0)], msg="returned and credited")
        self.assertEqual(self.on_hand(self.stock_location), stock_before + 5, msg="back in stock")
        self.assertEqual(self.receivable(), 0, msg="nothing owed")

    def test_salesman_cancels_quotation_and_mass_cancels(self):
        quotation = self.create_order(user_id=self.salesman.id)
        other = self.create_order(user_id=self.salesman.id)
        quotation.with_user(self.salesman).cancel_with_reversal(self.reason.id)
        oca_reason = self.env.ref("sale_cancel_reason.cancel_reason_only_quotation")
        self.assertEqual(quotation.state, "cancel", msg="a salesman cancels his quotation")

        wizard = (
            self.env["sale.mass.cancel.orders"]
            .with_user(self.salesman)
            .with_context(active_model="sale.order", active_ids=other.ids)
            .create({"cancel_reason_id": oca_reason.id})
        )
        wizard.action_mass_cancel()
        self.assertEqual(other.state, "cancel", msg=f"mass cancel with one reason: {wizard.result}")
        self.assertEqual(other.cancel_reason_id, oca_reason, msg="and records it")

    def test_revoke_after_cancel_restores_order(self):
        order = self.delivered_and_invoiced_order()
        order.with_user(self.sales_manager).cancel_with_reversal(self.reason, receive_returns=True)
        order.with_user(self.sales_manager).revoke_cancel()
        self.assertEqual(order.state, "sale", msg="revoked")
        self.assertEqual(self.receivable(), 500, msg="the customer owes the order again")

    def test_set_to_quotation_still_refused_after_reversal(self):
        order = self.delivered_and_invoiced_order()
        order.with_user(self.sales_manager).cancel_with_reversal(self.reason)
        with self.assertRaises(UserError):
            order.with_user(self.sales_manager).action_draft()

    def test_views_show_one_reason(self):
        order = self.delivered_and_invoiced_order()
        action = order.action_cancel()
        view = self.env["sale.order.cancel"].get_view(action["view_id"], "form")
        self.assertIn('name="reason_id"', view["arch"], msg="OCA's field is in the view")
        self.assertRegex(
            view["arch"], r'name="reason_id"[^>]*invisible="(1|True)"', msg="but hidden"
        )
        self.assertFalse(
            self.env.ref("sale_cancel_reason.menu_sale_order_cancel_reason").active,
            msg="one reason menu",
        )
