"""Values a server method hands to the code it calls, out of reach of RPC clients.

Why not the context: every RPC call may send any context it likes (`execute_kw(...,
{'context': {...}})`), so a context key that carries options or lets a write through a guard
is a key any client can forge. The cursor, on the contrary, is the server's own object of the
one transaction at hand (its `cache`): no request can put anything on it. A scope lives
exactly as long as the ``with`` block of the method that opened it, and every environment of
that transaction (sudo, with_user, with_context) shares it.
"""

from contextlib import contextmanager

from odoo.exceptions import AccessError

# Key of the scopes in the cursor's `cache`, the dict Odoo keeps per transaction for this kind
# of value (core keeps `account.move._disable_recursion`'s stack there).
_CURSOR_CACHE_KEY = "order_end_of_life_scopes"


def _scopes(cr):
    return cr.cache.setdefault(_CURSOR_CACHE_KEY, {})


@contextmanager
def call_scope(env, name, value):
    """Make `value` readable as `name` by `get_call_scope` until the block ends."""
    scopes = _scopes(env.cr)
    previous = scopes.get(name)
    scopes[name] = value
    try:
        yield value
    finally:
        if previous is None:
            scopes.pop(name, None)
        else:
            scopes[name] = previous


def get_call_scope(env, name, default=None):
    """The value of the innermost open `call_scope(env, name, ...)`, else `default`."""
    return _scopes(env.cr).get(name, default)


@contextmanager
def joined_call_scope(env, name, factory):
    """The value of the open scope `name` if a caller opened one, else a new scope holding
    `factory()` until the block ends: nested engine methods share the outermost one's value
    (a list they add to, say)."""
    value = get_call_scope(env, name)
    if value is not None:
        yield value
        return
    with call_scope(env, name, factory()) as value:
        yield value


# ----------------------------------------------------------------------
# State fields: written only by the engine's own methods
# ----------------------------------------------------------------------
# Name of the call scope that lists the records whose state fields the engine writes now.
STATE_WRITE_SCOPE = "order_end_of_life_state_write"


@contextmanager
def state_write_scope(records):
    """Let the method that opens it write the state fields of `records` (see
    `check_state_write`) until the block ends; nested scopes add up."""
    allowed = get_call_scope(records.env, STATE_WRITE_SCOPE, frozenset())
    added = frozenset((records._name, record_id) for record_id in records.ids)
    with call_scope(records.env, STATE_WRITE_SCOPE, allowed | added):
        yield records


def check_state_write(records, field_names, methods):
    """Refuse to write the state fields among `field_names` on `records` unless the engine's
    method writing them opened a `state_write_scope` on these records (new records never have
    one: the engine creates no record with a state already set).

    Why a scope and neither rights nor `env.su`: such a field (closed, cancelled by, the
    documents a short close made...) is the record of what one of the contract's methods did,
    after its checks; writing it any other way, even as a manager, an administrator or a
    module's sudo, would claim a decision nobody took. `methods` maps each protected field to
    the method that changes it, named in the refusal."""
    protected = [name for name in field_names if name in methods]
    if not protected:
        return
    allowed = get_call_scope(records.env, STATE_WRITE_SCOPE, frozenset())
    refused = records.filtered(lambda r: (r._name, r.id) not in allowed)
    if records and not refused:
        return
    env = records.env
    raise AccessError(
        env._(
            "%(fields)s of %(records)s change only through %(methods)s: use that action "
            "instead of writing the fields.",
            fields=", ".join(records._fields[name]._description_string(env) for name in protected),
            records=", ".join(refused.sudo().mapped("display_name")) or records._description,
            methods=", ".join(sorted({method for name in protected for method in methods[name]})),
        )
    )
