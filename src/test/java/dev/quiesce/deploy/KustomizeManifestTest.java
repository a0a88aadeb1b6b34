package dev.quiesce.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quiesce.drain.DrainStateBean;
import dev.quiesce.inbox.Inbox;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Renders {@code deploy/kubernetes} and the example overlay as {@code kubectl apply -k} would and
 * checks them against the application: ports and probes against {@code quarkus.http.port} and the
 * endpoints the app serves, the volume against {@code quiesce.home}, the grace period against the
 * shutdown budget, and the pod's hardening. {@link ProbeEndpointsTest} asks the running app for the
 * probed endpoints.
 *
 * <p>Without kubectl or kustomize the default deployment is read with {@link Manifests#readWithoutKustomize}
 * and the overlay (whose patches only kustomize applies) is skipped.
 */
class KustomizeManifestTest {

    /** SmallRye Health's endpoints under Quarkus' non-application root (neither is reconfigured). */
    static final String LIVENESS_PATH = "/q/health/live";
    static final String STARTUP_PATH = "/q/health/started";
    /** Micrometer's Prometheus endpoint. */
    static final String METRICS_PATH = "/q/metrics";

    /**
     * grpc.health.v1 services that turn NOT_SERVING as soon as a drain begins. Not
     * quiesce.v1.DrainControl: it stays SERVING while draining, so it would keep a draining pod ready.
     */
    static final Set<String> DRAIN_FOLLOWING_HEALTH_SERVICES = Set.of("", "quiesce.v1.MessageGateway");

    /** After the drain timeout, the shutdown sequence gives interrupted callers 2 s to receive their replies. */
    static final Duration INTERRUPT_FLUSH = Duration.ofSeconds(2);

    private static GatewayPod pod(String kustomization) {
        Path dir = Path.of(kustomization);
        if (!dir.equals(Manifests.DEFAULT)) {
            assumeThat(Manifests.kustomizeAvailable()).as("kubectl or kustomize on the PATH renders overlays").isTrue();
        }
        return new GatewayPod(Manifests.render(dir));
    }

    private static int httpPort(GatewayPod pod) {
        return Integer.parseInt(pod.settings(pod.gateway()).require("quarkus.http.port"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"deploy/kubernetes", "deploy/kubernetes/overlays/example"})
    void gatewayContainerListensOnTheConfiguredHttpPort(String kustomization) {
        GatewayPod pod = pod(kustomization);

        assertThat(httpPort(pod)).isEqualTo(Integer.parseInt(AppSettings.builtIn().require("quarkus.http.port")));
        List<Integer> ports = new ArrayList<>();
        pod.gateway().path("ports").forEach(p -> ports.add(p.path("containerPort").asInt()));
        assertThat(ports).containsExactly(httpPort(pod));
    }

    @ParameterizedTest
    @ValueSource(strings = {"deploy/kubernetes", "deploy/kubernetes/overlays/example"})
    void dataServiceSendsToTheHttpPortOfReadyPodsOnly(String kustomization) {
        GatewayPod pod = pod(kustomization);
        JsonNode service = pod.manifests().named("Service", "quiesce");

        assertThat(service.path("spec").path("publishNotReadyAddresses").asBoolean(false)).isFalse();
        assertThat(service.path("spec").path("clusterIP").asText()).isNotEqualTo("None");
        assertSelectsThePods(pod, service.path("spec").path("selector"));
        assertThat(service.path("spec").path("ports")).hasSize(1);
        assertThat(pod.resolvePort(service.path("spec").path("ports").get(0).path("targetPort"))).isEqualTo(httpPort(pod));
    }

    @ParameterizedTest
    @ValueSource(strings = {"deploy/kubernetes", "deploy/kubernetes/overlays/example"})
    void controlServiceIsHeadlessAndReachesPodsThatAreDraining(String kustomization) {
        GatewayPod pod = pod(kustomization);
        String name = pod.statefulSet().path("spec").path("serviceName").asText();
        JsonNode control = pod.manifests().named("Service", name).path("spec");

        assertThat(name).isEqualTo("quiesce-control");
        assertThat(control.path("clusterIP").asText()).isEqualTo("None");
        assertThat(control.path("publishNotReadyAddresses").asBoolean(false)).isTrue();
        assertSelectsThePods(pod, control.path("selector"));
        assertThat(pod.resolvePort(control.path("ports").get(0).path("targetPort"))).isEqualTo(httpPort(pod));
    }

    @ParameterizedTest
    @ValueSource(strings = {"deploy/kubernetes", "deploy/kubernetes/overlays/example"})
    void readinessIsTheNativeGrpcProbeOfAHealthServiceThatFollowsTheDrain(String kustomization) {
        GatewayPod pod = pod(kustomization);
        JsonNode readiness = pod.gateway().path("readinessProbe");

        assertThat(readiness.has("grpc")).as("native gRPC readiness probe").isTrue();
        assertThat(readiness.path("grpc").path("port").asInt()).isEqualTo(httpPort(pod));
        // An absent service is the empty one, the server's overall status.
        assertThat(readiness.path("grpc").path("service").asText("")).isIn(DRAIN_FOLLOWING_HEALTH_SERVICES);
    }

    @ParameterizedTest
    @ValueSource(strings = {"deploy/kubernetes", "deploy/kubernetes/overlays/example"})
    void livenessAndStartupProbeTheHealthEndpointsOnTheHttpPort(String kustomization) {
        GatewayPod pod = pod(kustomization);
        JsonNode liveness = pod.gateway().path("livenessProbe").path("httpGet");
        JsonNode startup = pod.gateway().path("startupProbe").path("httpGet");

        assertThat(liveness.path("path").asText()).isEqualTo(LIVENESS_PATH);
        assertThat(pod.resolvePort(liveness.path("port"))).isEqualTo(httpPort(pod));
        assertThat(startup.path("path").asText()).isEqualTo(STARTUP_PATH);
        assertThat(pod.resolvePort(startup.path("port"))).isEqualTo(httpPort(pod));
    }

    @ParameterizedTest
    @ValueSource(strings = {"deploy/kubernetes", "deploy/kubernetes/overlays/example"})
    void prometheusScrapesTheMetricsEndpoint(String kustomization) {
        GatewayPod pod = pod(kustomization);
        JsonNode annotations = pod.templateMetadata().path("annotations");

        assertThat(annotations.path("prometheus.io/scrape").asText()).isEqualTo("true");
        assertThat(annotations.path("prometheus.io/port").asText()).isEqualTo(String.valueOf(httpPort(pod)));
        assertThat(annotations.path("prometheus.io/path").asText()).isEqualTo(METRICS_PATH);
    }

    @ParameterizedTest
    @ValueSource(strings = {"deploy/kubernetes", "deploy/kubernetes/overlays/example"})
    void homeIsAPersistentVolumeMountedAtTheConfiguredHome(String kustomization) {
        GatewayPod pod = pod(kustomization);
        String home = pod.settings(pod.gateway()).require("quiesce.home");

        assertThat(Path.of(home).isAbsolute()).as("quiesce.home %s is absolute", home).isTrue();
        for (JsonNode container : pod.allContainers()) {
            JsonNode mount = mountAt(container, home);
            assertThat(mount).as("%s mounts the home at %s", container.path("name").asText(), home).isNotNull();
            assertThat(pod.isClaimTemplate(mount.path("name").asText()))
                    .as("the home volume '%s' is a volumeClaimTemplate", mount.path("name").asText()).isTrue();
            assertThat(mount.path("readOnly").asBoolean(false)).isFalse();
            assertThat(pod.settings(container).require("quiesce.home")).isEqualTo(home);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"deploy/kubernetes", "deploy/kubernetes/overlays/example"})
    void theHomeAndSoTheInboxOutlivesThePod(String kustomization) {
        JsonNode retention = pod(kustomization).statefulSet().path("spec").path("persistentVolumeClaimRetentionPolicy");

        // Absent means Retain too; stated, so that nobody sets Delete without reading why.
        assertThat(retention.path("whenDeleted").asText()).as("whenDeleted").isEqualTo("Retain");
        assertThat(retention.path("whenScaled").asText()).as("whenScaled").isEqualTo("Retain");
    }

    @ParameterizedTest
    @ValueSource(strings = {"deploy/kubernetes", "deploy/kubernetes/overlays/example"})
    void gracePeriodOutlastsTheWholeShutdownSequence(String kustomization) {
        GatewayPod pod = pod(kustomization);
        AppSettings settings = pod.settings(pod.gateway());
        Duration shutdown = Inbox.RESUME_RECORD_WAIT
                .plus(settings.duration("quiesce.shutdown.drain-timeout"))
                .plus(INTERRUPT_FLUSH)
                .plus(DrainStateBean.CONTROL_CALL_WAIT)
                .plus(Inbox.CLOSE_WAIT)
                .plus(settings.duration("quiesce.notify.budget"))
                .plus(settings.duration("quarkus.shutdown.timeout"));
        long grace = pod.spec().path("terminationGracePeriodSeconds").asLong(30);

        assertThat(Duration.ofSeconds(grace))
                .as("terminationGracePeriodSeconds %d vs 2s resume record + drain-timeout + 2s flush + 2s stuck control call"
                                + " + 2s inbox close + notify budget"
                                + " + shutdown timeout = %s",
                        grace, shutdown)
                .isGreaterThan(shutdown);
    }

    @Test
    void builtInShutdownBudgetIsWhatTheDefaultDeploymentStates() {
        // The ConfigMap restates the app's defaults, so reading the deployment tells the whole budget;
        // if a default changes, the deployment's comment and grace period need a look too.
        GatewayPod pod = pod(Manifests.DEFAULT.toString());
        AppSettings deployed = pod.settings(pod.gateway());
        AppSettings builtIn = AppSettings.builtIn();

        for (String property : List.of("quiesce.shutdown.drain-timeout", "quiesce.notify.budget")) {
            assertThat(AppSettings.quiesceDefault(property)).as("%s has a @WithDefault", property).isPresent();
            assertThat(deployed.duration(property)).as(property).isEqualTo(builtIn.duration(property));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"deploy/kubernetes", "deploy/kubernetes/overlays/example"})
    void everyContainerRunsAsNonRootWithAReadOnlyRootFilesystem(String kustomization) {
        GatewayPod pod = pod(kustomization);

        assertThat(pod.spec().path("securityContext").path("fsGroup").asInt(0))
                .as("fsGroup makes the persistent volume writable for the non-root user").isPositive();
        for (JsonNode container : pod.allContainers()) {
            String name = container.path("name").asText();
            assertThat(pod.securityField(container, "runAsNonRoot").asBoolean(false)).as("%s runAsNonRoot", name).isTrue();
            assertThat(pod.securityField(container, "runAsUser").asInt(0)).as("%s runAsUser", name).isPositive();
            assertThat(container.path("securityContext").path("readOnlyRootFilesystem").asBoolean(false))
                    .as("%s readOnlyRootFilesystem", name).isTrue();
            assertThat(container.path("securityContext").path("allowPrivilegeEscalation").asBoolean(true))
                    .as("%s allowPrivilegeEscalation", name).isFalse();
            List<String> dropped = new ArrayList<>();
            container.path("securityContext").path("capabilities").path("drop").forEach(c -> dropped.add(c.asText()));
            assertThat(dropped).as("%s drops capabilities", name).contains("ALL");
            assertThat(container.path("securityContext").path("capabilities").path("add")).as("%s adds none", name).isEmpty();
            assertThat(container.path("resources").path("limits").path("memory").isMissingNode())
                    .as("%s has a memory limit", name).isFalse();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"deploy/kubernetes", "deploy/kubernetes/overlays/example"})
    void onlyTheHomeAndTmpAreWritable(String kustomization) {
        GatewayPod pod = pod(kustomization);
        String home = pod.settings(pod.gateway()).require("quiesce.home");

        Set<String> writable = new TreeSet<>();
        for (JsonNode container : pod.allContainers()) {
            for (JsonNode mount : container.path("volumeMounts")) {
                if (!mount.path("readOnly").asBoolean(false)) {
                    writable.add(mount.path("mountPath").asText());
                }
            }
        }
        assertThat(writable).isSubsetOf(home, "/tmp").contains(home);
        JsonNode tmp = mountAt(pod.gateway(), "/tmp");
        assertThat(tmp).as("/tmp is mounted (the JVM writes there)").isNotNull();
        assertThat(pod.volume(tmp.path("name").asText()).orElseThrow().has("emptyDir")).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"deploy/kubernetes", "deploy/kubernetes/overlays/example"})
    void tokensComeFromASecretMountedAsADirectorySoRotationReachesThePod(String kustomization) {
        GatewayPod pod = pod(kustomization);
        String home = pod.settings(pod.gateway()).require("quiesce.home");

        JsonNode secretMount = null;
        for (JsonNode mount : pod.gateway().path("volumeMounts")) {
            if (pod.volume(mount.path("name").asText()).map(v -> v.has("secret")).orElse(false)) {
                secretMount = mount;
            }
        }
        assertThat(secretMount).as("a Secret volume is mounted in the gateway container").isNotNull();
        // A subPath mount is a copy taken when the container starts: it never sees a rotation.
        assertThat(secretMount.has("subPath")).as("the Secret is mounted without subPath").isFalse();
        assertThat(secretMount.path("readOnly").asBoolean(false)).isTrue();
        JsonNode secret = pod.volume(secretMount.path("name").asText()).orElseThrow().path("secret");
        assertThat(secret.path("secretName").asText()).isEqualTo("quiesce-tokens");
        assertThat(secret.path("optional").asBoolean(false)).as("without the Secret the pod waits").isFalse();
        for (JsonNode item : secret.path("items")) {
            assertThat(item.path("key").asText() + "->" + item.path("path").asText()).isEqualTo("tokens->tokens");
        }

        String secretTokens = secretMount.path("mountPath").asText() + "/tokens";
        JsonNode linker = pod.initContainers().stream()
                .filter(c -> String.join(" ", texts(c.path("command")), texts(c.path("args"))).contains(secretTokens))
                .findFirst().orElse(null);
        assertThat(linker).as("an init container links <home>/tokens to %s", secretTokens).isNotNull();
        assertThat(texts(linker.path("args")) + texts(linker.path("command")))
                .contains("ln -sfn " + secretTokens + " \"$QUIESCE_HOME/tokens\"");
        assertThat(pod.environment(linker)).containsEntry("QUIESCE_HOME", home);
        // The gateway's own image: nothing else to pull, and it has the shell the command needs.
        assertThat(linker.path("image").asText()).isEqualTo(pod.gateway().path("image").asText());
    }

    @ParameterizedTest
    @ValueSource(strings = {"deploy/kubernetes", "deploy/kubernetes/overlays/example"})
    void markerEpochOutlivesContainerRestartsButNotThePod(String kustomization) {
        // The epoch includes PID 1's start time; with a shared process namespace PID 1 is the pod's
        // sandbox, so a container restart keeps the epoch and a new pod gets a new one.
        assertThat(pod(kustomization).spec().path("shareProcessNamespace").asBoolean(false)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"deploy/kubernetes", "deploy/kubernetes/overlays/example"})
    void disruptionBudgetCoversThePods(String kustomization) {
        GatewayPod pod = pod(kustomization);
        JsonNode budget = pod.manifests().single("PodDisruptionBudget").path("spec");

        assertSelectsThePods(pod, budget.path("selector").path("matchLabels"));
        assertThat(budget.has("maxUnavailable") || budget.has("minAvailable")).isTrue();
    }

    @Test
    void fallbackReaderSeesWhatKustomizeRenders() {
        assumeThat(Manifests.kustomizeAvailable()).as("kubectl or kustomize on the PATH").isTrue();
        Manifests rendered = Manifests.render(Manifests.DEFAULT);
        Manifests read = Manifests.readWithoutKustomize(Manifests.DEFAULT);

        assertThat(identities(read)).isEqualTo(identities(rendered));
        GatewayPod renderedPod = new GatewayPod(rendered);
        GatewayPod readPod = new GatewayPod(read);
        assertThat(readPod.environment(readPod.gateway())).isEqualTo(renderedPod.environment(renderedPod.gateway()));
        assertThat(readPod.gateway().path("readinessProbe")).isEqualTo(renderedPod.gateway().path("readinessProbe"));
        for (String service : List.of("quiesce", "quiesce-control")) {
            assertThat(read.named("Service", service).path("spec")).isEqualTo(rendered.named("Service", service).path("spec"));
        }
        assertThat(read.single("PodDisruptionBudget").path("spec")).isEqualTo(rendered.single("PodDisruptionBudget").path("spec"));
    }

    private static Set<String> identities(Manifests manifests) {
        Set<String> out = new TreeSet<>();
        for (JsonNode resource : manifests.all()) {
            // Generated ConfigMaps carry a content hash only when kustomize renders them.
            String name = resource.path("metadata").path("name").asText().replaceFirst("^(quiesce-config)-[a-z0-9]{10}$", "$1");
            out.add(resource.path("kind").asText() + "/" + name);
        }
        return out;
    }

    private static void assertSelectsThePods(GatewayPod pod, JsonNode selector) {
        JsonNode labels = pod.templateMetadata().path("labels");
        assertThat(selector.isEmpty()).as("selector is not empty").isFalse();
        selector.properties().forEach((Map.Entry<String, JsonNode> e) ->
                assertThat(labels.path(e.getKey()).asText()).as("pod label %s", e.getKey()).isEqualTo(e.getValue().asText()));
    }

    private static JsonNode mountAt(JsonNode container, String path) {
        for (JsonNode mount : container.path("volumeMounts")) {
            if (path.equals(mount.path("mountPath").asText())) {
                return mount;
            }
        }
        return null;
    }

    private static String texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return String.join(" ", out);
    }
}
