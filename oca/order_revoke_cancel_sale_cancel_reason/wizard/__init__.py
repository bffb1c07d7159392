from . import sale_order_cancel
from . import sale_mass_cancel_orders
