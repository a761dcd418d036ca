// Drive code-server (VS Code in Chromium) through what a user does with fixloop:
// see the "cannot find the server" error and fix fixloop.server.path through its
// "Open Settings" button, store an API key from the "no API key" warning, open a broken file, wait for the squiggle and
// the status item's "1 fix", Ctrl+. lists the fixloop fix, Enter applies it, the
// squiggle goes, save.
//
//   NODE_PATH=editors/vscode/.e2e/node_modules node drive.cjs '<json config>'
//
// Config: url, folder, file, serverPath, apiKeyName, apiKey, flaggedAt (line:column), fixTitle, fixedLine, statsText, notFoundText, screenshots
// {notFound, quickFix, done, failure}, stepSeconds. Prints one line per step to stdout; exits
// 1 with the reason (and a failure screenshot) when a step misses its deadline.

"use strict";
const { chromium } = require("playwright-core");

const config = JSON.parse(process.argv[2]);
const STEP_MS = (config.stepSeconds || 60) * 1000;
const started = Date.now();

function log(message) {
  process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${message}\n`);
}

/** Monaco renders spaces as non-breaking spaces. */
function plain(text) {
  return (text || "").replace(/\u00a0/g, " ");
}

/** Retry `attempt` (which returns true when done) until it succeeds or the deadline passes. */
async function until(what, attempt, ms = STEP_MS) {
  const deadline = Date.now() + ms;
  let last;
  while (Date.now() < deadline) {
    try {
      if (await attempt(deadline - Date.now())) {
        return;
      }
    } catch (error) {
      last = error;
    }
  }
  throw new Error(`timed out after ${ms / 1000}s waiting for ${what}${last ? ` (${last.message.split("\n")[0]})` : ""}`);
}

async function lineTexts(page) {
  return (await page.locator(".monaco-editor .view-lines .view-line").allTextContents()).map(plain);
}

/** Put the cursor at "line:column" with Go to Line (Ctrl+G). */
async function goTo(page, where) {
  await page.keyboard.press("Control+G");
  const input = page.locator(".quick-input-widget input");
  await input.waitFor({ state: "visible", timeout: STEP_MS });
  await input.fill(`:${where}`);
  await page.keyboard.press("Enter");
  await input.waitFor({ state: "hidden", timeout: STEP_MS });
}

async function runCommand(page, title) {
  await page.keyboard.press("F1");
  const input = page.locator(".quick-input-widget input");
  await input.waitFor({ state: "visible", timeout: STEP_MS });
  await input.fill(`>${title}`);
  await page.locator(".quick-input-list .monaco-list-row", { hasText: title }).first().waitFor({ timeout: STEP_MS });
  await page.keyboard.press("Enter");
}

async function main(page) {
  await page.goto(`${config.url}?folder=${encodeURIComponent(config.folder)}`, { waitUntil: "commit" });
  log("page requested");
  await page.locator(".monaco-workbench").waitFor({ timeout: STEP_MS });
  log("workbench shown");
  const status = page.locator(".statusbar-item", { hasText: "fixloop" });
  await status.first().waitFor({ timeout: STEP_MS });
  log(`workbench up; status item: ${plain(await status.first().textContent())}`);

  // fixloop.server.path starts out wrong: the user is told what is wrong and how to fix it.
  const notFound = page.locator(".notifications-toasts .notification-toast", { hasText: config.notFoundText });
  await notFound.first().waitFor();
  const message = plain(await notFound.locator(".notification-list-item-message").first().textContent());
  const buttons = await notFound.locator(".monaco-button").allTextContents();
  log(`error shown: ${message} ${JSON.stringify(buttons)}`);
  if (!buttons.includes("Open Settings")) {
    throw new Error(`the error offers no "Open Settings": ${JSON.stringify(buttons)}`);
  }
  await page.screenshot({ path: config.screenshots.notFound });
  await notFound.locator(".monaco-button", { hasText: "Open Settings" }).first().click();
  const pathInput = page.locator('.settings-editor [data-key="fixloop.server.path"] input').first();
  await pathInput.waitFor();
  await pathInput.fill(config.serverPath);
  log("fixloop.server.path set in the Settings editor");
  await status.locator(".codicon-check").first().waitFor();
  log(`server restarted; status item: ${plain(await status.first().textContent())}`);

  // A model setting names a key variable with no key yet: the warning's button stores one;
  // the server restarts with it in its environment.
  const noKey = page.locator(".notifications-toasts .notification-toast", { hasText: `no API key for ${config.apiKeyName}` });
  await noKey.first().waitFor();
  await noKey.locator(".monaco-button", { hasText: "Set API Key" }).first().click();
  const quick = page.locator(".quick-input-widget");
  await quick.locator(".monaco-list-row", { hasText: config.apiKeyName }).first().click();
  const password = page.locator('.quick-input-widget input[type="password"]');
  await password.waitFor({ state: "visible" });
  await password.fill(config.apiKey);
  await page.keyboard.press("Enter");
  await page.locator(".notifications-toasts", { hasText: `stored the key for ${config.apiKeyName}` }).waitFor();
  log("API key stored");

  await page.locator(".explorer-folders-view .monaco-list-row", { hasText: config.file }).first().click();
  await page.locator(".monaco-editor .view-lines").first().waitFor({ timeout: STEP_MS });
  log(`opened ${config.file}`);

  const squiggles = page.locator(".monaco-editor .squiggly-error, .monaco-editor .squiggly-warning");
  await squiggles.first().waitFor({ timeout: STEP_MS });
  log("squiggle shown");

  await status.filter({ hasText: /\b1 fix\b/ }).first().waitFor({ timeout: STEP_MS });
  log(`status item: ${plain(await status.first().textContent())}`);

  // Ctrl+. on the flagged name; the list may still show "fixing" for a moment: reopen until the fix is there.
  const entry = page.locator(".action-widget .monaco-list-row", { hasText: config.fixTitle });
  await until(`the quick fix "${config.fixTitle}" in the Ctrl+. list`, async (left) => {
    await page.keyboard.press("Escape");
    await goTo(page, config.flaggedAt);
    await page.keyboard.press("Control+Period");
    try {
      await entry.first().waitFor({ timeout: Math.min(left, 5000) });
      return true;
    } catch {
      return false;
    }
  });
  const titles = (await page.locator(".action-widget .monaco-list-row").allTextContents()).map(plain);
  log(`quick fixes listed: ${JSON.stringify(titles)}`);
  // Enter applies the focused entry: move the focus to ours.
  for (let i = 0; i < titles.length && !(await entry.first().getAttribute("class")).includes("focused"); i++) {
    await page.keyboard.press("ArrowDown");
  }
  if (!(await entry.first().getAttribute("class")).includes("focused")) {
    throw new Error(`could not focus "${config.fixTitle}" in ${JSON.stringify(titles)}`);
  }
  await page.screenshot({ path: config.screenshots.quickFix });
  await page.keyboard.press("Enter");

  await page.waitForFunction(
    (line) =>
      [...document.querySelectorAll(".monaco-editor .view-lines .view-line")].some(
        (element) => element.textContent.replace(/\u00a0/g, " ") === line,
      ),
    config.fixedLine,
  );
  log("fix applied");
  await page.waitForFunction(
    () => document.querySelectorAll(".monaco-editor .squiggly-error, .monaco-editor .squiggly-warning").length === 0,
  );
  log("squiggle gone");

  await page.keyboard.press("Control+S");
  await page.locator(".tab.dirty").first().waitFor({ state: "detached" });
  log(`saved; lines: ${JSON.stringify(await lineTexts(page))}`);
  await page.screenshot({ path: config.screenshots.done });

  await runCommand(page, "fixloop: Show Stats");
  const stats = page.locator(".notifications-toasts .notification-list-item-message", { hasText: config.statsText });
  await stats.first().waitFor();
  log(`stats: ${plain(await stats.first().textContent())}`);
}

(async () => {
  const browser = await chromium.launch({
    executablePath: config.chromium || "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  log("browser up");
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  page.setDefaultTimeout(STEP_MS);
  let code = 0;
  try {
    await main(page);
    log("PASS");
  } catch (error) {
    code = 1;
    log(`FAIL: ${error.message}`);
    await page.screenshot({ path: config.screenshots.failure }).catch(() => undefined);
  } finally {
    await browser.close().catch(() => undefined);
  }
  process.exit(code);
})();
