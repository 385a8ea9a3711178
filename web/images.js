// An <img> of a stored image: its alt text is the prompt, and a URL that no longer loads (a
// pre-signed URL past its expiry) is signed again once from GET /images/{id}.

import { el } from "./dom.js";

export function altText(prompt) {
  return prompt && prompt.trim() ? prompt.trim() : "a stored image without a prompt";
}

export function storedImage(api, imageId, url, prompt, onError = () => {}) {
  const image = el("img", { alt: altText(prompt), decoding: "async" });
  image.dataset.imageId = imageId;
  image.addEventListener("error", async () => {
    if (image.dataset.refreshed) return onError(image);
    image.dataset.refreshed = "yes";
    try {
      const fresh = await api.image(imageId);
      image.src = fresh.url;
    } catch (error) {
      onError(image, error);
    }
  });
  if (url) image.src = url;
  else image.dispatchEvent(new Event("error"));
  return image;
}
