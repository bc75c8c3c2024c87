"""A restaurant's statuses are spelt twice, in two languages: ``shared.tenants.head.RestaurantStatus``
(Python, used by the menu format and the admin answers) and the check constraint of
``restaurants.status`` (infra/migrations/0001_core.sql). They must agree."""

from __future__ import annotations

import re
from typing import get_args

from shared.paths import REPO_ROOT
from shared.tenants.head import RestaurantStatus


def test_the_sql_check_constraint_lists_the_same_restaurant_statuses():
    sql = (REPO_ROOT / "infra" / "migrations" / "0001_core.sql").read_text(encoding="utf-8")
    found = re.search(r"\bstatus\s+text\s+not null\s+default\s+'draft'\s+check\s*\(status\s+in\s*\(([^)]*)\)\)", sql)
    assert found, "no check constraint on restaurants.status in 0001_core.sql"
    assert tuple(re.findall(r"'([a-z_]+)'", found.group(1))) == get_args(RestaurantStatus)
