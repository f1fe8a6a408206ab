"""axe-core in the browser tests: the WCAG 2.1 A/AA rules, run on the page a Playwright test has open.

axe-core is the one npm package of the project (package.json, a devDependency pinned in
package-lock.json; `make install-dev` and `.ci/run` run `npm ci`). In CI (the `CI` variable set) a
missing node_modules/axe-core fails the test; on a developer's machine without npm it is skipped.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

AXE_JS = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("serious", "critical")


def require_axe() -> Path:
    """The path of axe.min.js; fails in CI and skips elsewhere when `npm ci` has not been run."""
    if not AXE_JS.exists():
        message = f"axe-core is missing ({AXE_JS}): run `npm ci --no-audit --no-fund` (make install-dev does)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return AXE_JS


def axe_violations(page: Any, tags: list[str] | None = None) -> list[dict[str, Any]]:
    """The serious and critical violations of the WCAG 2.1 A/AA rules on `page`, as axe reports them
    (id, impact, help, nodes with their selectors and failure summaries)."""
    path = require_axe()
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol, not added as a <script>: the pages' CSP (script-src 'self')
        # rightly refuses an inline script, and the check must not need the policy loosened.
        page.evaluate(path.read_text(encoding="utf-8") + "\n;undefined")
    results = page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target, html: n.html, summary: n.failureSummary})),
            }));
        }""",
        tags or WCAG_21_AA,
    )
    return [v for v in results if v["impact"] in BLOCKING]


def describe(violations: list[dict[str, Any]]) -> str:
    """A readable account of violations for an assertion message."""
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']}")
        for node in v["nodes"][:5]:
            lines.append(f"    {' '.join(map(str, node['target']))}  {node['summary']}".replace("\n", " / "))
    return "\n".join(lines)


def assert_accessible(page: Any, where: str = "") -> None:
    found = axe_violations(page)
    assert not found, f"axe on {where or page.url}:\n{describe(found)}"
