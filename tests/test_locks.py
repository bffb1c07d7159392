"""The row lock taken before deciding on an order or a request: a second transaction is refused
at once with a clear message, and its own transaction stays usable (the race test in
bin/run-races checks the same over a real server with concurrent calls)."""

from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged

from odoo.addons.order_revoke_cancel.tools import lock_for_update


@tagged("post_install", "-at_install")
class TestLockForUpdate(TransactionCase):
    def test_row_locked_by_another_transaction_is_refused_with_a_clear_message(self):
        # A committed row (the company's partner), locked by another connection: a colleague
        # in the middle of changing it.
        partner = self.env.ref("base.main_partner")
        with self.registry.cursor() as other:
            other.execute("SELECT id FROM res_partner WHERE id = %s FOR UPDATE", [partner.id])

            with self.assertRaises(UserError, msg="the second one is refused at once") as caught:
                lock_for_update(partner)

            other.rollback()
        self.assertIn(partner.display_name, str(caught.exception), msg="the message names it")
        self.assertIn(
            "try again", str(caught.exception), msg="the message says what to do: try again"
        )
        # The refused lock ran in a savepoint: this transaction goes on normally.
        self.assertTrue(partner.with_context(prefetch_fields=False).read(["name"]))
        lock_for_update(partner)  # free again: taken without error

    def test_nothing_to_lock(self):
        lock_for_update(self.env["sale.order"])  # no query, no error
