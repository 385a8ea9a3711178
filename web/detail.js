// The detail view: the image, its verdict (score, sub-scores, checklist, suggestions, revised
// prompt), its lineage and its edits, each with a before/after view; download; modify.

import { $, el, scoreText } from "./dom.js";
import { altText, storedImage } from "./images.js";

const SUB_SCORES = {
  prompt_adherence: "Prompt adherence",
  visual_quality: "Visual quality",
  edit_success: "Edit success",
  preservation: "Preservation",
};

export class Detail {
  constructor(api, dialog, report, hooks) {
    this.api = api;
    this.dialog = dialog;
    this.report = report;
    this.hooks = hooks; // usePrompt(text), modify: ModifyForm, stored(): images for a style image
    $("#detail-close", dialog).addEventListener("click", () => dialog.close());
    const picture = $("#detail-image", dialog);
    picture.addEventListener("error", async () => {
      if (picture.dataset.refreshed || !this.image) return; // signed once already: the image is gone
      picture.dataset.refreshed = "yes";
      try {
        const fresh = await api.image(this.image.image_id);
        this.image.url = fresh.url;
        picture.src = fresh.url;
        picture.addEventListener("load", () => this.hooks.modify.forImage(this.image, this.hooks.stored()), { once: true });
      } catch (error) {
        report(error);
      }
    });
    $("#download", dialog).addEventListener("click", () => this.download());
    $("#compare-close").addEventListener("click", () => $("#compare").close());
    $("#compare-slider").addEventListener("input", (event) => this.reveal(event.target.value));
    $("#use-revised", dialog).addEventListener("click", () => {
      hooks.usePrompt($("#revised", dialog).textContent);
      dialog.close();
    });
  }

  async open(imageId) {
    let image;
    try {
      image = await this.api.image(imageId);
    } catch (error) {
      this.report(error);
      return;
    }
    this.image = image;
    const meta = image.meta || {};
    const picture = $("#detail-image", this.dialog);
    picture.alt = altText(meta.prompt);
    picture.dataset.imageId = image.image_id;
    picture.dataset.refreshed = "";
    picture.src = image.url;
    $("#detail-title", this.dialog).textContent = meta.prompt || "An image without a prompt";
    this.facts(meta);
    this.verdict(image.evaluation || { status: "not_requested" });
    this.lineage(meta.lineage || {});
    this.edits(image.edits || [], image.next_cursor);
    if (!this.dialog.open) this.dialog.showModal();
    await picture.decode().catch(() => null); // loaded (or failed: then signed again, below)
    this.hooks.modify.forImage(image, this.hooks.stored());
  }

  facts(meta) {
    const rows = [
      ["Model", meta.model || "unknown"],
      ["Seed", meta.seed ?? "unknown"],
      ["Size", meta.image && meta.image.width ? `${meta.image.width}x${meta.image.height}` : "unknown"],
      ["Made", meta.created_at || "unknown"],
      ["Image id", meta.image_id || this.image.image_id],
    ];
    $("#facts", this.dialog).replaceChildren(...rows.flatMap(([k, v]) => [el("dt", {}, [k]), el("dd", {}, [String(v)])]));
  }

  verdict(verdict) {
    const done = verdict.status === "done";
    $("#score", this.dialog).textContent = done ? `Score ${verdict.score}/10 by ${verdict.judge_model}` : `Score: ${scoreText(null, verdict.status)}`;
    $("#verdict-why", this.dialog).textContent = done ? verdict.reason : verdict.error ? verdict.error.message : verdict.why || "";
    $("#verdict-body", this.dialog).hidden = !done;
    if (!done) return;
    const subs = Object.entries(verdict.sub_scores || {});
    $("#sub-scores", this.dialog).hidden = !subs.length;
    $("#sub-scores tbody", this.dialog).replaceChildren(
      ...subs.map(([name, part]) => el("tr", {}, [el("th", { scope: "row" }, [SUB_SCORES[name] || name]), el("td", {}, [`${part.score}/10`]), el("td", {}, [part.reason || ""])])),
    );
    const checks = verdict.checklist || [];
    $("#checklist-part", this.dialog).hidden = !checks.length;
    $("#checklist", this.dialog).replaceChildren(
      ...checks.map((item) => el("li", { className: item.status }, [el("strong", {}, [`${item.status}: `]), item.element, item.note ? ` (${item.note})` : ""])),
    );
    $("#description", this.dialog).textContent = verdict.description || "";
    $("#suggestions", this.dialog).textContent = verdict.suggestions || "none";
    $("#revised", this.dialog).textContent = verdict.revised_prompt || "";
    $("#use-revised", this.dialog).hidden = !verdict.revised_prompt;
  }

