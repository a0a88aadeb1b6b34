package dev.quiesce.console;

import dev.quiesce.testing.TestHome;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The console's files as the app serves them, over real HTTP: without a token, with the headers that make
 * it safe (SPEC §11), and with no inline script or style and no HTML parsing of data in its script.
 */
@QuarkusTest
@WithTestResource(TestHome.class)
class ConsolePageTest {

    private static final String CSP = "default-src 'self'; form-action 'none'; frame-ancestors 'none'";

    @ParameterizedTest
    @ValueSource(strings = {"/", "/index.html", "/console/console.js", "/console/console.css", "/console/favicon.svg"})
    void everyFileOfTheConsoleIsServedWithoutATokenAndWithTheSafetyHeaders(String path) {
        Response response = given().get(path);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.header("Content-Security-Policy")).isEqualTo(CSP);
        assertThat(response.header("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(response.header("Referrer-Policy")).isEqualTo("no-referrer");
    }

    @Test
    void theFilesHaveTheirTypes() {
        assertThat(given().get("/").contentType()).startsWith("text/html");
        assertThat(given().get("/console/console.js").contentType()).matches("(text|application)/javascript.*");
        assertThat(given().get("/console/console.css").contentType()).startsWith("text/css");
    }

    @Test
    void aMissingConsoleFileIsA404WithTheSameHeaders() {
        Response response = given().get("/console/nope.js");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.header("Content-Security-Policy")).isEqualTo(CSP);
    }

    @Test
    void theApisAnswersAreNotSniffedAndCarryNoPagePolicy() {
        Response response = given().get("/api/gateway/state");

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.header("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(response.header("Content-Security-Policy")).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/q/health/ready", "/quiesce.v1.DrainControl/GetState", "/index.htmlx", "/consoles/x"})
    void otherPathsGetNoneOfTheConsolesHeaders(String path) {
        assertThat(given().get(path).header("Content-Security-Policy")).isNull();
    }

    @Test
    void thePageHasNoInlineScriptOrStyle() throws IOException {
        String html = resource("index.html");

        assertThat(Pattern.compile("<script(?![^>]*\\ssrc=)", Pattern.CASE_INSENSITIVE).matcher(html).find())
                .as("a <script> without src").isFalse();
        assertThat(Pattern.compile("\\son[a-z]+\\s*=", Pattern.CASE_INSENSITIVE).matcher(html).find())
                .as("an event handler attribute").isFalse();
        assertThat(html).doesNotContainIgnoringCase("<style").doesNotContainIgnoringCase(" style=")
                .doesNotContain("javascript:").doesNotContain("http://").doesNotContain("https://");
    }

    @Test
    void theScriptNeverParsesDataAsHtmlNorPutsTheTokenInAUrl() throws IOException {
        String script = resource("console/console.js");

        assertThat(script).doesNotContain("innerHTML").doesNotContain("outerHTML")
                .doesNotContain("insertAdjacentHTML").doesNotContain("document.write").doesNotContain("eval(")
                .doesNotContain("new Function").doesNotContain("localStorage").doesNotContain("new EventSource")
                .doesNotContain("http://").doesNotContain("https://");
        assertThat(script).contains("textContent").contains("sessionStorage");
    }

    private static String resource(String path) throws IOException {
        try (InputStream in = ConsolePageTest.class.getResourceAsStream("/META-INF/resources/" + path)) {
            assertThat(in).as(path).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
