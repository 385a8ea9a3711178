"""`make demo`: the whole pipeline on this machine, with no AWS account.

Starts the Bedrock runtime emulator and a local S3 on free loopback ports, serves the API with
the real handlers, and uses it over HTTP as a user would: generate, evaluate with a second
judge, modify, and refine as a job (rounds of generate and judge, each prompt revised from the
verdict's checklist, until the target score). The PNGs go to generated-images/ and
updated-images/, downloaded through the pre-signed URLs the API returns. Every server it
started is stopped at the end; nothing leaves loopback.
"""

from __future__ import annotations

import io
import socket
import sys
import time
from pathlib import Path
from typing import Any

from . import netguard
from .cli.render import verdict_parts
from .http import call_json, fetch
from .world import SECOND_JUDGE, World
from .world import environment as environment  # where the tests and the bench have found it

PROMPT = "a red fox sitting in fresh snow at dawn, photograph"
REFINE = {"prompt": PROMPT, "target_score": 8, "max_rounds": 3}  # an element is absent at first: two rounds
JOB_SECONDS = 60  # a refine job of three emulated rounds takes about a second


def call(api_url: str, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    status, answer = call_json(method, api_url + path, body)
    if status not in (200, 202):  # 202: a job was accepted
        error = answer.get("error", {})
        raise SystemExit(f"demo: {method} {path} answered {status} {error.get('code')}: {error.get('message')}")
    return answer


def download(url: str, folder: Path, image_id: str) -> Path:
    folder.mkdir(exist_ok=True)
    target = folder / f"{image_id}.png"
    target.write_bytes(fetch(url))
    return target


def show(title: str, answer: dict[str, Any]) -> None:
    evaluation = answer.get("evaluation", {})
    print(f"\n{title}")
    print(f"  image id     {answer['image_id']}")
    if "model" in answer:
        print(f"  model        {answer['model']} (seed {answer.get('seed')})")
    if evaluation.get("status") == "done":
        print(f"  score        {evaluation['score']}/10 by {evaluation['judge_model']}")
        parts = verdict_parts(evaluation)
        if parts:
            print(f"  parts        {parts}")
        print(f"  reason       {evaluation['reason']}")
        print(f"  suggestions  {evaluation['suggestions']}")
    else:
        print(f"  evaluation   {evaluation.get('status')}")
    if "url" in answer:
        print("  url          pre-signed, in full below (the local S3 serving it stops when the demo ends)")
        print(answer["url"])


def refine(api_url: str) -> dict[str, Any]:
    """Start a refine job, show each round as GET /jobs/{id} records it; the job's best image."""
    job = call(api_url, "POST", "refine-image", REFINE)
    target, rounds = REFINE["target_score"], REFINE["max_rounds"]
    print(f"\nPOST /refine-image  {REFINE['prompt']!r}, target {target}, at most {rounds} rounds")
    print(f"  job id       {job['job_id']} ({job['status']}; GET /jobs/{job['job_id']} shows its rounds)")
    shown, ends = 0, time.monotonic() + JOB_SECONDS
    while True:
        status = call(api_url, "GET", f"jobs/{job['job_id']}")
        for entry in status["rounds"][shown:]:
            added = "; added " + ", ".join(repr(c) for c in entry["changed"]) if entry["changed"] else ""
            print(f"  round {entry['round']}      score {entry['score']}/10{added}")
            parts = verdict_parts(entry)
            if parts:
                print(f"               {parts}")
        shown = len(status["rounds"])
        if status["status"] not in ("queued", "running"):
            break
        if time.monotonic() > ends:
            raise SystemExit(f"demo: the refine job {job['job_id']} did not end within {JOB_SECONDS} s")
        time.sleep(0.1)
    if status["status"] != "done" or not status["best"]:
        raise SystemExit(f"demo: the refine job ended {status['status']}: {status['error']}")
    best = status["best"]
    print(
        f"  stopped      {status['stop_reason']}; best round {best['round']} ({best['score']}/10), "
        f"spent ${status['spent_usd']:.4f}"
    )
    print("  url          pre-signed, in full below (the local S3 serving it stops when the demo ends)")
    print(best["url"])
    return best


def run(root: Path) -> None:
    logs = io.StringIO()  # the functions' JSON logs, as CloudWatch would keep them
    with World(log_stream=logs) as world:
        emulator, s3, api = world.emulator, world.s3, world.api
        print(f"Bedrock emulator {emulator.url} | local S3 {s3.url} | API {api.url}")

        generated = call(api.url, "POST", "generate-image", {"prompt": PROMPT, "size": "1344x768"})
        show(f"POST /generate-image  {PROMPT!r}", generated)
        saved = download(generated["url"], root / "generated-images", generated["image_id"])
        print(f"  downloaded   {saved} ({saved.stat().st_size:,} bytes, through the pre-signed URL)")

        second = call(
            api.url, "POST", "evaluate-image", {"image_id": generated["image_id"], "judge_model": SECOND_JUDGE}
        )
        show("POST /evaluate-image  (a second judge, same call shape)", second)

        edit = call(
            api.url,
            "POST",
            "modify-image",
            {
                "image_id": generated["image_id"],
                "mode": "replace",
                "prompt": "a snow leopard",
                "mask_prompt": "the fox",
            },
        )
        show("POST /modify-image  replace 'the fox' with 'a snow leopard'", edit)
        saved = download(edit["url"], root / "updated-images", edit["image_id"])
        print(f"  downloaded   {saved} ({saved.stat().st_size:,} bytes)")

        best = refine(api.url)
        saved = download(best["url"], root / "generated-images", best["image_id"])
        print(f"  downloaded   {saved} (the best round)")

        described = call(api.url, "GET", f"images/{generated['image_id']}")
        print(
            f"\nGET /images/{generated['image_id']}: {len(described['edits'])} edit(s), "
            f"verdict {described['evaluation']['status']}, a fresh pre-signed URL:"
        )
        print(described["url"])
        calls = len(emulator.calls)
        ports = [_port(emulator.url), _port(s3.url), _port(api.url)]
    still_up = [port for port in ports if _listening(port)]
    if still_up:
        raise SystemExit(f"demo: servers still listening on ports {still_up}")
    print(
        f"\nDone: {calls} Bedrock calls answered by the emulator, {len(logs.getvalue().splitlines())} log lines "
        "written by the functions; every server stopped. Images and verdicts above are EMULATED."
    )


def _port(url: str) -> int:
    return int(url.split(":")[2].split("/")[0])


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def main() -> None:
    netguard.loopback_only()
    try:
        run(Path.cwd())
    except (OSError, netguard.LeftLoopback) as exc:
        print(f"demo: {exc}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
