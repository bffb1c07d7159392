from . import sale_termination_request_wizard
from . import sale_termination_reject_wizard
from . import sale_order_close_wizard
from . import sale_order_close_wizard_check
from . import sale_order_reopen_wizard
from . import sale_order_mass_close
from . import sale_order_mass_close_result
from . import sale_termination_answer_wizard