  lineage(lineage) {
    const parts = [];
    if (lineage.parent_id) {
      const parent = el("button", { type: "button" }, ["Open its parent"]);
      parent.addEventListener("click", () => this.open(lineage.parent_id));
      const compare = el("button", { type: "button", className: "compare-parent" }, ["Before / after"]);
      compare.addEventListener("click", () => this.compareWithParent(lineage.parent_id));
      parts.push(el("p", {}, [`An edit (${lineage.mode || "a modification"}) of ${lineage.parent_id}. `, parent, " ", compare]));
    } else {
      parts.push(el("p", {}, ["An original: no parent."]));
    }
    if (lineage.root_id && lineage.root_id !== this.image.image_id && lineage.root_id !== lineage.parent_id) {
      const root = el("button", { type: "button" }, ["Open the first image of its family"]);
      root.addEventListener("click", () => this.open(lineage.root_id));
      parts.push(el("p", {}, [root]));
    }
    $("#lineage", this.dialog).replaceChildren(...parts);
  }

  edits(edits, cursor, append = false) {
    const list = $("#edits", this.dialog);
    if (!append) list.replaceChildren();
    for (const edit of edits) {
      const open = el("button", { type: "button" }, ["Open"]);
      open.addEventListener("click", () => this.open(edit.image_id));
      const compare = el("button", { type: "button", className: "compare" }, ["Before / after"]);
      compare.addEventListener("click", () => this.compare(this.image.url, this.image.meta.prompt, edit.url, edit.prompt, edit.mode || "edit"));
      list.append(
        el("li", {}, [storedImage(this.api, edit.image_id, edit.url, edit.prompt), el("span", {}, [`${edit.mode || "edit"}: ${edit.prompt || "(no prompt)"}`]), open, compare]),
      );
    }
    if (!list.children.length) list.append(el("li", { className: "empty" }, ["No edits yet."]));
    const more = $("#more-edits", this.dialog);
    more.hidden = !cursor;
    more.onclick = async () => {
      try {
        const page = await this.api.image(this.image.image_id, cursor);
        this.edits(page.edits, page.next_cursor, true);
      } catch (error) {
        this.report(error);
      }
    };
  }

  async compareWithParent(parentId) {
    try {
      const parent = await this.api.image(parentId);
      this.compare(parent.url, parent.meta.prompt, this.image.url, this.image.meta.prompt, this.image.meta.lineage.mode || "edit");
    } catch (error) {
      this.report(error);
    }
  }

  compare(beforeUrl, beforePrompt, afterUrl, afterPrompt, mode) {
    const dialog = $("#compare");
    const before = $("#before", dialog);
    const after = $("#after", dialog);
    before.alt = `Before: ${altText(beforePrompt)}`;
    after.alt = `After (${mode}): ${altText(afterPrompt)}`;
    before.src = beforeUrl;
    after.src = afterUrl;
    $("#compare-slider", dialog).value = "50";
    this.reveal(50);
    dialog.showModal();
  }

  reveal(percent) {
    $("#after").style.clipPath = `inset(0 0 0 ${percent}%)`;
    $("#compare-slider").setAttribute("aria-valuetext", `${100 - percent}% of the after image shown`);
  }

  async download() {
    const image = this.image;
    const name = `${image.image_id}.${(image.meta.image && image.meta.image.format) || "png"}`.replace("jpeg", "jpg");
    try {
      const response = await fetch(image.url);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const link = el("a", { href: URL.createObjectURL(await response.blob()), download: name });
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    } catch {
      window.open(image.url, "_blank", "noopener"); // the store would not hand the bytes to the page: open it
    }
  }
}
