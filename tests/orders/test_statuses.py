"""The order statuses are spelt twice, in two languages: ``shared.orders.requests.STATUSES`` (Python)
and the check constraint of ``orders.status`` (infra/migrations/0003_orders.sql). They must agree."""

from __future__ import annotations

import re

from shared.orders.requests import STATUSES
from shared.paths import REPO_ROOT


def test_the_sql_check_constraint_lists_the_same_statuses():
    sql = (REPO_ROOT / "infra" / "migrations" / "0003_orders.sql").read_text(encoding="utf-8")
    found = re.search(r"\bstatus\s+text\s+not null\s+default\s+'placed'\s+check\s*\(status\s+in\s*\(([^)]*)\)\)", sql)
    assert found, "no check constraint on orders.status in 0003_orders.sql"
    assert tuple(re.findall(r"'([a-z_]+)'", found.group(1))) == STATUSES
