package dev.quiesce.testing;

import java.time.Duration;
import java.util.List;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The operator console ({@code GET /}) as a test uses it through a {@link Browser}: open it, paste a
 * token, wait for what it shows. Waits poll the page; none sleeps. Not thread-safe.
 */
public final class ConsolePage {

    /** How long a change may take to show: SPEC §11 says within a second; 2 s leaves room on a busy machine. */
    public static final Duration SHOWS_WITHIN = Duration.ofSeconds(2);

    private final Browser browser;

    public ConsolePage(Browser browser) {
        this.browser = browser;
    }

    /**
     * Loads the page at {@code root} (the app's base URL, ending in {@code /}), with an empty session
     * storage, so no token is left from an earlier test.
     */
    public ConsolePage open(String root) {
        browser.driver().get(root);
        browser.driver().executeScript("sessionStorage.clear()");
        browser.driver().navigate().refresh();
        browser.waitUpTo(Duration.ofSeconds(10)).until(d -> !"idle".equals(connection()));
        return this;
    }

    /** Pastes {@code token} into the token field and uses it, as an operator does. */
    public ConsolePage useToken(String token) {
        browser.byId("token").clear();
        browser.byId("token").sendKeys(token);
        browser.byId("use-token").click();
        return this;
    }

    /** The connection indicator's state: idle, no-token, connecting, live, lost, refused. */
    public String connection() {
        return browser.byId("connection").getDomAttribute("data-state");
    }

    /** Waits until the stream is live and the page shows {@code phase} (RUNNING, DRAINING, ...). */
    public void awaitLive(String phase, Duration atMost) {
        browser.waitUpTo(atMost).until(d -> "live".equals(connection()) && phase.equals(browser.text("phase")));
    }

    /** Waits until the element {@code id} has exactly the text content {@code text}. */
    public void awaitText(String id, String text, Duration atMost) {
        browser.waitUpTo(atMost).withMessage(() -> "#" + id + " never showed '" + text + "'; it shows '"
                + browser.textContent(id) + "'").until(d -> text.equals(browser.textContent(id)));
    }

    /** The rows of the table body {@code id}, each as its cells' text contents. */
    public List<List<String>> rows(String id) {
        return browser.byId(id).findElements(By.tagName("tr")).stream()
                .map(row -> row.findElements(By.tagName("td")).stream()
                        .map(cell -> cell.getDomProperty("textContent")).toList())
                .toList();
    }

    /** Sets an input's value as typing would (clears it first). */
    public void type(String id, String value) {
        WebElement input = browser.byId(id);
        input.clear();
        input.sendKeys(value);
    }

    public void click(String id) {
        browser.byId(id).click();
    }

    /**
     * Leaves a mark in the page's window object; {@link #stillTheSamePage} then tells whether the page
     * was reloaded since (a reload drops it).
     */
    public void markThisPage() {
        browser.driver().executeScript("window.quiesceTestMark = 'not reloaded'");
    }

    public boolean stillTheSamePage() {
        return "not reloaded".equals(browser.driver().executeScript("return window.quiesceTestMark"));
    }
}
