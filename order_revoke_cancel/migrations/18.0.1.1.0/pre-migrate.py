"""18.0.1.1.0: the cancel reason model takes OCA's name, `sale.order.cancel.reason`, so that
this addon installs next to OCA's sale_cancel_reason (both put `cancel_reason_id` on the order).

Renamed in place before the registry loads: the table, the model and its fields, their
external ids, and every reference by model name. The reasons, and the orders and cancellation
records pointing to them, keep their ids."""

OLD, NEW = "sale.cancel.reason", "sale.order.cancel.reason"
OLD_TABLE, NEW_TABLE = "sale_cancel_reason", "sale_order_cancel_reason"


def migrate(cr, version):
    cr.execute("SELECT to_regclass(%s), to_regclass(%s)", (OLD_TABLE, NEW_TABLE))
    old_table, new_table = cr.fetchone()
    if not old_table:
        return
    if new_table:
        # OCA's sale_cancel_reason was installed meanwhile: it has the name; keep its rows
        # apart is not possible without a merge, so refuse loudly rather than lose reasons.
        raise RuntimeError(
            "Both sale_cancel_reason and sale_order_cancel_reason tables exist: upgrade "
            "order_revoke_cancel before installing OCA's sale_cancel_reason."
        )
    cr.execute(f'ALTER TABLE "{OLD_TABLE}" RENAME TO "{NEW_TABLE}"')
    cr.execute(f'ALTER SEQUENCE IF EXISTS "{OLD_TABLE}_id_seq" RENAME TO "{NEW_TABLE}_id_seq"')
    cr.execute("UPDATE ir_model SET model = %s WHERE model = %s", (NEW, OLD))
    cr.execute("UPDATE ir_model_fields SET model = %s WHERE model = %s", (NEW, OLD))
    cr.execute("UPDATE ir_model_fields SET relation = %s WHERE relation = %s", (NEW, OLD))
    cr.execute("UPDATE ir_model_data SET model = %s WHERE model = %s", (NEW, OLD))
    cr.execute(
        """UPDATE ir_model_data SET name = 'model_sale_order_cancel_reason'
            WHERE module = 'order_revoke_cancel' AND name = 'model_sale_cancel_reason'"""
    )
    cr.execute(
        """UPDATE ir_model_data SET name = replace(name, %s, %s)
            WHERE model = 'ir.model.fields' AND name LIKE %s""",
        (
            "field_sale_cancel_reason__",
            "field_sale_order_cancel_reason__",
            r"field_sale_cancel_reason\_\_%",
        ),
    )
    for table, column in (
        ("ir_attachment", "res_model"),
        ("mail_message", "model"),
        ("mail_followers", "res_model"),
        ("mail_activity", "res_model"),
        ("ir_act_window", "res_model"),
        ("ir_ui_view", "model"),
        ("ir_filters", "model_id"),
    ):
        cr.execute(f'UPDATE "{table}" SET "{column}" = %s WHERE "{column}" = %s', (NEW, OLD))
