from . import test_dropship_line_cancel
