"""axe-core in the browser tests: a page's accessibility violations, and the form-error wiring
axe cannot see (every aria-describedby id must name an element on the page).

``./hubctl test`` installs the pinned axe-core with npm into var/node (git-ignored), as it
installs Chromium; HUB_AXE_JS names another copy.
"""
from __future__ import annotations

import os
from pathlib import Path

from tests.conftest import service_unavailable

ROOT = Path(__file__).resolve().parents[2]
BLOCKING = ("serious", "critical")


def axe_script() -> str:
    path = Path(os.environ.get("HUB_AXE_JS") or ROOT / "var/node/node_modules/axe-core/axe.min.js")
    if not path.is_file():
        service_unavailable(f"axe-core is not installed at {path} (./hubctl test installs it with npm)")
    return str(path)


def blocking_violations(page, script: str) -> list[str]:
    """'rule (impact): what — where' for every serious or critical violation on the page as it is."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=script)
    result = page.evaluate("() => axe.run(document)")
    return [f"{v['id']} ({v['impact']}): {v['help']} — {', '.join(str(n['target']) for n in v['nodes'][:3])}"
            for v in result["violations"] if v["impact"] in BLOCKING]


def dangling_describedby(page) -> list[str]:
    """Ids named by aria-describedby (or aria-labelledby) that no element on the page carries."""
    return page.evaluate("""() => [...document.querySelectorAll('[aria-describedby],[aria-labelledby]')]
        .flatMap(el => ['aria-describedby', 'aria-labelledby'].flatMap(a => (el.getAttribute(a) || '').split(/\\s+/)
            .filter(id => id && !document.getElementById(id)).map(id => `${el.id || el.name}: ${a}=${id}`)))""")
