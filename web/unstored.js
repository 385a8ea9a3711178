// Images a request made (and paid for) that the store would not take: the API gives them back
// inline in its 503 image_not_stored (error.images[].image_base64). They exist nowhere else, so
// the page shows each one with a link that saves it.

import { el } from "./dom.js";

const EXTENSIONS = { jpeg: "jpg" };

/** The elements showing `error`'s images (none when it carries none). */
export function unstoredImages(error) {
  const images = (error && error.details && Array.isArray(error.details.images) && error.details.images) || [];
  if (!images.length) return [];
  const prompt = (error.request && error.request.prompt) || "the image the request made";
  return images.map((image, n) => {
    if (!image.image_base64) {
      return el("p", { className: "unstored" }, [`Image ${n + 1} (${image.bytes} bytes) did not fit in the answer: it is lost.`]);
    }
    const format = image.format || "png";
    const url = `data:image/${format};base64,${image.image_base64}`;
    return el("figure", { className: "unstored" }, [
      el("img", { src: url, alt: `Not stored: ${prompt}`, width: 160 }),
      el("figcaption", {}, [
        el("a", { href: url, download: `not-stored-${n + 1}.${EXTENSIONS[format] || format}` }, [`Download image ${n + 1}`]),
      ]),
    ]);
  });
}
