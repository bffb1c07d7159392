/** @odoo-module **/

/**
 * A tour step that takes a picture for the documentation (docs/images/<name>.png).
 *
 * In a normal test run it does nothing. `bin/screenshots` runs the tours of
 * tests/test_ui_tours.py with the cookie `order_addons_screenshots` set: the step then logs
 * which part of the page to capture, the test captures it with Chromium, and the step waits
 * until the picture is taken before the tour changes the page.
 *
 * @param {string} name file name of the picture, without extension
 * @param {string} trigger the element to capture (its bounding box, with a margin)
 */
export function screenshot(name, trigger) {
    return {
        content: `Picture for the documentation: ${name}`,
        trigger,
        async run() {
            if (!document.cookie.includes("order_addons_screenshots=1")) {
                return;
            }
            // Let pending renders and transitions settle, as a user would see the page.
            await new Promise((resolve) => setTimeout(resolve, 500));
            const rect = this.anchor.getBoundingClientRect();
            const margin = 8;
            const x = Math.max(rect.left - margin, 0);
            const y = Math.max(rect.top - margin, 0);
            const clip = {
                x,
                y,
                width: Math.min(rect.width + 2 * margin, window.innerWidth - x),
                height: Math.min(rect.height + 2 * margin, window.innerHeight - y),
                scale: 1,
            };
            console.log(`order_addons_screenshot ${JSON.stringify({ name, clip })}`);
            await new Promise((resolve) => {
                const taken = () =>
                    window.orderAddonsScreenshotTaken === name
                        ? resolve()
                        : setTimeout(taken, 50);
                taken();
            });
        },
    };
}
