package dev.quiesce.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The gateway's StatefulSet in a set of rendered {@link Manifests}, with the lookups the checks
 * need: the pod spec, the gateway container, a container's environment after {@code envFrom},
 * named ports. Read-only view; thread-safe.
 */
final class GatewayPod {

    /** The name of the gateway's container in the StatefulSet. */
    static final String CONTAINER = "quiesce";

    private final Manifests manifests;
    private final JsonNode statefulSet;

    GatewayPod(Manifests manifests) {
        this.manifests = manifests;
        this.statefulSet = manifests.single("StatefulSet");
    }

    /** Everything rendered with the StatefulSet. */
    Manifests manifests() {
        return manifests;
    }

    JsonNode statefulSet() {
        return statefulSet;
    }

    JsonNode spec() {
        return statefulSet.path("spec").path("template").path("spec");
    }

    JsonNode templateMetadata() {
        return statefulSet.path("spec").path("template").path("metadata");
    }

    /** The gateway container. */
    JsonNode gateway() {
        return containers().stream().filter(c -> CONTAINER.equals(c.path("name").asText())).findFirst()
                .orElseThrow(() -> new AssertionError("no container named " + CONTAINER));
    }

    /** The regular containers. */
    List<JsonNode> containers() {
        List<JsonNode> out = new ArrayList<>();
        spec().path("containers").forEach(out::add);
        return out;
    }

    /** The init containers. */
    List<JsonNode> initContainers() {
        List<JsonNode> out = new ArrayList<>();
        spec().path("initContainers").forEach(out::add);
        return out;
    }

    /** Regular and init containers. */
    List<JsonNode> allContainers() {
        List<JsonNode> out = new ArrayList<>(initContainers());
        out.addAll(containers());
        return out;
    }

    /**
     * The container's environment as the kubelet builds it: every key of each {@code envFrom}
     * ConfigMap, then {@code env} entries (which win). {@code valueFrom} entries other than a
     * ConfigMap key are left out: their value is not in the manifests.
     */
    Map<String, String> environment(JsonNode container) {
        Map<String, String> env = new HashMap<>();
        for (JsonNode source : container.path("envFrom")) {
            JsonNode ref = source.path("configMapRef");
            if (!ref.isMissingNode()) {
                manifests.named("ConfigMap", ref.path("name").asText()).path("data").properties()
                        .forEach(e -> env.put(source.path("prefix").asText("") + e.getKey(), e.getValue().asText()));
            }
        }
        for (JsonNode entry : container.path("env")) {
            if (entry.has("value")) {
                env.put(entry.path("name").asText(), entry.path("value").asText());
            } else if (entry.path("valueFrom").has("configMapKeyRef")) {
                JsonNode ref = entry.path("valueFrom").path("configMapKeyRef");
                env.put(entry.path("name").asText(),
                        manifests.named("ConfigMap", ref.path("name").asText()).path("data").path(ref.path("key").asText()).asText());
            }
        }
        return env;
    }

    /** The application's settings in {@code container}. */
    AppSettings settings(JsonNode container) {
        return AppSettings.inContainer(environment(container));
    }

    /** A probe's or Service's port, a number or the name of one of the gateway container's ports. */
    int resolvePort(JsonNode port) {
        if (port.isInt() || port.asText().matches("\\d+")) {
            return port.asInt();
        }
        for (JsonNode declared : gateway().path("ports")) {
            if (port.asText().equals(declared.path("name").asText())) {
                return declared.path("containerPort").asInt();
            }
        }
        throw new AssertionError("the gateway container has no port named " + port.asText());
    }

    /** The volume called {@code name}, or empty when the pod spec does not declare it. */
    Optional<JsonNode> volume(String name) {
        for (JsonNode volume : spec().path("volumes")) {
            if (name.equals(volume.path("name").asText())) {
                return Optional.of(volume);
            }
        }
        return Optional.empty();
    }

    /** Whether {@code name} is one of the StatefulSet's volumeClaimTemplates (a persistent volume per pod). */
    boolean isClaimTemplate(String name) {
        for (JsonNode claim : statefulSet.path("spec").path("volumeClaimTemplates")) {
            if (name.equals(claim.path("metadata").path("name").asText())) {
                return true;
            }
        }
        return false;
    }

    /** The effective value of a securityContext field: the container's, else the pod's. */
    JsonNode securityField(JsonNode container, String field) {
        JsonNode own = container.path("securityContext").path(field);
        return own.isMissingNode() || own.isNull() ? spec().path("securityContext").path(field) : own;
    }
}
