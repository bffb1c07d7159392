"""Small helpers shared by the engine's models and wizards and by order_termination: input
checks of RPC arguments, row locks, reconciliation, picking demand. The call scope is in
`tools.call_scope`."""

import math

import psycopg2.errors

from odoo import models
from odoo.exceptions import UserError
from odoo.tools import SQL
from odoo.tools.misc import formatLang


def picking_demand(picking):
    """Total demand of a picking's live moves."""
    return sum(picking.move_ids.filtered(lambda m: m.state != "cancel").mapped("product_uom_qty"))


def format_quantity(env, quantity, uom=None):
    """`quantity` as the user reads it in a sentence, as core formats quantities in messages
    (`formatLang`, the user's language separators): with the digits of the unit's rounding
    (a unit rounded to 1 shows "4", to 0.01 "4.00"), else of "Product Unit of Measure"."""
    if uom and uom.rounding:
        digits = max(0, math.ceil(-math.log10(uom.rounding) - 1e-9))
        return formatLang(env, quantity, digits=digits)
    return formatLang(env, quantity, dp="Product Unit of Measure")


def reconcile_receivables(moves):
    """Reconcile what is still open on the receivable lines of `moves` with each other."""
    lines = moves.line_ids.filtered(
        lambda line: line.account_id.account_type == "asset_receivable" and not line.reconciled
    )
    if any(line.balance > 0 for line in lines) and any(line.balance < 0 for line in lines):
        lines.reconcile()


def reconcile_receivables_each(groups):
    """`reconcile_receivables` on each recordset of moves in `groups`, each group on its own
    (one customer's documents) but in one pass of Odoo's reconciliation for all of them."""
    plans = []
    for moves in groups:
        lines = moves.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable" and not line.reconciled
        )
        if any(line.balance > 0 for line in lines) and any(line.balance < 0 for line in lines):
            plans.append(lines)
    if plans:
        plans[0].browse()._reconcile_plan(plans)


# ----------------------------------------------------------------------
# Validation of what RPC clients send to the public methods
# ----------------------------------------------------------------------
# Every public method is an RPC endpoint: its arguments are user input. These helpers turn a
# wrong type, an unknown id or an unusable record into one clear UserError naming the orders,
# before anything is written (never a TypeError, a psycopg2 error or a silent bool("false")).


def _names(records):
    return ", ".join(records.mapped("display_name")) or "-"


def _model_label(env, model_name):
    """The model's name as the user reads it (translated description)."""
    return env["ir.model"]._get(model_name).name or model_name


def resolve_record(records, model_name, value, argument, required=True):
    """The `model_name` record that `value` (a record or an integer id) designates for the
    `records` (orders or requests), checked: it exists, is active, and is shared or of every
    record's company. Empty recordset when not `required` and no value is given."""
    env = records.env
    Model = env[model_name]
    label = _model_label(env, model_name)
    if isinstance(value, models.BaseModel) and value._name == model_name and len(value) <= 1:
        record_id = value.id
    elif isinstance(value, int) and not isinstance(value, bool):
        record_id = value
    elif value is None or value is False:
        record_id = False
    else:
        raise UserError(
            env._(
                "The argument %(argument)s of %(records)s must be a %(model)s or its id, "
                "not %(value)s.",
                argument=argument,
                records=_names(records),
                model=label,
                value=repr(value)[:80],
            )
        )
    if not record_id:
        if required:
            raise UserError(
                env._(
                    "Choose a %(model)s (argument %(argument)s) for %(records)s.",
                    model=label,
                    argument=argument,
                    records=_names(records),
                )
            )
        return Model
    # Reading existence, active and company as superuser only decides which message to show;
    # the record is returned in the caller's environment.
    record_sudo = Model.sudo().with_context(active_test=False).browse(record_id).exists()
    if not record_sudo:
        raise UserError(
            env._(
                "There is no %(model)s with id %(id)s: choose an existing one for %(records)s.",
                model=label,
                id=record_id,
                records=_names(records),
            )
        )
    if "company_id" in Model._fields and record_sudo.company_id:
        foreign = records.company_id - record_sudo.company_id
        if foreign:
            raise UserError(
                env._(
                    "The %(model)s with id %(id)s belongs to another company: choose one of "
                    "%(company)s or a shared one for %(records)s.",
                    model=label,
                    id=record_id,
                    company=foreign[:1].name,
                    records=_names(records),
                )
            )
    if "active" in Model._fields and not record_sudo.active and not env.su:
        raise UserError(
            env._(
                "The %(model)s “%(name)s” is archived: choose an active one for %(records)s.",
                model=label,
                name=record_sudo.display_name,
                records=_names(records),
            )
        )
    return Model.browse(record_id)


