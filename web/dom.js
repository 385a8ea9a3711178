// A few helpers for building the page's elements without HTML strings (nothing the API answers
// is ever parsed as HTML).

export function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("aria-") || key === "role") node.setAttribute(key, value);
    else node[key] = value;
  }
  for (const child of children) node.append(child instanceof Node ? child : String(child));
  return node;
}

export function $(selector, root = document) {
  return root.querySelector(selector);
}

export function shown(node, visible) {
  node.hidden = !visible;
}

/** A score as the page writes it: "8/10", or words when there is none. */
export function scoreText(score, status) {
  if (typeof score === "number") return `${score}/10`;
  return { pending: "judging…", failed: "not judged", not_requested: "not judged" }[status] || "not judged";
}
