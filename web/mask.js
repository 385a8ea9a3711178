// A mask drawn over the image: white where the image should change, black elsewhere, at the
// image's own size (the API wants a mask of the image's size). The pointer paints; for the
// keyboard, buttons mask the centre or clear it.

export class MaskPainter {
  constructor(canvas, image) {
    this.canvas = canvas; // shown over the image, at its natural size, scaled by CSS
    this.image = image;
    this.drawing = false;
    this.painted = false;
    this.brush = 0.06; // of the longer side
    canvas.addEventListener("pointerdown", (event) => this.start(event));
    canvas.addEventListener("pointermove", (event) => this.move(event));
    for (const end of ["pointerup", "pointercancel", "pointerleave"]) canvas.addEventListener(end, () => (this.drawing = false));
  }

  get context() {
    return this.canvas.getContext("2d", { willReadFrequently: true }); // read back whole for the PNG
  }

  /** Size the canvas to the image's natural size and clear it. */
  reset() {
    this.canvas.width = this.image.naturalWidth || 1;
    this.canvas.height = this.image.naturalHeight || 1;
    this.clear();
  }

  clear() {
    const context = this.context;
    context.clearRect(0, 0, this.canvas.width, this.canvas.height);
    this.painted = false;
    this.changed();
  }

  /** The keyboard's mask: the middle half of the image. */
  centre() {
    const { width, height } = this.canvas;
    const context = this.context;
    context.fillStyle = "rgba(255, 64, 64, 0.6)";
    context.fillRect(width / 4, height / 4, width / 2, height / 2);
    this.painted = true;
    this.changed();
  }

  changed() {
    this.canvas.dispatchEvent(new CustomEvent("maskchange", { detail: { painted: this.painted } }));
  }

  point(event) {
    const box = this.canvas.getBoundingClientRect();
    return [((event.clientX - box.left) / box.width) * this.canvas.width, ((event.clientY - box.top) / box.height) * this.canvas.height];
  }

  start(event) {
    event.preventDefault();
    this.drawing = true;
    this.last = this.point(event);
    this.stroke(this.last, this.last);
  }

  move(event) {
    if (!this.drawing) return;
    const next = this.point(event);
    this.stroke(this.last, next);
    this.last = next;
  }

  stroke(from, to) {
    const context = this.context;
    context.strokeStyle = "rgba(255, 64, 64, 0.6)";
    context.lineCap = "round";
    context.lineWidth = Math.max(this.canvas.width, this.canvas.height) * this.brush;
    context.beginPath();
    context.moveTo(...from);
    context.lineTo(...to);
    context.stroke();
    if (!this.painted) {
      this.painted = true;
      this.changed();
    }
  }

  /** The mask as a PNG data: URL: white where painted, black elsewhere. */
  toDataUrl() {
    const out = document.createElement("canvas");
    out.width = this.canvas.width;
    out.height = this.canvas.height;
    const context = out.getContext("2d");
    context.fillStyle = "#000";
    context.fillRect(0, 0, out.width, out.height);
    const painted = this.context.getImageData(0, 0, out.width, out.height);
    const pixels = context.getImageData(0, 0, out.width, out.height);
    for (let i = 0; i < painted.data.length; i += 4) {
      if (painted.data[i + 3] > 0) pixels.data.fill(255, i, i + 3);
    }
    context.putImageData(pixels, 0, 0);
    return out.toDataURL("image/png");
  }
}
