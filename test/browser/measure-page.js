/**
 * Runs inside the page (test/browser/pages.test.ts reads this file and evaluates it there, so
 * the project's TypeScript, which has no DOM types, never sees it): how the page lays out.
 * An expression; its value is the Layout the test checks.
 */
(() => {
  const px = (el) => Number.parseFloat(getComputedStyle(el).fontSize);
  const label = (el) => el.outerHTML.slice(0, 100);
  const textual = [
    ...document.querySelectorAll("main p, main li, main label, main h2, main a, main button, main input"),
  ];
  const muted = [...document.querySelectorAll(".muted")];
  return {
    lang: document.documentElement.lang,
    innerWidth: window.innerWidth,
    scrollWidth: Math.max(document.documentElement.scrollWidth, document.body.scrollWidth),
    bodyFontPx: px(document.body),
    smallText: textual
      .filter((el) => !el.closest(".muted") && (el.textContent ?? "").trim() !== "" && px(el) < 16)
      .map((el) => `${label(el)} (${px(el)} px)`),
    mutedFontPx: Math.min(...muted.map(px)),
    smallTargets: [...document.querySelectorAll("a[href], button, input[type=file]")]
      .map((el) => ({ el, box: el.getBoundingClientRect() }))
      .filter(({ box }) => box.height < 44)
      .map(({ el, box }) => `${label(el)} (${box.height.toFixed(1)} px tall)`),
    scripts: document.scripts.length,
  };
})();
