from . import test_cancel_reversal
from . import test_revoke_cancel
from . import test_cancel_paths
from . import test_cancel_scenarios
from . import test_shared_invoices
from . import test_credit_notes
from . import test_foreign_currency
from . import test_consolidated_invoice
