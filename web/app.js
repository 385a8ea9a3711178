// The gallery page: reads config.json beside it, signs in when the deployment asks for it
// (auth.js), then builds its pickers and forms from GET /models.

import { Api } from "./api.js";
import { Detail } from "./detail.js";
import { $, el } from "./dom.js";
import { describe } from "./errors.js";
import { fieldInputs, label, readFields } from "./forms.js";
import { Gallery } from "./gallery.js";
import { ModifyForm } from "./modify.js";
import { refine } from "./refine.js";
import { Tokens, once } from "./tokens.js";
import { unstoredImages } from "./unstored.js";
import { checkedImage, checkedPrompt } from "./uploads.js";

function report(error) {
  const shown = describe(error);
  const box = $("#error");
  box.replaceChildren(
    el("strong", {}, [shown.what + "."]),
    " ",
    ...(shown.message ? [el("span", { className: "message" }, [shown.message]), " "] : []),
    el("span", { className: "todo" }, [shown.todo]),
    ...unstoredImages(error),
  );
  box.dataset.code = shown.code;
  box.hidden = false;
}

function clearError() {
  $("#error").hidden = true;
  $("#error").replaceChildren();
}

/** A status line; the steps after the image that did not complete (the answer's warnings) follow
 * it, then any image of the answer S3 would not take (images_not_stored), to be saved from here. */
function say(text, warnings = [], answer = null, request = null) {
  const notes = warnings.map((w) => ` Note: could not ${w.step} (${w.message}).`).join("");
  $("#status").replaceChildren(text + notes, ...unstoredImages({ details: { images: (answer && answer.images_not_stored) || [] }, request }));
}

async function configured() {
  const response = await fetch("config.json", { cache: "no-store" });
  if (!response.ok) throw { code: "configuration_error", message: `config.json answered HTTP ${response.status}` };
  return response.json();
}

async function busy(button, work) {
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  clearError();
  try {
    await work();
  } catch (error) {
    report(error);
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
  }
}

/** Each File of a body replaced by its base64, once it passes the model's limits. */
async function withFiles(body, model, maxUpload) {
  for (const [name, value] of Object.entries(body)) {
    if (value instanceof File) body[name] = await checkedImage(value, model.limits, maxUpload, label(name), model.name);
  }
}

function options(select, models) {
  select.replaceChildren(
    ...models.map((m) => el("option", { value: m.id, selected: m.default }, [`${m.name}${m.default ? " (default)" : ""}${m.lifecycle === "active" ? "" : ` (${m.lifecycle})`}`])),
  );
}

async function main() {
  let config;
  try {
    config = await configured();
  } catch (error) {
    report(error.code ? error : { code: "network", message: "config.json could not be read" });
    return;
  }
  let auth = null;
  if (config.authMode === "cognito") {
    auth = await import("./auth.js");
    await auth.signIn(config);
  }
  $("#offline").hidden = !config.offline;
  const api = new Api(config, auth);
  let models;
  try {
    models = await api.models();
  } catch (error) {
    report(error);
    return;
  }
  $("#model-set").textContent = models.model_set;
  const generation = new Map(models.generation.map((m) => [m.id, m]));
  options($("#model"), models.generation);
  options($("#judge"), models.judges);
  options($("#refine-judge"), models.judges);
  const showOptions = () => fieldInputs(generation.get($("#model").value).fields, $("#generate-fields"), "generate");
  $("#generate-fields").addEventListener("change", (event) => {
    const file = event.target.files && event.target.files[0];
    if (!file) return;
    const model = generation.get($("#model").value);
    checkedImage(file, model.limits, models.limits.max_upload_bytes, label(event.target.name), model.name).catch((error) => {
      event.target.value = "";
      report(error);
    });
  });
  $("#model").addEventListener("change", showOptions);
  showOptions();
  $("#prompt").maxLength = Math.max(...models.generation.map((m) => (m.limits.prompt_chars || [1, 10000])[1]));

  let opener = null; // the image whose card opened the detail view
  const gallery = new Gallery(api, $("#images"), $("#more"), (id) => detail.open((opener = id)), report);
  const modify = new ModifyForm($("#modify"), models, api, report);
  const detail = new Detail(api, $("#detail"), report, {
    modify,
    usePrompt: (text) => {
      $("#prompt").value = text;
      $("#prompt").focus();
    },
    stored: () => gallery.items,
  });
  $("#detail").addEventListener("close", () => gallery.focusCard(opener));
  const loadGallery = () => gallery.reload();
  const [generating, modifying, refining] = [new Tokens(), new Tokens(), new Tokens()];

  $("#generate").addEventListener("submit", (event) => {
    event.preventDefault();
    busy($("#generate-button"), async () => {
      const prompt = $("#prompt").value.trim();
      if (!prompt) throw { code: "refused_in_page", message: "Write a prompt first: what the image should show." };
      const chosen = generation.get($("#model").value);
      checkedPrompt(prompt, chosen.limits, "The prompt", chosen.name);
      say("Generating…");
      const body = { prompt, model: $("#model").value, judge_model: $("#judge").value, evaluate: $("#evaluate").checked, ...readFields($("#generate-fields")) };
      await withFiles(body, generation.get(body.model), models.limits.max_upload_bytes);
      const answer = await once(generating, body, (signed) => api.generate(signed));
      const verdict = answer.evaluation || {};
      const again = answer.replayed ? " (sent again: the image the first try stored, not paid for twice)" : "";
      say((verdict.status === "done" ? `Generated: score ${verdict.score}/10.` : `Generated (${verdict.status === "pending" ? "the judge is still looking" : "not judged"}).`) + again, answer.warnings || [], answer, body);
      await loadGallery();
    });
  });

  $("#refine-button").addEventListener("click", () => {
    busy($("#refine-button"), async () => {
      const prompt = $("#prompt").value.trim();
      if (!prompt) throw { code: "refused_in_page", message: "Write a prompt first: the refinement starts from it." };
      const body = { prompt, model: $("#model").value, judge_model: $("#refine-judge").value };
      for (const name of ["target_score", "max_rounds"]) {
        const value = $(`#${name.replace("_", "-")}`).value.trim();
        if (value) body[name] = Number(value);
      }
      await refine(api, body, $("#refine-progress"), report, () => loadGallery(), refining);
    });
  });

  $("#modify").addEventListener("submit", (event) => {
    event.preventDefault();
    busy($("#modify-button"), async () => {
      const body = await modify.body();
      say(`Applying ${body.mode}…`);
      const answer = await once(modifying, body, (signed) => api.modify(signed));
      const verdict = answer.evaluation || {};
      say(`Edit stored${verdict.status === "done" ? `: score ${verdict.score}/10` : ""}.`, answer.warnings || [], answer, body);
      await detail.open(body.image_id);
      await loadGallery();
    });
  });

  await loadGallery();
  document.body.dataset.ready = "yes";
}

main().catch(report); // a fault of the page itself shows in words (errors.describe)
