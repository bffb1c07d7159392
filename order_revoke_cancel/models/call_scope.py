"""Values a server method hands to the code it calls, out of reach of RPC clients.

Why not the context: every RPC call may send any context it likes (`execute_kw(...,
{'context': {...}})`), so a context key that carries options or lets a write through a guard
is a key any client can forge. The cursor, on the contrary, is the server's own object of the
one transaction at hand: no request can put anything on it. A scope lives exactly as long as
the ``with`` block of the method that opened it, and every environment of that transaction
(sudo, with_user, with_context) shares it.
"""

from contextlib import contextmanager

_CURSOR_ATTRIBUTE = "_order_end_of_life_scopes"


def _scopes(cr):
    scopes = cr.__dict__.get(_CURSOR_ATTRIBUTE)
    if scopes is None:
        scopes = cr.__dict__[_CURSOR_ATTRIBUTE] = {}
    return scopes


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
