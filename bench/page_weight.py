"""What a first visit to a letter page costs a phone: bytes transferred and load times.

    python bench/page_weight.py [--url http://127.0.0.1:8000/letters/ai-training/]

Opens the page in Debian's Chromium (Playwright) at 390 x 844, once with an empty cache, in
English and in Arabic, and prints the bytes transferred by kind (from Resource Timing's
transferSize, so compression counts), time to first byte, DOMContentLoaded, load and the
largest contentful paint. Run it against `make stack` for production-shaped figures.
"""

import argparse
import json

from playwright.sync_api import sync_playwright

MEASURE = """async () => {
  const lcp = await new Promise((resolve) => {
    let last = 0;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) last = entry.startTime;
    }).observe({type: "largest-contentful-paint", buffered: true});
    setTimeout(() => resolve(last), 500);
  });
  const nav = performance.getEntriesByType("navigation")[0];
  const kinds = {};
  let total = nav.transferSize;
  kinds.document = nav.transferSize;
  for (const r of performance.getEntriesByType("resource")) {
    const kind = r.initiatorType === "link" ? (r.name.endsWith(".css") ? "css" : "font")
      : r.initiatorType === "css" ? "font" : r.initiatorType;
    kinds[kind] = (kinds[kind] || 0) + r.transferSize;
    total += r.transferSize;
  }
  return {total, kinds, ttfb: nav.responseStart, dcl: nav.domContentLoadedEventEnd,
          load: nav.loadEventEnd, lcp};
}"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default="http://127.0.0.1:8000/letters/ai-training/")
    args = parser.parse_args()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking"],
        )
        for language in ("en", "ar"):
            context = browser.new_context(
                viewport={"width": 390, "height": 844},
                locale=language,
                extra_http_headers={"Accept-Language": language},
            )
            page = context.new_page()
            page.goto(args.url, wait_until="load")
            figures = page.evaluate(MEASURE)
            kinds = ", ".join(
                f"{k} {v / 1024:.1f} KiB" for k, v in sorted(figures["kinds"].items())
            )
            print(
                f"{language}: {figures['total'] / 1024:.1f} KiB ({kinds}); "
                f"TTFB {figures['ttfb']:.0f} ms, DOMContentLoaded {figures['dcl']:.0f} ms, "
                f"load {figures['load']:.0f} ms, LCP {figures['lcp']:.0f} ms"
            )
            print(json.dumps(figures["kinds"]))
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
