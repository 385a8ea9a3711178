// Files the page sends, checked against the model's limits (GET /models) before any call: a
// file that is not an image, or that the model or the request could not take, is refused here
// with the limit named.

const FORMATS = { "image/png": "png", "image/jpeg": "jpeg", "image/webp": "webp", "image/gif": "gif" };

export class Refused extends Error {
  constructor(message) {
    super(message);
    this.code = "refused_in_page";
  }
}

const n = (value) => Number(value).toLocaleString("en-US");

/** The file's bytes as base64, once it passes every limit; `what` names it in a refusal. */
export async function checkedImage(file, limits, maxUpload, what, modelName) {
  const format = FORMATS[file.type];
  const spec = (limits && limits.input_image) || {};
  const formats = spec.formats || Object.values(FORMATS);
  if (!format) {
    throw new Refused(`${what} "${file.name}" is not an image (${file.type || "unknown type"}); ${modelName} takes ${formats.join(", ")}.`);
  }
  if (!formats.includes(format)) {
    throw new Refused(`${what} is ${format.toUpperCase()}; ${modelName} takes ${formats.join(", ")} only.`);
  }
  const most = Math.min(maxUpload, spec.max_bytes || Infinity);
  if (file.size > most) {
    const why = most === maxUpload ? "one request can carry" : `${modelName} takes`;
    throw new Refused(`${what} is ${n(file.size)} bytes; ${why} at most ${n(most)} bytes.`);
  }
  let bitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    throw new Refused(`${what} "${file.name}" cannot be read as an image.`);
  }
  const { width, height } = bitmap;
  bitmap.close();
  const sides = `${width}x${height}`;
  if (spec.min_side && Math.min(width, height) < spec.min_side) {
    throw new Refused(`${what} is ${sides}; ${modelName} needs at least ${spec.min_side} px a side.`);
  }
  if (spec.max_side && Math.max(width, height) > spec.max_side) {
    throw new Refused(`${what} is ${sides}; ${modelName} takes at most ${spec.max_side} px a side.`);
  }
  if (spec.max_pixels && width * height > spec.max_pixels) {
    throw new Refused(`${what} is ${sides} (${n(width * height)} pixels); ${modelName} takes at most ${n(spec.max_pixels)} pixels.`);
  }
  if (spec.aspect) {
    const ratio = width / height;
    if (ratio < spec.aspect[0] || ratio > spec.aspect[1]) {
      throw new Refused(`${what} is ${sides} (aspect ${ratio.toFixed(2)}); ${modelName} takes aspects from ${spec.aspect[0]} to ${spec.aspect[1]}.`);
    }
  }
  return base64(new Uint8Array(await file.arrayBuffer()));
}

export function base64(bytes) {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

/** A prompt the model can take: not longer than its limit (GET /models' prompt_chars). */
export function checkedPrompt(text, limits, what, modelName) {
  const most = limits && limits.prompt_chars ? limits.prompt_chars[1] : null;
  if (most && text.length > most) throw new Refused(`${what} is ${n(text.length)} characters; ${modelName} takes at most ${n(most)}.`);
  return text;
}

/** A data: URL's payload as base64 (a mask drawn in the page), checked against the request's limit. */
export function checkedDataUrl(url, maxUpload, what) {
  const payload = url.slice(url.indexOf(",") + 1);
  const bytes = Math.floor((payload.length * 3) / 4);
  if (bytes > maxUpload) throw new Refused(`${what} is ${n(bytes)} bytes; one request can carry at most ${n(maxUpload)} bytes.`);
  return payload;
}
