from . import sale_order_cancel_impact
from . import sale_order_cancel
from . import sale_mass_cancel_orders
from . import sale_order_revoke_cancel
from . import sale_order_line_quantity_mixin
from . import sale_order_cancel_lines
from . import sale_order_cancel_lines_line
