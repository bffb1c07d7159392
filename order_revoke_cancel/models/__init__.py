from . import account_move
from . import res_company
from . import res_config_settings
from . import sale_cancel_reason
from . import sale_order
from . import sale_order_line
from . import sale_order_cancellation
from . import sale_order_cancellation_line
