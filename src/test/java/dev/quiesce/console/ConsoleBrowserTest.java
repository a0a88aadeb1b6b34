package dev.quiesce.console;

import com.google.protobuf.Duration;
import dev.quiesce.api.v1.BeginDrainRequest;
import dev.quiesce.api.v1.CancelDrainRequest;
import dev.quiesce.api.v1.DrainState;
import dev.quiesce.api.v1.InboundMessage;
import dev.quiesce.api.v1.TurnResult;
import dev.quiesce.drain.DrainSnapshot;
import dev.quiesce.drain.DrainStateBean;
import dev.quiesce.drain.Phase;
import dev.quiesce.testing.AgentBackend;
import dev.quiesce.testing.Browser;
import dev.quiesce.testing.ConsolePage;
import dev.quiesce.testing.ConsoleProfile;
import dev.quiesce.testing.GatewayClient;
import dev.quiesce.testing.InjectAgentBackend;
import dev.quiesce.testing.TestTokens;
import io.grpc.Channel;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.net.URL;
import java.util.List;
import java.util.concurrent.Future;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.NoAlertPresentException;

import static dev.quiesce.testing.GatewayClient.result;
import static dev.quiesce.testing.GatewayClient.session;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The console in a real browser (headless Chromium) against the running application: what it shows,
 * that it follows changes made elsewhere without a reload, that strings from the state are text, and
 * that its buttons drain and resume with the token an operator pastes.
 */
@QuarkusTest
@TestProfile(ConsoleProfile.class)
class ConsoleBrowserTest {

    private static Browser browser;

    @TestHTTPResource("/")
    URL root;

    @GrpcClient("gateway")
    Channel channel;

    @InjectAgentBackend
    AgentBackend backend;

    @Inject
    DrainStateBean state;

    private GatewayClient gateway;
    private ConsolePage page;

