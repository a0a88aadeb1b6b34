package dev.quiesce.health;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import dev.quiesce.testing.TestHome;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(TestHome.class)
class ApplicationStartsTest {

    @Test
    void readinessAnswersUpOnTheHttpPort() {
        given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
    }
}
