"""18.0.1.2.0: the two customer mail templates no longer put the customer's link in their
body (the body is stored on the request's chatter, which staff read): the link is the email's
button, rendered for the customer only. Both are `noupdate`: let the update rewrite them once
(post-migrate makes them noupdate again)."""


def migrate(cr, version):
    cr.execute(
        """UPDATE ir_model_data SET noupdate = false
            WHERE module = 'order_termination'
              AND name IN ('mail_template_termination_confirmation',
                           'mail_template_termination_outcome')"""
    )
