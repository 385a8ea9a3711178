// Refine with live progress: POST /refine-image, then GET /jobs/{id} until the job ends, each
// round shown as it completes with its score.

import { $, el, scoreText } from "./dom.js";
import { once } from "./tokens.js";

const POLL_MS = [250, 500, 1000]; // soon at first (a short job shows its end at once), then every second
const STOPS = { target_reached: "the target score was reached", round_limit: "the last round ran", budget: "the budget would have been passed" };

export async function refine(api, body, panel, report, onDone, tokens) {
  panel.hidden = false;
  const bar = $("progress", panel);
  const status = $("#refine-status", panel);
  const rounds = $("#refine-rounds", panel);
  rounds.replaceChildren();
  bar.max = body.max_rounds || 3;
  bar.value = 0;
  status.textContent = "Starting the refinement…";
  let job;
  try {
    job = await once(tokens, body, (signed) => api.refine(signed));
  } catch (error) {
    status.textContent = "The refinement did not start.";
    report(error);
    return;
  }
  for (let polls = 0; ; polls += 1) {
    try {
      job = await api.job(job.job_id);
    } catch (error) {
      status.textContent = "The refinement's progress could not be read.";
      report(error);
      return;
    }
    bar.max = job.target ? job.target.max_rounds : bar.max;
    bar.value = job.rounds.length;
    rounds.replaceChildren(
      ...job.rounds.map((round) =>
        el("li", {}, [`Round ${round.round}: ${round.status === "done" ? scoreText(round.score, "done") : "failed"}`, round.changed && round.changed.length ? ` (added: ${round.changed.join(", ")})` : ""]),
      ),
    );
    if (job.status === "done" || job.status === "failed") break;
    status.textContent = `Round ${job.rounds.length + 1} of at most ${bar.max} is running…`;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS[Math.min(polls, POLL_MS.length - 1)]));
  }
  bar.max = Math.max(1, job.rounds.length); // the rounds it took: full
  bar.value = job.rounds.length;
  if (job.status === "failed") {
    status.textContent = "The refinement failed.";
    report(job.error || { code: "upstream_failure" });
  } else {
    const best = job.best ? `best score ${job.best.score}/10 in round ${job.best.round}` : "no round was judged";
    status.textContent = `Done: ${STOPS[job.stop_reason] || "it ended"}; ${best}.`;
  }
  onDone(job);
}
