def post_init_hook(env):
    """OCA's shipped reasons may have been created while the model lacked our fields (OCA
    installed after order_revoke_cancel): give them the defaults they would have had."""
    env.cr.execute(
        """UPDATE sale_order_cancel_reason
              SET active = COALESCE(active, true),
                  sequence = COALESCE(sequence, 10),
                  note_required = COALESCE(note_required, false)
            WHERE active IS NULL OR sequence IS NULL OR note_required IS NULL"""
    )
