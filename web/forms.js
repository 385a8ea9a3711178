// Inputs built from GET /models' field descriptions, and a request body read back from them.
// Fields with inputs of their own (the prompt, a mask, margins, a style image) are left to the
// caller: `SPECIAL` names them. A file field reads back as its File, for the caller to check
// against the model's limits (uploads.js) before anything is sent.

import { el } from "./dom.js";

export const SPECIAL = new Set(["prompt", "mask_image", "margins", "style_image", "style_image_id"]);

const LABELS = {
  negative_prompt: "Negative prompt",
  mask_prompt: "Area (words)",
  aspect_ratio: "Aspect ratio",
  output_format: "Format",
  cfg_scale: "Prompt adherence",
  grow_mask: "Grow mask (px)",
  outpaint_mode: "Outpaint mode",
  control_strength: "Control strength",
  composition_fidelity: "Composition fidelity",
  style_strength: "Style strength",
  change_strength: "Change strength",
};

export function label(name) {
  return LABELS[name] || name.charAt(0).toUpperCase() + name.slice(1).replaceAll("_", " ");
}

/** A labelled input for each field not in SPECIAL, inside `into`; ids are prefixed by `prefix`. */
export function fieldInputs(fields, into, prefix) {
  into.replaceChildren();
  for (const field of fields) {
    if (SPECIAL.has(field.name)) continue;
    const id = `${prefix}-${field.name}`;
    let input;
    if (field.choices) {
      input = el("select", { id, name: field.name }, [el("option", { value: "" }, ["(default)"])]);
      for (const choice of field.choices) input.append(el("option", { value: choice }, [choice]));
    } else if (field.kind === "integer" || field.kind === "number") {
      input = el("input", { id, name: field.name, type: "number", step: field.kind === "integer" ? "1" : "any" });
      if (field.range) {
        if (field.range[0] !== null) input.min = String(field.range[0]);
        if (field.range[1] !== null) input.max = String(field.range[1]);
      }
    } else if (field.kind === "flag") {
      input = el("input", { id, name: field.name, type: "checkbox" });
    } else if (field.kind === "image") {
      input = el("input", { id, name: field.name, type: "file", accept: "image/*" });
    } else if (field.kind === "colors") {
      input = el("input", { id, name: field.name, type: "text", placeholder: "#ff0000, #0000ff" });
    } else if (field.kind === "size") {
      input = el("input", { id, name: field.name, type: "text", placeholder: "1024x1024", pattern: "[0-9]{2,5}x[0-9]{2,5}" });
    } else {
      input = el("input", { id, name: field.name, type: "text" });
    }
    input.dataset.kind = field.kind;
    input.required = Boolean(field.required);
    const hint = el("small", { id: `${id}-hint` }, [field.help || ""]);
    input.setAttribute("aria-describedby", hint.id);
    into.append(el("div", { className: "field" }, [el("label", { htmlFor: id }, [label(field.name) + (field.required ? " *" : "")]), input, hint]));
  }
}

/** The values of the inputs built by fieldInputs that were given, typed as the API wants them. */
export function readFields(into) {
  const body = {};
  for (const input of into.querySelectorAll("input, select")) {
    if (input.type === "checkbox") {
      if (input.checked) body[input.name] = true;
      continue;
    }
    if (input.type === "file") {
      if (input.files[0]) body[input.name] = input.files[0];
      continue;
    }
    const text = input.value.trim();
    if (!text) continue;
    const kind = input.dataset.kind;
    if (kind === "colors") body[input.name] = text.split(/[\s,]+/).filter(Boolean);
    else body[input.name] = kind === "integer" || kind === "number" ? Number(text) : text;
  }
  return body;
}
