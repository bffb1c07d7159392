from . import sale_cancellation_analysis
