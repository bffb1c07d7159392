"""18.0.1.2.0: the two templates pre-migrate let the update rewrite are `noupdate` again, so
the users' own later changes to them are kept by the next updates."""


def migrate(cr, version):
    cr.execute(
        """UPDATE ir_model_data SET noupdate = true
            WHERE module = 'order_termination'
              AND name IN ('mail_template_termination_confirmation',
                           'mail_template_termination_outcome')"""
    )
