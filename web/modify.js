// The modify form of the detail view: a mode picker from GET /models, and for the chosen mode
// the inputs its model takes: the prompt, a mask painted over the image (inpaint, erase...),
// margins (outpaint), a second image (style transfer), and the mode's other fields.

import { $, el } from "./dom.js";
import { fieldInputs, readFields } from "./forms.js";
import { MaskPainter } from "./mask.js";
import { Refused, checkedDataUrl, checkedImage, checkedPrompt } from "./uploads.js";

const SIDES = ["left", "right", "up", "down"];

export class ModifyForm {
  constructor(root, models, api, report) {
    this.root = root;
    this.models = models;
    this.api = api;
    this.modes = new Map(models.modify.map((mode) => [mode.mode, mode]));
    this.select = $("#mode", root);
    this.select.replaceChildren(...models.modify.map((m) => el("option", { value: m.mode }, [`${m.mode} (${m.model.name})`])));
    this.select.addEventListener("change", () => this.show());
    this.painter = new MaskPainter($("#mask", document), $("#detail-image", document));
    $("#mask-clear", root).addEventListener("click", () => this.painter.clear());
    $("#mask-centre", root).addEventListener("click", () => this.painter.centre());
    $("#style-image", root).addEventListener("change", async (event) => {
      const file = event.target.files[0];
      if (!file || !this.mode) return;
      try {
        await checkedImage(file, this.mode.limits, models.limits.max_upload_bytes, "The style image", this.mode.model.name);
      } catch (error) {
        event.target.value = "";
        report(error);
      }
    });
    $("#mask", document).addEventListener("maskchange", (event) => {
      $("#mask-state", root).textContent = event.detail.painted ? "A mask is painted." : "No mask painted yet.";
    });
  }

  /** Ready the form for `image` (its GET /images/{id} answer), in the mode last chosen. */
  forImage(image, stored) {
    this.image = image;
    this.stored = stored; // other stored images, for a style image
    this.show();
  }

  get mode() {
    return this.modes.get(this.select.value);
  }

  show() {
    const mode = this.mode;
    if (!mode) return;
    const names = new Set(mode.fields.map((f) => f.name));
    const prompt = mode.fields.find((f) => f.name === "prompt");
    $("#modify-prompt-field", this.root).hidden = !prompt;
    $("#modify-prompt", this.root).required = Boolean(prompt && prompt.required);
    const masked = names.has("mask_image");
    $("#mask-tools", this.root).hidden = !masked;
    $("#mask", document).hidden = !masked;
    if (masked) this.painter.reset();
    $("#margins", this.root).hidden = !names.has("margins");
    const margin = mode.fields.find((f) => f.name === "margins");
    for (const side of SIDES) {
      const input = $(`#margin-${side}`, this.root);
      input.value = "";
      if (margin && margin.range) input.max = String(margin.range[1]);
    }
    $("#style-image-field", this.root).hidden = !names.has("style_image");
    const choices = $("#style-image-id", this.root);
    choices.replaceChildren(el("option", { value: "" }, ["(upload a file instead)"]));
    for (const other of this.stored || []) {
      if (other.image_id !== (this.image && this.image.image_id)) {
        choices.append(el("option", { value: other.image_id }, [(other.prompt || other.image_id).slice(0, 60)]));
      }
    }
    fieldInputs(mode.fields, $("#modify-fields", this.root), "modify");
    $("#modify-hint", this.root).textContent = `${mode.mode} with ${mode.model.name}`;
  }

  /** The POST /modify-image body, every input checked first; Refused names what is wrong. */
  async body() {
    const mode = this.mode;
    const names = new Set(mode.fields.map((f) => f.name));
    const required = new Set(mode.fields.filter((f) => f.required).map((f) => f.name));
    const body = { image_id: this.image.image_id, mode: mode.mode, ...readFields($("#modify-fields", this.root)) };
    const maxUpload = this.models.limits.max_upload_bytes;
    const prompt = $("#modify-prompt", this.root).value.trim();
    if (names.has("prompt") && prompt) body.prompt = checkedPrompt(prompt, mode.limits, "The prompt", mode.model.name);
    if (required.has("prompt") && !prompt) throw new Refused(`${mode.mode} needs a prompt: the change to make.`);
    if (names.has("mask_image")) {
      if (this.painter.painted) body.mask_image = checkedDataUrl(this.painter.toDataUrl(), maxUpload, "The mask");
      else if (!body.mask_prompt) throw new Refused(`${mode.mode} needs a mask: paint the area to change over the image${names.has("mask_prompt") ? ", or name it in words" : ""}.`);
    }
    if (names.has("margins")) {
      const margins = {};
      for (const side of SIDES) {
        const value = $(`#margin-${side}`, this.root).value.trim();
        if (value) margins[side] = Number(value);
      }
      if (!Object.values(margins).some((v) => v > 0)) throw new Refused("outpaint needs a margin of at least 1 pixel on one side.");
      body.margins = margins;
    }
    if (names.has("style_image")) {
      const chosen = $("#style-image-id", this.root).value;
      const file = $("#style-image", this.root).files[0];
      if (chosen) body.style_image_id = chosen;
      else if (file) body.style_image = await checkedImage(file, mode.limits, maxUpload, "The style image", mode.model.name);
      else throw new Refused(`${mode.mode} needs a second image: upload one, or pick a stored one.`);
    }
    if ($("#modify-evaluate", this.root).checked) body.evaluate = true;
    return body;
  }
}