    @BeforeAll
    static void startBrowser() {
        browser = Browser.start();
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    @BeforeEach
    void openConsole() {
        gateway = new GatewayClient(channel);
        page = new ConsolePage(browser).open(root.toString());
        browser.consoleEntries();
    }

    @AfterEach
    void resume() {
        backend.releaseAll();
        state.cancelDrain("test", "");
        await().until(() -> state.current().inFlightCount() == 0);
    }

    @Test
    void thePageNeedsNoTokenButTheDataDoes() {
        assertThat(page.connection()).isEqualTo("no-token");
        assertThat(browser.text("phase")).isEqualTo("—");

        page.useToken(TestTokens.READER.token);

        page.awaitLive("RUNNING", ConsolePage.SHOWS_WITHIN);
        assertThat(browser.text("drained")).isEqualTo("no");
        assertThat(browser.text("marker-status")).isEqualTo("ABSENT");
        assertThat(browser.driver().getCurrentUrl()).doesNotContain(TestTokens.READER.token);
        assertThat(browser.driver().executeScript("return sessionStorage.getItem('quiesce.token')"))
                .isEqualTo(TestTokens.READER.token);
        assertThat(browser.driver().executeScript("return localStorage.length")).isEqualTo(0L);
        assertThat(severe()).isEmpty();
    }

    @Test
    void aDrainBegunOverGrpcShowsWithoutAReload() {
        page.useToken(TestTokens.READER.token);
        page.awaitLive("RUNNING", ConsolePage.SHOWS_WITHIN);
        page.markThisPage();

        DrainState drained = gateway.control().beginDrain(BeginDrainRequest.newBuilder()
                .setReason("image migration").setLease(Duration.newBuilder().setSeconds(600)).build());

        page.awaitLive("DRAINING", ConsolePage.SHOWS_WITHIN);
        page.awaitText("drain-id", drained.getDrain().getDrainId(), ConsolePage.SHOWS_WITHIN);
        assertThat(browser.textContent("drain-principal")).isEqualTo("operator");
        assertThat(browser.textContent("drain-reason")).isEqualTo("image migration");
        assertThat(browser.text("drained")).isEqualTo("yes");
        assertThat(browser.textContent("drain-lease")).matches("expires in (9m \\d+s|10m 0s)");
        String lease = browser.textContent("drain-lease");
        browser.waitUpTo(java.time.Duration.ofSeconds(3)).until(d -> !lease.equals(browser.textContent("drain-lease")));
        browser.waitUpTo(ConsolePage.SHOWS_WITHIN).until(d -> page.rows("audit-rows").stream()
                .anyMatch(row -> row.contains(drained.getDrain().getDrainId()) && row.contains("begin")));

        gateway.control().cancelDrain(CancelDrainRequest.newBuilder().setDrainId(drained.getDrain().getDrainId()).build());

        page.awaitLive("RUNNING", ConsolePage.SHOWS_WITHIN);
        assertThat(browser.byId("drain").isDisplayed()).isFalse();
        assertThat(page.stillTheSamePage()).isTrue();
    }

    @Test
    void aSlowTurnShowsWithItsSessionChannelAndATickingAge() {
        page.useToken(TestTokens.READER.token);
        page.awaitLive("RUNNING", ConsolePage.SHOWS_WITHIN);
        String s = session("console-slow");
        Future<TurnResult> turn = gateway.send(TestTokens.INGESTER, InboundMessage.newBuilder().setSessionId(s)
                .setChannel("slack:C024BE91L").setText("a long question").build());
        AgentBackend.Request held = backend.awaitRequest(s);

        browser.waitUpTo(ConsolePage.SHOWS_WITHIN).until(d -> page.rows("turn-rows").stream()
                .anyMatch(row -> row.get(0).equals(s)));
        List<String> row = page.rows("turn-rows").stream().filter(r -> r.get(0).equals(s)).findFirst().orElseThrow();
        assertThat(row.subList(0, 3)).containsExactly(s, "slack:C024BE91L", "user");
        String age = row.get(3);
        assertThat(age).matches("\\d+s");
        browser.waitUpTo(java.time.Duration.ofSeconds(3)).until(d -> page.rows("turn-rows").stream()
                .anyMatch(r -> r.get(0).equals(s) && !r.get(3).equals(age)));

        gateway.control().beginDrain(BeginDrainRequest.newBuilder().setReason("held by a turn").build());
        page.awaitLive("DRAINING", ConsolePage.SHOWS_WITHIN);
        assertThat(browser.text("drained")).isEqualTo("no");

        held.reply("done");
        assertThat(result(turn).getReply()).isEqualTo("done");
        page.awaitText("drained", "yes", ConsolePage.SHOWS_WITHIN);
        assertThat(page.rows("turn-rows")).isEmpty();
    }

    @Test
    void aReasonThatLooksLikeHtmlShowsAsTextAndRunsNothing() {
        String reason = "<img src=x onerror=alert(1)><script>alert(2)</script>&amp; \"quoted\"";
        page.useToken(TestTokens.READER.token);
        page.awaitLive("RUNNING", ConsolePage.SHOWS_WITHIN);

        gateway.control().beginDrain(BeginDrainRequest.newBuilder().setReason(reason).build());

        page.awaitText("drain-reason", reason, ConsolePage.SHOWS_WITHIN);
        browser.waitUpTo(ConsolePage.SHOWS_WITHIN).until(d -> page.rows("audit-rows").stream()
                .anyMatch(row -> row.contains(reason)));
        assertThat(browser.driver().findElements(By.tagName("img"))).isEmpty();
        assertThat(browser.driver().findElements(By.cssSelector("body script"))).isEmpty();
        assertThatThrownBy(() -> browser.driver().switchTo().alert()).isInstanceOf(NoAlertPresentException.class);
        assertThat(severe()).isEmpty();
    }

    @Test
    void beginRenewAndCancelFromThePageWithAPastedToken() {
        page.useToken(TestTokens.OPERATOR.token);
        page.awaitLive("RUNNING", ConsolePage.SHOWS_WITHIN);

        page.type("reason", "from the console");
        page.type("lease", "120");
        page.click("suppress");
        page.click("begin");

        page.awaitLive("DRAINING", ConsolePage.SHOWS_WITHIN);
        DrainSnapshot begun = state.current();
        assertThat(begun.drain().principal()).isEqualTo("operator");
        assertThat(begun.drain().reason()).isEqualTo("from the console");
        assertThat(begun.drain().suppressNotification()).isTrue();
        assertThat(begun.drain().leaseExpiresAt()).isBefore(begun.changedAt().plusSeconds(121));
        page.awaitText("drain-id", begun.drain().drainId(), ConsolePage.SHOWS_WITHIN);
        assertThat(browser.textContent("drain-suppress")).isEqualTo("suppressed");

        page.type("lease", "3600");
        page.click("renew");
        await().atMost(ConsolePage.SHOWS_WITHIN).until(() -> state.current().drain() != null
                && state.current().drain().leaseExpiresAt().isAfter(begun.drain().leaseExpiresAt().plusSeconds(3000)));
        assertThat(state.current().drain().drainId()).isEqualTo(begun.drain().drainId());
        assertThat(state.current().drain().reason()).isEqualTo("from the console");
        browser.waitUpTo(ConsolePage.SHOWS_WITHIN).until(d -> browser.textContent("drain-lease").startsWith("expires in 59m")
                || browser.textContent("drain-lease").startsWith("expires in 1h"));

        page.click("cancel");

        page.awaitLive("RUNNING", ConsolePage.SHOWS_WITHIN);
        assertThat(state.current().phase()).isEqualTo(Phase.RUNNING);
        browser.waitUpTo(ConsolePage.SHOWS_WITHIN).until(d -> page.rows("audit-rows").stream()
                .anyMatch(row -> row.contains("cancel") && row.contains(begun.drain().drainId())));
        assertThat(browser.byId("action-error").isDisplayed()).isFalse();
    }

    @Test
    void aWrongTokenShowsTheApisOwnDescription() {
        String wrong = "qsc_not_a_token_of_this_gateway";
        String expected = given().header("authorization", "Bearer " + wrong).contentType("application/json")
                .body("{\"action\":\"drain\"}").post("/api/gateway/drain")
                .then().statusCode(401).extract().path("error");

        page.useToken(wrong);

        browser.waitUpTo(ConsolePage.SHOWS_WITHIN).until(d -> "refused".equals(page.connection()));
        assertThat(browser.textContent("connection")).isEqualTo(
                "the gateway refused the token: " + expected + " (UNAUTHENTICATED)");
        page.type("reason", "should not drain");
        page.click("begin");
        page.awaitText("action-error", expected + " (UNAUTHENTICATED)", ConsolePage.SHOWS_WITHIN);
        assertThat(state.current().phase()).isEqualTo(Phase.RUNNING);
    }

    @Test
    void aTokenThatMayOnlyReadCannotDrainAndIsToldWhy() {
        page.useToken(TestTokens.READER.token);
        page.awaitLive("RUNNING", ConsolePage.SHOWS_WITHIN);

        page.click("begin");

        browser.waitUpTo(ConsolePage.SHOWS_WITHIN).until(d -> browser.byId("action-error").isDisplayed());
        assertThat(browser.textContent("action-error"))
                .startsWith("token of principal 'dashboard' lacks scope 'drain'")
                .endsWith("(PERMISSION_DENIED)");
        assertThat(state.current().phase()).isEqualTo(Phase.RUNNING);
    }

    /** Browser console errors: failed loads (a missing file) and Content-Security-Policy violations. */
    private static List<String> severe() {
        return browser.consoleEntries().stream().filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(e -> e.getMessage()).toList();
    }
}
