"""The request path's time in one run: POST /generate-image end to end against the image and judge
calls (P4, bench.overlap), then the transparency scan of 2048 and 3072 px sources of every filter
type against Pillow, and the modify handler's answers on those sources (bench.png_scan), each with
its defaults.

    .venv/bin/python -m bench.request_path
"""

from __future__ import annotations

from bench import overlap, png_scan


def main() -> None:
    print("# writes overlapped with the judge call (bench.overlap)")
    overlap.main([])
    print("\n# large sources: the scan against Pillow, the modify handler's answers (bench.png_scan)")
    png_scan.main([])


if __name__ == "__main__":
    main()