def check_bool(records, value, argument, allow_none=False):
    """`value` as a strict boolean: True, False or None (None stays None with `allow_none`,
    else means False). A string such as "false" is refused, never read as true."""
    if value is None:
        return None if allow_none else False
    if isinstance(value, bool):
        return value
    raise UserError(
        records.env._(
            "The argument %(argument)s of %(records)s must be true or false, not %(value)s.",
            argument=argument,
            records=_names(records),
            value=repr(value)[:80],
        )
    )


def check_text(records, value, argument):
    """`value` as an optional text: a string, or False when none is given."""
    if value is None or value is False:
        return False
    if isinstance(value, str):
        return value
    raise UserError(
        records.env._(
            "The argument %(argument)s of %(records)s must be a text, not %(value)s.",
            argument=argument,
            records=_names(records),
            value=repr(value)[:80],
        )
    )


def check_number(records, value, argument, minimum=0.0, maximum=None):
    """`value` as a finite number within [minimum, maximum]; None stays None."""
    if value is None:
        return None
    env = records.env
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise UserError(
            env._(
                "The argument %(argument)s of %(records)s must be a number, not %(value)s.",
                argument=argument,
                records=_names(records),
                value=repr(value)[:80],
            )
        )
    if value < minimum or (maximum is not None and value > maximum):
        raise UserError(
            env._(
                "The argument %(argument)s of %(records)s must be between %(minimum)s and "
                "%(maximum)s, not %(value)s.",
                argument=argument,
                records=_names(records),
                minimum=minimum,
                maximum=maximum if maximum is not None else "∞",
                value=value,
            )
        )
    return value


def check_one(records, method):
    """A UserError instead of ensure_one()'s ValueError for RPC clients calling `method` on
    several records (or none)."""
    if len(records) != 1:
        raise UserError(
            records.env._(
                "%(method)s works on exactly one record at a time, not on %(count)s.",
                method=method,
                count=len(records),
            )
        )


# ----------------------------------------------------------------------
# Concurrency
# ----------------------------------------------------------------------
def lock_for_update(records):
    """Lock the rows of `records` that the caller is about to decide on, for the rest of the
    transaction, and mark them changed.

    Odoo runs each request in a REPEATABLE READ snapshot: two users cancelling, revoking,
    approving or closing the same order at once would each decide on what they read before the
    other committed. With the lock, the second one is refused at once with a clear message
    (NOWAIT) instead of waiting; and because the rows are touched (a no-op UPDATE), a
    transaction that read them before ours committed gets a serialization failure when it
    locks them, which Odoo's RPC layer retries on fresh data. So checks made on these rows
    before the lock stay valid once it is taken: callers check first and lock after, and a
    refused call never holds the lock."""
    if not records:
        return
    env = records.env
    table = SQL.identifier(records._table)
    ids = tuple(records.ids)
    try:
        with env.cr.savepoint(flush=False):
            env.cr.execute(
                SQL("SELECT id FROM %s WHERE id IN %s FOR UPDATE NOWAIT", table, ids),
                log_exceptions=False,  # a refused lock is an expected outcome, not a bad query
            )
    except psycopg2.errors.LockNotAvailable:
        raise UserError(
            env._(
                "%s is being changed by someone else right now; try again in a moment.",
                _names(records.sudo()),
            )
        ) from None
    env.cr.execute(SQL("UPDATE %s SET write_date = write_date WHERE id IN %s", table, ids))
