from . import test_cancel_reversal
from . import test_revoke_cancel
from . import test_cancel_paths
from . import test_cancel_scenarios
from . import test_multistep
from . import test_lots
from . import test_return_backorders
from . import test_action_draft
