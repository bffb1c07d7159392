from . import test_coexistence
