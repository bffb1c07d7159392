from odoo.tests import Form, tagged

from .common import TerminationCase


@tagged("post_install", "-at_install")
class TestCloseWizard(TerminationCase):
    """The close button as users see it: the checklist and, for managers, the force option."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.close_reason = cls.env.ref("order_termination.close_reason_completed")

    def _open_close_wizard(self, order, user):
        action = order.with_user(user).action_close_order()
        return Form.from_action(self.env(user=user), action)

    def test_manager_is_offered_force_when_checks_fail(self):
        order = self.confirmed_order()

        wizard = self._open_close_wizard(order, self.manager)

        self.assertTrue(wizard.can_force, msg="a manager may force a short close")

    def test_manager_forces_short_close_from_the_wizard(self):
        order = self.confirmed_order()
        wizard = self._open_close_wizard(order, self.manager)
        wizard.force = True
        wizard.reason_id = self.close_reason

        wizard.save().action_close()

        self.assertTrue(order.is_closed, msg="the order is closed")
        self.assertEqual(order.state, "sale", msg="and stays a sales order")
        self.assertEqual(
            set(order.picking_ids.mapped("state")), {"cancel"}, msg="open deliveries cancelled"
        )
