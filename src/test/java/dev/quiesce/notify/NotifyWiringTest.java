package dev.quiesce.notify;

import dev.quiesce.marker.MarkerJudgement;
import dev.quiesce.notify.NotifyReport.HomeBroadcast;
import dev.quiesce.pipeline.TurnInfo;
import dev.quiesce.testing.TestHome;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/** The notifier as the application wires it: default config (log sink, no home channel). */
@QuarkusTest
@WithTestResource(TestHome.class)
class NotifyWiringTest {

    @Inject
    NotificationSink sink;

    @Inject
    ShutdownNotifier notifier;

    @Test
    void theDefaultSinkIsTheLogAndTheNotifierPingsThroughIt() {
        assertThat(sink).isInstanceOf(LogSink.class);

        NotifyReport report = notifier.notifyShutdown(
                List.of(new TurnInfo("t-1", "s-1", "C-one", Instant.now(), false, 1)), MarkerJudgement.ABSENT,
                Instant.now().plusSeconds(5));

        assertThat(report.sessionPingsSent()).isEqualTo(1);
        assertThat(report.home()).isEqualTo(HomeBroadcast.NO_CHANNEL);
        String metrics = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        // Other tests may share this application: at least this call's counts.
        assertThat(metrics)
                .containsPattern("quiesce_notifications_total\\{kind=\"session_interrupted\",result=\"sent\"} [1-9]")
                .containsPattern("quiesce_notifications_total\\{kind=\"home_shutdown\",result=\"no_channel\"} [1-9]");
    }
}
