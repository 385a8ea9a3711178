// The report's behaviour: sortable tables (a header is a button) and an image enlarged in a dialog.
// No network, no library: this file is inlined into the page.

function cellValue(row, column) {
  const cell = row.cells[column];
  if (!cell) return null;
  const raw = cell.dataset.value;
  if (raw !== undefined) return raw === "" ? null : Number(raw);
  return cell.textContent.trim();
}

function compare(a, b) {
  if (a === b) return 0;
  if (a === null) return 1; // no value sorts last, either way
  if (b === null) return -1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a).localeCompare(String(b));
}

function sortBy(table, header, column) {
  const ascending = header.getAttribute("aria-sort") !== "ascending";
  for (const other of table.tHead.rows[0].cells) other.removeAttribute("aria-sort");
  header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  const body = table.tBodies[0];
  const rows = Array.from(body.rows);
  rows.sort((x, y) => {
    const a = cellValue(x, column);
    const b = cellValue(y, column);
    if (a === null || b === null) return compare(a, b);
    return ascending ? compare(a, b) : compare(b, a);
  });
  for (const row of rows) body.appendChild(row);
}

for (const table of document.querySelectorAll("table.sortable")) {
  Array.from(table.tHead.rows[0].cells).forEach((header, column) => {
    const button = header.querySelector("button");
    if (button) button.addEventListener("click", () => sortBy(table, header, column));
  });
}

const dialog = document.getElementById("enlarged");
const big = dialog.querySelector("img");
const caption = dialog.querySelector("p");

for (const button of document.querySelectorAll("button.enlarge")) {
  button.addEventListener("click", () => {
    const image = button.querySelector("img");
    big.src = image.src;
    big.alt = image.alt;
    caption.textContent = button.dataset.caption || image.alt;
    dialog.showModal();
  });
}

dialog.addEventListener("click", (event) => {
  if (event.target === dialog) dialog.close(); // a click on the backdrop
});
