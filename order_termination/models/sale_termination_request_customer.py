"""The customer's side of a request: their link (the page's token, carried by their own email
only), the emails they receive (confirmation, outcome, revoke), and their answer, given on
the portal with the token or recorded by a termination manager.

Apart because the token is a credential: everything that builds, sends or checks it is here.
"""

from markupsafe import Markup

from odoo import fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import consteq

from odoo.addons.order_revoke_cancel.tools import check_bool, check_one, check_text


class SaleTerminationRequestCustomer(models.Model):
    _inherit = "sale.termination.request"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    # Anyone holding the token answers for the customer: nobody reads it but the system
    # administrators (who read the database anyway). Staff record answers given by phone or
    # mail with action_record_customer_answer; the token only travels in the customer's email.
    access_token = fields.Char(groups="base.group_system")
    customer_response_date = fields.Datetime(readonly=True, copy=False)
    customer_comment = fields.Text(readonly=True, copy=False)

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    def _compute_access_url(self):  # pylint: disable=method-required-super
        # Replaces portal.mixin's placeholder URL.
        for request in self:
            request.access_url = f"/my/terminations/{request.id}"

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def get_portal_url(
        self, suffix=None, report_type=None, download=None, query_string=None, anchor=None
    ):
        """The page's address without the token: any reader of the request may call this
        (over RPC, or in a template rendered on the chatter), and the token lets whoever holds
        it answer in the customer's name. The customer's link is built by
        `_get_customer_answer_url` for their email only."""
        self.ensure_one()
        query = f"?{query_string.lstrip('&')}" if query_string else ""
        return f"{self.access_url}{suffix or ''}{query}{f'#{anchor}' if anchor else ''}"

    def customer_respond(self, accept, comment=None, access_token=None):
        """The customer's answer, as the portal sends it: a confirmation executes, a decline
        rejects. Whoever is logged in (or nobody), only the request's access token proves the
        answer is the customer's; the answer then runs with no right of the logged-in user:
        recorded in the customer's name, executed with the requester's authority."""
        check_one(self, "customer_respond")
        accept = check_bool(self, accept, "accept")
        comment = check_text(self, comment, "comment")
        if not self.env.user.share:
            # Staff answer in their own name (action_record_customer_answer), never in the
            # customer's, even holding the customer's link.
            raise AccessError(
                self.env._(
                    "You are signed in as staff: record the answer the customer gave you on "
                    "the termination of %s with Record Customer Answer instead.",
                    self.sudo().order_name,
                )
            )
        # Reading the token needs no right of the caller, and grants nothing by itself.
        request = self.sudo()
        if not (
            isinstance(access_token, str)
            and request.access_token
            and consteq(request.access_token, access_token)
        ):
            raise AccessError(
                self.env._(
                    "Only the customer, through the link they received, may answer on the "
                    "termination of %s; termination managers record an answer given by phone "
                    "or mail on the request.",
                    request.order_name,
                )
            )
        return request._record_customer_answer(
            accept, comment, author=request.partner_id, executor=request.user_id
        )

    def action_record_customer_answer(self, accept, comment):
        """A termination manager records the answer the customer gave by phone or mail; the
        manager is its author and, for a confirmation, executes the termination."""
        self.ensure_one()
        self._check_termination_manager(
            self.env._(
                "Only termination managers may record the customer's answer on the "
                "termination of %s.",
                self.order_name,
            )
        )
        if not (comment or "").strip():
            raise UserError(
                self.env._(
                    "Say how the customer answered on the termination of %s: a comment is "
                    "required.",
                    self.order_name,
                )
            )
        return self._record_customer_answer(
            accept, comment, author=self.env.user.partner_id, executor=self.env.user
        )

    def action_open_answer_wizard(self):
        self.ensure_one()
        return {
            "name": self.env._("Record Customer Answer"),
            "type": "ir.actions.act_window",
            "res_model": "sale.termination.answer.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_request_id": self.id},
        }

    def action_preview_portal(self):
        """The customer's page as staff see it: the preview route shows it to users who may
        read the request, with no token and no answer form."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_url",
            "url": f"{self.access_url}/preview",
            "target": "new",
        }

    # ------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------
    def _get_share_url(self, redirect=False, signup_partner=False, pid=None, share_token=True):
        """Never the token, the customer's signup token or the chatter hash derived from the
        token (`pid`): a share link (portal's Share wizard, previews) goes to staff too."""
        return super()._get_share_url(redirect=redirect, share_token=False)

    def _get_customer_answer_url(self):
        """The page with its token, as only the customer's email carries it."""
        self.ensure_one()
        # Superuser to read (or create) the token: it is handed to the customer's email only.
        # portal.mixin's URL with the token, which this model's get_portal_url leaves out.
        return super(SaleTerminationRequestCustomer, self.sudo()).get_portal_url()  # pylint: disable=super-method-mismatch

    def _notify_get_recipients_groups(self, message, model_description, msg_vals=None):
        """The customer's email (portal's `portal_customer` group, the customer only) carries
        their link as its button: rendered per recipient in the outgoing email, it is stored
        in no message body. While the request waits for them it is the answer page; then their
        order's page."""
        groups = super()._notify_get_recipients_groups(
            message, model_description, msg_vals=msg_vals
        )
        if not self:
            return groups
        self.ensure_one()
        request = self.sudo()
        if request.state == "to_confirm" and not request.customer_response:
            button = {
                "url": request._get_customer_answer_url(),
                "title": self.env._("Confirm or decline"),
            }
        else:
            button = {
                "url": request.order_id.get_portal_url(),
                "title": self.env._("View your order"),
            }
        for name, _predicate, options in groups:
            if name == "portal_customer":
                options["button_access"] = button
        return groups

    def _send_customer_confirmation(self):
        """Email the customer the portal link where they confirm or decline."""
        self.ensure_one()
        self._portal_ensure_token()
        template = self.env.ref("order_termination.mail_template_termination_confirmation")
        # The link is the email's button, rendered for the customer only (see
        # _notify_get_recipients_groups); the sent email is deleted, the message is kept.
        self.with_context(mail_post_autofollow=False).message_post_with_source(
            template,
            subtype_xmlid="mail.mt_comment",
            partner_ids=self.partner_id.ids,
            auto_delete=True,
        )

    def _send_customer_revoked(self):
        """Tell the customer that the termination was revoked, the way the outcome email
        reaches them: a template posted on the request to the customer only, with nothing
        internal (no note, no description)."""
        self.ensure_one()
        template = self.env.ref("order_termination.mail_template_termination_revoked")
        self.with_context(mail_post_autofollow=False).message_post_with_source(
            template,
            subtype_xmlid="mail.mt_comment",
            partner_ids=self.partner_id.ids,
        )

    def _send_customer_outcome(self):
        """Tell the customer who asked on the portal how their request ended, the way the
        confirmation email reaches them: a template posted on the request to the customer only.
        The template shows the customer's own message and the outcome, nothing internal."""
        self.ensure_one()
        template = self.env.ref("order_termination.mail_template_termination_outcome")
        self.with_context(mail_post_autofollow=False).message_post_with_source(
            template,
            subtype_xmlid="mail.mt_comment",
            partner_ids=self.partner_id.ids,
            auto_delete=True,
        )

    def _record_customer_answer(self, accept, comment, author, executor):
        """Record the answer (kept even if the execution then fails); return whether the
        request was terminated, declined, or neither (execution failed)."""
        self.ensure_one()
        self._lock_for_decision()
        if self.state != "to_confirm" or self.customer_response:
            raise UserError(
                self.env._(
                    "The termination of %s is not waiting for the customer's answer.",
                    self.order_name,
                )
            )
        # The caller proved the answer (token, or a termination manager's word). Its tracked
        # values are logged in the author's name, not the logged-in (often public) user's.
        self.sudo()._track_set_author(author)
        self.sudo().write(self._prepare_customer_answer_vals(accept, comment))
        self._post_customer_answer(accept, comment, author)
        if accept:
            # In the executor's environment: what the execution changes is tracked in its
            # name, not in the name of whoever sent the answer (the portal's public user).
            return self.with_user(executor)._execute_by(executor)
        self.with_user(executor)._finish("rejected", comment)
        return True

    def _prepare_customer_answer_vals(self, accept, comment):
        return {
            "customer_response": "confirmed" if accept else "declined",
            "customer_response_date": fields.Datetime.now(),
            "customer_comment": comment or False,
        }

    def _post_customer_answer(self, accept, comment, author):
        if accept:
            title = self.env._("The customer confirmed the termination of %s.", self.order_name)
        else:
            title = self.env._("The customer declined the termination of %s.", self.order_name)
        body = Markup("<p>%s</p>") % title
        if comment:
            body += Markup("<p>%s</p>") % comment
        # Posted in the author's name (the customer may have no user and no email address):
        # as superuser, on two documents whose rights the answer was already checked for.
        for record in (self.sudo(), self.sudo().order_id):
            record.message_post(body=body, author_id=author.id, subtype_xmlid="mail.mt_note")
