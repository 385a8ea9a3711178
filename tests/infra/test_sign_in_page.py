"""web/auth.js, the deployed page's sign-in, run in Node against stand-ins for the browser's
location, history and sessionStorage and for the hosted sign-in's token endpoint: the PKCE
challenge (RFC 7636's own example), the redirect, the code exchange, the refresh, a forged state
and a refusal. What needs a real user pool (the hosted sign-in's pages, its tokens' signatures,
API Gateway's authorizer accepting them) is not tested offline."""

import shutil
import subprocess
from pathlib import Path

HARNESS = Path(__file__).with_name("auth_flow.mjs")


def test_the_page_signs_in_with_pkce_keeps_refreshes_and_forgets_its_tokens():
    node = shutil.which("node")
    assert node, "node is needed (the CDK CLI runs on it too)"
    done = subprocess.run(
        [node, "--disable-warning=MODULE_TYPELESS_PACKAGE_JSON", str(HARNESS)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "ok\n", "")
