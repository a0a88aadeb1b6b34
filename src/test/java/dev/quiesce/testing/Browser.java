package dev.quiesce.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium driven through its own chromedriver ({@value #DRIVER}, {@value #BINARY}),
 * both named explicitly so Selenium Manager never looks for or downloads anything. A browser that is
 * not installed fails the test that needs it, saying how to install it: CI installs it ({@code .ci/run}),
 * and a console test that skips would pass without testing anything. One profile per browser, in a
 * temporary directory deleted at {@link #close}. Not thread-safe: one test thread drives it.
 */
public final class Browser implements AutoCloseable {

    public static final String DRIVER = "/usr/bin/chromedriver";
    public static final String BINARY = "/usr/bin/chromium";

    private final ChromeDriverService service;
    private final ChromeDriver driver;
    private final Path profile;

    private Browser(ChromeDriverService service, ChromeDriver driver, Path profile) {
        this.service = service;
        this.driver = driver;
        this.profile = profile;
    }

    /** Starts a headless browser. */
    public static Browser start() {
        for (String program : List.of(DRIVER, BINARY)) {
            if (!Files.isExecutable(Path.of(program))) {
                throw new IllegalStateException("The console's browser tests need headless Chromium and its driver, and "
                        + program + " is missing. Install both: apt-get update && apt-get install -y chromium "
                        + "chromium-driver (.ci/run does this).");
            }
        }
        Path profile;
        try {
            profile = Files.createTempDirectory("quiesce-chromium-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BINARY);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,1000", "--user-data-dir=" + profile);
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(DRIVER)).usingAnyFreePort().build();
        try {
            return new Browser(service, new ChromeDriver(service, options), profile);
        } catch (RuntimeException e) {
            service.stop();
            throw e;
        }
    }

    public ChromeDriver driver() {
        return driver;
    }

    /** The element with {@code id}. */
    public WebElement byId(String id) {
        return driver.findElement(By.id(id));
    }

    /** The text of the element with {@code id}, as the page shows it. */
    public String text(String id) {
        return byId(id).getText();
    }

    /** The text content of the element with {@code id}, exactly (not as laid out). */
    public String textContent(String id) {
        return byId(id).getDomProperty("textContent");
    }

    /** A wait of up to {@code atMost}, polling every 50 ms. */
    public WebDriverWait waitUpTo(Duration atMost) {
        WebDriverWait wait = new WebDriverWait(driver, atMost);
        wait.pollingEvery(Duration.ofMillis(50));
        return wait;
    }

    /** The browser console's entries since the last call: failed loads and CSP violations are SEVERE. */
    public List<LogEntry> consoleEntries() {
        return driver.manage().logs().get(LogType.BROWSER).getAll();
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            service.stop();
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            } catch (IOException e) {
                // a temporary directory; the machine cleans /tmp
            }
        }
    }
}
