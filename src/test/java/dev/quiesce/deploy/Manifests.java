package dev.quiesce.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The Kubernetes resources a kustomization renders to, as Jackson trees.
 *
 * <p>{@link #render} runs {@code kubectl kustomize} (or a standalone {@code kustomize build}) when
 * one is on the {@code PATH}: that is exactly what {@code kubectl apply -k} would send. Without
 * either, it falls back to {@link #readWithoutKustomize}, which understands only what the base
 * uses (resource files and folders, {@code configMapGenerator} literals) and refuses anything else,
 * so a check never passes on a half-rendered overlay.
 *
 * <p>Stateless; the resources returned are fresh trees, safe to read from any thread.
 */
final class Manifests {

    /** The deployment operators apply: {@code kubectl apply -k deploy/kubernetes}. */
    static final Path DEFAULT = Path.of("deploy", "kubernetes");

    /** The example overlay. */
    static final Path EXAMPLE_OVERLAY = DEFAULT.resolve(Path.of("overlays", "example"));

    private static final YAMLMapper YAML = new YAMLMapper();

    private final List<JsonNode> resources;

    private Manifests(List<JsonNode> resources) {
        this.resources = List.copyOf(resources);
    }

    /** Renders, by folder: each is rendered once per test run. */
    private static final Map<Path, Manifests> RENDERED = new ConcurrentHashMap<>();

    /** Whether {@link #render} uses a real kustomize (and so can render overlays with patches). */
    static boolean kustomizeAvailable() {
        return onPath("kubectl").isPresent() || onPath("kustomize").isPresent();
    }

    /**
     * Renders {@code kustomization} with kustomize when available, else reads it without.
     *
     * @throws IllegalStateException when kustomize fails (the manifests are broken), or when the
     *     fallback meets a feature it does not implement
     */
    static Manifests render(Path kustomization) {
        return RENDERED.computeIfAbsent(kustomization.normalize(), dir -> {
            Optional<List<String>> command = kustomizeCommand(dir);
            return command.isPresent() ? new Manifests(runKustomize(command.get())) : readWithoutKustomize(dir);
        });
    }

    /**
     * Reads the resource files a kustomization lists (recursing into folders) and builds the
     * ConfigMaps of its {@code configMapGenerator} from their {@code literals}, without name
     * hashes. Anything else a kustomization can do is refused.
     *
     * @throws IllegalStateException on a kustomization feature this reader does not implement
     */
    static Manifests readWithoutKustomize(Path kustomization) {
        List<JsonNode> out = new ArrayList<>();
        readInto(kustomization, out);
        return new Manifests(out);
    }

    /** Every resource, in rendering order. */
    List<JsonNode> all() {
        return resources;
    }

    /** The resources of one kind. */
    List<JsonNode> ofKind(String kind) {
        return resources.stream().filter(r -> kind.equals(r.path("kind").asText())).toList();
    }

    /** The only resource of {@code kind}; fails when there is none or more than one. */
    JsonNode single(String kind) {
        List<JsonNode> found = ofKind(kind);
        if (found.size() != 1) {
            throw new AssertionError("expected exactly one " + kind + ", found " + found.size());
        }
        return found.get(0);
    }

    /** The resource of {@code kind} called {@code name}. */
    JsonNode named(String kind, String name) {
        return ofKind(kind).stream().filter(r -> name.equals(r.path("metadata").path("name").asText()))
                .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " named " + name));
    }

    private static Optional<List<String>> kustomizeCommand(Path kustomization) {
        String dir = kustomization.toString();
        Optional<Path> kubectl = onPath("kubectl");
        if (kubectl.isPresent()) {
            return Optional.of(List.of(kubectl.get().toString(), "kustomize", dir));
        }
        return onPath("kustomize").map(k -> List.of(k.toString(), "build", dir));
    }

    private static Optional<Path> onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        return Stream.of(path.split(File.pathSeparator)).filter(s -> !s.isEmpty())
                .map(dir -> Path.of(dir, program)).filter(Files::isExecutable).findFirst();
    }

    private static List<JsonNode> runKustomize(List<String> command) {
        try {
            Path out = Files.createTempFile("quiesce-kustomize-", ".yaml");
            Path err = Files.createTempFile("quiesce-kustomize-", ".err");
            try {
                Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
                if (!process.waitFor(2, TimeUnit.MINUTES)) {
                    process.destroyForcibly();
                    throw new IllegalStateException(String.join(" ", command) + " took over 2 minutes");
                }
                if (process.exitValue() != 0) {
                    throw new IllegalStateException(String.join(" ", command) + " failed (exit " + process.exitValue()
                            + "): " + Files.readString(err, StandardCharsets.UTF_8));
                }
                return parseDocuments(Files.readString(out, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command, e);
        }
    }

    static List<JsonNode> parseDocuments(String yaml) throws IOException {
        List<JsonNode> documents = new ArrayList<>();
        try (var values = YAML.readerFor(JsonNode.class).<JsonNode>readValues(yaml)) {
            while (values.hasNext()) {
                JsonNode document = values.next();
                if (document != null && document.isObject() && !document.isEmpty()) {
                    documents.add(document);
                }
            }
        }
        return documents;
    }

    private static void readInto(Path dir, List<JsonNode> out) {
        try {
            JsonNode kustomization = YAML.readTree(dir.resolve("kustomization.yaml").toFile());
            kustomization.fieldNames().forEachRemaining(field -> {
                if (!List.of("apiVersion", "kind", "resources", "configMapGenerator", "labels", "images").contains(field)) {
                    throw new IllegalStateException(dir + "/kustomization.yaml uses '" + field
                            + "', which only a real kustomize renders: install kubectl or kustomize");
                }
            });
            for (JsonNode resource : kustomization.path("resources")) {
                Path path = dir.resolve(resource.asText()).normalize();
                if (Files.isDirectory(path)) {
                    readInto(path, out);
                } else {
                    out.addAll(parseDocuments(Files.readString(path, StandardCharsets.UTF_8)));
                }
            }
            for (JsonNode generator : kustomization.path("configMapGenerator")) {
                if (generator.has("behavior") || generator.has("envs") || generator.has("files")) {
                    throw new IllegalStateException(dir + ": only configMapGenerator literals are read without kustomize");
                }
                ObjectNode configMap = YAML.createObjectNode();
                configMap.put("apiVersion", "v1").put("kind", "ConfigMap");
                configMap.putObject("metadata").put("name", generator.path("name").asText());
                ObjectNode data = configMap.putObject("data");
                for (JsonNode literal : generator.path("literals")) {
                    String[] keyValue = literal.asText().split("=", 2);
                    data.put(keyValue[0], keyValue.length > 1 ? keyValue[1] : "");
                }
                out.add(configMap);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
