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
    this.keepFocus(!page.next_cursor);
    this.cursor = page.next_cursor;
    this.more.hidden = !page.next_cursor;
    if (page.next_cursor && page.images.length < LIMIT && hops < HOPS) return this.load(page.next_cursor, hops + 1, run);
    this.more.disabled = false;
    this.list.querySelector(".empty")?.remove();
    if (!this.list.children.length) this.list.append(el("li", { className: "empty" }, ["No images yet: generate one above."]));
  }

  /** A reload draws every card again: the card that had the keyboard's focus gets it back once
   * its image is listed again, or the first card once the last page has come without it. */
  keepFocus(last) {
    if (this.refocus === undefined) return;
    if (document.activeElement === document.body) { // not if the keyboard has gone on elsewhere meanwhile
      const again = [...this.list.children].find((li) => li.dataset.imageId === this.refocus);
      if (!again && !last) return;
      (again || this.list.firstElementChild)?.querySelector(".card")?.focus();
    }
    this.refocus = undefined;
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
