"""18.0.1.1.0: two shipped records are `noupdate` and changed after the first release: the
customer confirmation mail template (only the customer's message, no internal description)
and the "Order terminated" cancel reason (archived, so nobody picks it for a manual cancel).
Databases installed before keep the old versions unless the update may rewrite them once:
let it (post-migrate makes them noupdate again)."""


def migrate(cr, version):
    cr.execute(
        """UPDATE ir_model_data SET noupdate = false
            WHERE module = 'order_termination'
              AND name IN ('mail_template_termination_confirmation',
                           'cancel_reason_order_terminated')"""
    )
