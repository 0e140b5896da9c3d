/**
 * When the value editor page began (imported first by main.ts): the host reports the steps from the
 * command to the first rows on screen (bench row 20).
 */
export const frameStartedAt = Math.round(performance.timeOrigin);
export const scriptStartedAt = Date.now();
export const docStartedAt = Number(document.documentElement.dataset.beDoc ?? '0');
/** When the frame's first document (VS Code's placeholder the page is then written into) had arrived: its response end. */
export const frameFetchedAt = ((): number => {
  const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
  return Math.round(performance.timeOrigin + (nav?.responseEnd ?? 0));
})();
