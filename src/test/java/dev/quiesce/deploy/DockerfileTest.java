package dev.quiesce.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiesce.deploy.Dockerfile.Instruction;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Static checks of {@code src/main/docker/Dockerfile.jvm} against the application and the
 * Kubernetes manifests. That its COPY sources exist is checked after packaging, by
 * {@link DockerfileCopySourcesIT}.
 */
class DockerfileTest {

    private final Dockerfile dockerfile = Dockerfile.read(Dockerfile.JVM);

    @Test
    void exposesTheConfiguredHttpPort() {
        assertThat(dockerfile.all("EXPOSE")).extracting(Instruction::arguments)
                .containsExactly(AppSettings.builtIn().require("quarkus.http.port"));
    }

    @Test
    void runsAsTheNonRootUserTheStatefulSetRunsAs() {
        List<Instruction> users = dockerfile.all("USER");
        assertThat(users).isNotEmpty();
        String user = users.get(users.size() - 1).arguments().strip();
        GatewayPod pod = new GatewayPod(Manifests.render(Manifests.DEFAULT));

        assertThat(user).matches("[1-9][0-9]*");
        assertThat(pod.securityField(pod.gateway(), "runAsUser").asText()).isEqualTo(user);
    }

    @Test
    void copiesTheFastJarLayoutOwnedByThatUser() {
        List<Instruction> copies = dockerfile.all("COPY");

        // Dockerfile.jvm.dockerignore lets only target/quarkus-app/ into the build context.
        assertThat(copies).flatExtracting(Instruction::sources).allMatch(s -> s.startsWith("target/quarkus-app/"))
                .containsExactlyInAnyOrder("target/quarkus-app/lib/", "target/quarkus-app/*.jar",
                        "target/quarkus-app/app/", "target/quarkus-app/quarkus/");
        assertThat(copies).extracting(Instruction::arguments).allMatch(a -> a.startsWith("--chown=185 "));
    }

    @Test
    void startsTheFastJarItCopies() {
        String jar = dockerfile.env("JAVA_APP_JAR");
        Instruction jars = dockerfile.all("COPY").stream()
                .filter(c -> c.sources().contains("target/quarkus-app/*.jar")).findFirst().orElseThrow();

        assertThat(jar).isEqualTo(jars.destination() + "quarkus-run.jar");
        assertThat(dockerfile.env("JAVA_OPTS_APPEND")).contains("-Dquarkus.http.host=0.0.0.0");
        assertThat(dockerfile.all("ENTRYPOINT")).hasSize(1);
    }

    @Test
    void makesItsOwnAppCdsArchiveForTheJarItStartsAndStartsWithIt() {
        String jar = dockerfile.env("JAVA_APP_JAR");
        String archive = jar.replace("quarkus-run.jar", "app-cds.jsa");

        assertThat(dockerfile.all("RUN")).extracting(Instruction::arguments).singleElement().satisfies(run -> assertThat(
                run.replaceAll("\\s+", " ")).isEqualTo("java -XX:ArchiveClassesAtExit=" + archive
                        + " -Dquarkus.appcds.generate=true -jar " + jar));
        assertThat(dockerfile.env("JAVA_OPTS_APPEND")).contains("-XX:SharedArchiveFile=" + archive);
    }
}
