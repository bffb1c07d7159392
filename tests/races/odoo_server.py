"""Run odoo-bin (path in ODOO_BIN) for the race test, unchanged but for one thing.

With --workers, Odoo starts its long-polling process as `sys.executable sys.argv[0] gevent ...`,
that is, through this script again. gevent then loads its own plugin through pkg_resources,
whose version in the virtualenv (setuptools < 70, needed to build Odoo's requirements) does not
find zope.interface >= 7 (installed as "zope_interface"): the process dies and is respawned
forever. The races do not use long polling, but the crash loop costs CPU and floods the output,
so that one process loads gevent's plugins without re-checking requirements.
"""

import os
import sys

if sys.argv[1:2] == ["gevent"]:
    import warnings

    import pkg_resources

    _load = pkg_resources.EntryPoint.load

    def _load_without_require(self, require=True, *args, **kwargs):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pkg_resources' own deprecation warning
            return _load(self, False, *args, **kwargs)

    pkg_resources.EntryPoint.load = _load_without_require

# As when odoo-bin is run directly: its folder (the Odoo source) comes first on the path. Not
# runpy.run_path: it would set sys.argv[0] to odoo-bin, which the long-polling process then runs.
ODOO_BIN = os.path.abspath(os.environ["ODOO_BIN"])
sys.path.insert(0, os.path.dirname(ODOO_BIN))
with open(ODOO_BIN, encoding="utf-8") as source:
    code = compile(source.read(), ODOO_BIN, "exec")
exec(code, {"__name__": "__main__", "__file__": ODOO_BIN})
