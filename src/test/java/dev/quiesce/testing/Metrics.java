package dev.quiesce.testing;

import static io.restassured.RestAssured.given;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads one sample from the application's {@code /q/metrics} (Prometheus text). */
public final class Metrics {

    private Metrics() {}

    /**
     * The value of {@code name} with the label {@code label="value"} (both null: the unlabelled sample).
     *
     * @return the value; 0 when there is no such sample (a counter is registered at its first increment)
     */
    public static double value(String name, String label, String value) {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        String labels = label == null ? "(\\{[^}]*})?" : "\\{[^}]*" + label + "=\"" + Pattern.quote(value) + "\"[^}]*}";
        Matcher line = Pattern.compile("(?m)^" + Pattern.quote(name) + labels + " (\\S+)$").matcher(metrics);
        return line.find() ? Double.parseDouble(line.group(line.groupCount())) : 0;
    }

    /** The value of the unlabelled {@code name}; 0 when absent. */
    public static double value(String name) {
        return value(name, null, null);
    }
}
