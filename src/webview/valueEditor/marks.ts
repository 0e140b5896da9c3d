/**
 * When the value editor page began (imported first by main.ts): the host reports the steps from the
 * command to the first rows on screen (bench row 20).
 */
export const frameStartedAt = Math.round(performance.timeOrigin);
export const scriptStartedAt = Date.now();
export const docStartedAt = Number(document.documentElement.dataset.beDoc ?? '0');
