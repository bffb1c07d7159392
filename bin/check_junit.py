"""Turn pytest's junit report into the suite's verdict: skipped or missing tests fail too.

Odoo skips browser tours silently when Chromium or websocket-client is missing, and
pytest exits 0 on skips, so CI would go green having run no tour.
"""

import sys
import xml.etree.ElementTree as ET


def main(path, pytest_status):
    root = ET.parse(path).getroot()
    cases = list(root.iter("testcase"))
    total = len(cases)
    failed = sum(1 for c in cases if c.find("failure") is not None or c.find("error") is not None)
    skipped = sum(1 for c in cases if c.find("skipped") is not None)
    passed = total - failed - skipped
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    if skipped:
        for case in root.iter("testcase"):
            skip = case.find("skipped")
            if skip is not None:
                name = f"{case.get('classname')}.{case.get('name')}"
                print(f"SKIPPED (counts as failure): {name}: {skip.get('message')}")
    if total == 0:
        print("No test ran: that is a failure.")
    return 1 if (pytest_status or failed or skipped or total == 0) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2])))
