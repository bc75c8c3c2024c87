"""The console tests use the widget's npm toolchain (esbuild, tsc, axe-core: widget/package.json) and,
for the browser tests, the e2e package's real ``stjarna serve`` (one for this package) and Chromium."""

from tests.e2e.conftest import browser, live, screenshots
from tests.widget.conftest import widget_deps

__all__ = ["browser", "live", "screenshots", "widget_deps"]
