from . import test_termination_request
from . import test_termination_execution
from . import test_order_close
from . import test_termination_portal
from . import test_close_wizard
from . import test_short_close
from . import test_close_refund
from . import test_termination_preview
