"""Notifications: chatter subtypes, the customer's and the team's messages and the
activities of a cancellation and of its revoke."""

from markupsafe import Markup

from odoo import models


class SaleOrderNotify(models.Model):
    _inherit = "sale.order"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------
    # Notifications
    # ------------------------------------------------------------------
    def _track_subtype(self, init_values):
        """A revoke restores the state: core would log it as "Quotation confirmed" or
        "Quotation sent". Log it as a plain status change; the revoke posts its own note."""
        self.ensure_one()
        if init_values.get("state") == "cancel" and self.state in ("sent", "sale"):
            return self.env.ref("mail.mt_note")
        return super()._track_subtype(init_values)

    def _notify_cancellation_change(self, cancellation, revoked=False):
        self.ensure_one()
        if revoked:
            title = self.env._("Cancellation revoked.")
            note = cancellation.revoke_note
        elif cancellation.scope == "lines":
            title = self.env._("Lines cancelled. Reason: %s", cancellation.reason_id.name or "-")
            note = cancellation.note
        else:
            title = self.env._("Order cancelled. Reason: %s", cancellation.reason_id.name or "-")
            note = cancellation.note
        body = Markup("<p>%s</p>") % title
        if cancellation.scope == "lines":
            body += cancellation._message_lines()
        if note:
            body += Markup("<p>%s</p>") % note
        fee_message = not revoked and cancellation._get_fee_message()
        if fee_message:
            body += Markup("<p>%s</p>") % fee_message
        body += cancellation._message_summary(revoked=revoked)
        self.message_post(body=body, subtype_xmlid="mail.mt_note")
        self._schedule_cancel_activities(title, revoked)

    def _schedule_cancel_activities(self, summary, revoked):
        users = self.company_id.cancel_notify_group_ids.users.filtered(
            lambda u: not u.share and u.active
        )
        xmlid = (
            "order_revoke_cancel.mail_activity_order_revoked"
            if revoked
            else "order_revoke_cancel.mail_activity_order_cancelled"
        )
        for user in users:
            self.activity_schedule(xmlid, user_id=user.id, summary=summary)
