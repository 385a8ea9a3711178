// The gallery: stored images, newest first (GET /images), a page at a time, each a button that
// opens the detail view, with its score.

import { el, scoreText } from "./dom.js";
import { storedImage } from "./images.js";

const LIMIT = 24;
const HOPS = 10;

export class Gallery {
  constructor(api, list, more, open, report) {
    this.api = api;
    this.list = list;
    this.more = more;
    this.open = open;
    this.report = report;
    this.cursor = null;
    this.items = []; // every image listed so far, newest first
    this.runs = 0; // loads started; only the latest one's answers are shown
    this.refocus = undefined; // during a reload, the image id of the card that had the keyboard's focus
    more.addEventListener("click", () => {
      if (!more.disabled) this.load(this.cursor);
    });
  }

  async reload() {
    await this.load(null);
  }

  /** A page from `cursor`; a page short of the limit is followed at once (up to `HOPS` times):
   * after the index, the API goes through the images it lacks, which may take pages. More is
   * disabled while a load is under way, and a load started later (a reload) supersedes it: its
   * answers are dropped, so no card is shown twice. */
  async load(cursor, hops = 0, run = ++this.runs) {
    this.more.disabled = true;
    let page;
    try {
      page = await this.api.images(cursor, LIMIT);
    } catch (error) {
      if (run !== this.runs) return;
      this.refocus = undefined;
      this.more.disabled = false;
      this.report(error);
      return;
    }
    if (run !== this.runs) return;
    if (!cursor) {
      if (this.list.contains(document.activeElement)) this.refocus = document.activeElement.closest("li")?.dataset.imageId;
      this.list.replaceChildren();
      this.items = [];
    }
    this.items.push(...page.images);
    for (const item of page.images) this.list.append(this.card(item));
    const hop = page.next_cursor && page.images.length < LIMIT && hops < HOPS;
    this.keepFocus(!hop);
    this.cursor = page.next_cursor;
    this.more.hidden = !page.next_cursor;
    if (hop) return this.load(page.next_cursor, hops + 1, run);
    this.more.disabled = false;
    this.list.querySelector(".empty")?.remove();
    if (!this.list.children.length) this.list.append(el("li", { className: "empty" }, ["No images yet: generate one above."]));
  }

  /** A reload draws every card again: the card that had the keyboard's focus gets it back once
   * its image is listed again, or the first card (without scrolling) once the reload has shown all
   * it will without it. Nothing is kept past the reload. */
  keepFocus(last) {
    if (this.refocus === undefined) return;
    if (document.activeElement === document.body) { // not if the keyboard has gone on elsewhere meanwhile
      const again = this.cardOf(this.refocus);
      if (!again && !last) return;
      if (again) again.focus();
      else this.list.querySelector(".card")?.focus({ preventScroll: true });
    }
    this.refocus = undefined;
  }

  /** The card of `imageId` gets the keyboard's focus if the focus was lost: on the page's body, or
   * left in a dialog that has closed (a dialog gives it back to what opened it, if that is still
   * there: a reload while it was open replaced the card). */
  focusCard(imageId) {
    const at = document.activeElement;
    if (at === document.body || at?.closest("dialog:not([open])")) this.cardOf(imageId)?.focus();
  }

  cardOf(imageId) {
    return [...this.list.children].find((li) => li.dataset.imageId === imageId)?.querySelector(".card");
  }

  card(item) {
    const score = el("span", { className: "score" }, [item.error ? "unreadable" : scoreText(item.score, item.evaluation_status)]);
    const prompt = item.error ? `This image's details could not be read: ${item.error.message}` : item.prompt || item.judge_prompt || "(no prompt)";
    const button = el("button", { type: "button", className: "card", "aria-label": `Open: ${prompt}, ${score.textContent}` }, [
      storedImage(this.api, item.image_id, item.url, item.prompt || item.judge_prompt),
      score,
      el("span", { className: "prompt" }, [prompt]),
      ...(item.lineage && item.lineage.mode ? [el("span", { className: "mode" }, [item.lineage.mode])] : []),
    ]);
    button.addEventListener("click", () => this.open(item.image_id));
    const card = el("li", {}, [button]);
    card.dataset.imageId = item.image_id;
    return card;
  }
}
